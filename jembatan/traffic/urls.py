"""Pages of immigration traffic under /traffic/."""

from django.urls import path

from jembatan.traffic import views_imports, views_queries

app_name = "traffic"

urlpatterns = [
    # Queries (whereabouts, overstays, statistics). Proposing actions for an overstay:
    # `cases:overstay_propose` (the case register's page).
    path("whereabouts/", views_queries.whereabouts_view, name="whereabouts"),
    path("overstays/", views_queries.overstays_view, name="overstays"),
    path("statistics/", views_queries.statistics_view, name="statistics"),
    # Import ledger (upload, progress, rejected rows).
    path("imports/", views_imports.import_list_view, name="imports"),
    path("imports/<int:batch_id>/", views_imports.import_detail_view, name="import_detail"),
    path("imports/<int:batch_id>/progress/", views_imports.import_progress_view, name="import_progress"),
    path("imports/<int:batch_id>/rejected.csv", views_imports.import_report_view, name="import_report"),
]
