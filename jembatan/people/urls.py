from django.urls import path

from jembatan.people import views

app_name = "people"
urlpatterns = [
    path("", views.person_list_view, name="list"),
    path("new/", views.person_intake_view, name="intake"),
    path("<uuid:person_id>/", views.person_detail_view, name="detail"),
]
