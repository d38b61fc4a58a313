"""Case register pages. Pages of rules, bans and exports live in `urls_rules.py`."""

from django.urls import include, path

app_name = "cases"
urlpatterns: list = [
    path("", include("jembatan.cases.urls_rules")),
]
