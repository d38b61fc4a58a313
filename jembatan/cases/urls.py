"""Case register pages. Pages of rules, bans and exports live in `urls_rules.py`."""

from django.urls import include, path

from jembatan.cases import overstay_views, views

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
    # Proposing the art. 78 actions for an overstay listed by traffic (traffic:overstays).
    path("overstays/<int:permit_id>/propose/", overstay_views.overstay_propose_view, name="overstay_propose"),
    path("", include("jembatan.cases.urls_rules")),
]
