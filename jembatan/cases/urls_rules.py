"""Pages for exports, bans and overstay rules (owned by the rules/exports work)."""

from django.urls import path

from jembatan.cases import ban_views, export_views

urlpatterns: list = [
    path("export.csv", export_views.case_export_csv, name="export_csv"),
    path("export.xlsx", export_views.case_export_xlsx, name="export_xlsx"),
    path("<uuid:case_id>/extend/", ban_views.ban_extend_view, name="ban_extend"),
]
