"""Pages under /notifications/. The policy pages (helper "rules") are included from
`urls_policies.py` when present."""

from importlib.util import find_spec

from django.urls import include, path

from jembatan.notifications import views

app_name = "notifications"
urlpatterns: list = [
    path("", views.inbox_view, name="inbox"),
    path("overdue/", views.overdue_view, name="overdue"),
    path("performance/", views.kpi_view, name="kpi"),
    path("performance.csv", views.kpi_csv_view, name="kpi_csv"),
    path("access/", views.access_list_view, name="access_list"),
    path("access/<uuid:access_id>/", views.access_detail_view, name="access_detail"),
    path("access/<uuid:access_id>/<str:action>/", views.access_action_view, name="access_action"),
    path("cases/<uuid:case_id>/access/", views.case_access_request_view, name="case_access_request"),
    path("cases/<uuid:case_id>/rights/", views.case_rights_view, name="case_rights"),
    path("cases/<uuid:case_id>/letters/", views.case_letter_view, name="case_letter"),
    path("letters/<uuid:letter_id>/forward/", views.letter_forward_view, name="letter_forward"),
    path("<uuid:notification_id>/", views.detail_view, name="detail"),
    path("<uuid:notification_id>/dispatch/", views.dispatch_view, name="dispatch"),
    path("<uuid:notification_id>/document.pdf", views.document_view, name="document"),
    path("<uuid:notification_id>/acknowledge/", views.acknowledge_view, name="acknowledge"),
    path("<uuid:notification_id>/cancel/", views.cancel_view, name="cancel"),
    path("<uuid:notification_id>/deliveries/<int:delivery_id>/retry/", views.delivery_retry_view, name="delivery_retry"),
]

if find_spec("jembatan.notifications.urls_policies") is not None:
    urlpatterns.append(path("policies/", include("jembatan.notifications.urls_policies")))
