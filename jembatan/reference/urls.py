from django.urls import path

from jembatan.reference import views

app_name = "reference"
urlpatterns = [
    path("", views.ReferenceIndexView.as_view(), name="index"),
    path("countries/", views.ReferenceListView.as_view(table_slug="countries"), name="country_list"),
    path("immigration-offices/", views.ReferenceListView.as_view(table_slug="immigration-offices"), name="office_list"),
    path("detention-centres/", views.ReferenceListView.as_view(table_slug="detention-centres"), name="detention_centre_list"),
    path("checkpoints/", views.ReferenceListView.as_view(table_slug="checkpoints"), name="checkpoint_list"),
    path("missions/", views.ReferenceListView.as_view(table_slug="missions"), name="mission_list"),
    path("legal-bases/", views.ReferenceListView.as_view(table_slug="legal-bases"), name="legal_basis_list"),
]
