"""`/notifications/policies/…` (included by `notifications/urls.py`): country consular policies."""

from django.urls import path

from jembatan.notifications import policy_views

app_name = "policies"
urlpatterns = [
    path("", policy_views.policy_list_view, name="list"),
    path("<str:code>/", policy_views.policy_history_view, name="history"),
    path("<str:code>/new/", policy_views.policy_change_view, name="change"),
]
