from django.apps import AppConfig


class TrafficConfig(AppConfig):
    """Immigration traffic: border crossings and stay permits, bulk and incremental sync."""

    name = "jembatan.traffic"
    label = "traffic"
    verbose_name = "Immigration traffic"
