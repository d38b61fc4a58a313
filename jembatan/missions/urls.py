from django.urls import path

from jembatan.missions import views

app_name = "missions"
urlpatterns = [
    path("", views.accredited_list, name="accredited_list"),
    path("add/", views.accredited_create, name="accredited_create"),
    path("import/", views.accredited_import, name="accredited_import"),
    path("import/confirm/", views.accredited_import_confirm, name="accredited_import_confirm"),
    path("import/template.csv", views.accredited_import_template, name="accredited_import_template"),
    path("<uuid:accredited_person_id>/", views.accredited_detail, name="accredited_detail"),
    path("<uuid:accredited_person_id>/edit/", views.accredited_edit, name="accredited_edit"),
]
