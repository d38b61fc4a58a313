from django.apps import AppConfig


class PeopleConfig(AppConfig):
    """Foreign nationals and their identity documents."""

    name = "jembatan.people"
    label = "people"
    verbose_name = "People"
