"""Case register pages. Pages of rules, bans and exports live in `urls_rules.py`."""

from django.urls import include, path

from jembatan.cases import views

app_name = "cases"
urlpatterns: list = [
    path("", views.case_list_view, name="list"),
    path("new/", views.case_create_view, name="create"),
    path("<uuid:case_id>/", views.case_detail_view, name="detail"),
    path("<uuid:case_id>/transition/", views.case_transition_view, name="transition"),
    path("<uuid:case_id>/notes/", views.case_note_view, name="note"),
    path("<uuid:case_id>/events/", views.case_event_view, name="event"),
    path("<uuid:case_id>/documents/", views.case_document_upload_view, name="document_upload"),
    path("<uuid:case_id>/documents/<uuid:document_id>/", views.case_document_download_view, name="document"),
    path("", include("jembatan.cases.urls_rules")),
]
