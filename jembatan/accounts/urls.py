from django.urls import path

from jembatan.accounts import alert_views, views

app_name = "accounts"
urlpatterns = [
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:user_id>/", views.user_detail, name="user_detail"),
    path("users/<int:user_id>/edit/", views.user_edit, name="user_edit"),
    path("users/<int:user_id>/deactivate/", views.user_deactivate, name="user_deactivate"),
    path("users/<int:user_id>/reactivate/", views.user_reactivate, name="user_reactivate"),
    path("users/<int:user_id>/unlock/", views.user_unlock, name="user_unlock"),
    path("users/<int:user_id>/send-set-password/", views.user_send_password_mail, name="user_send_password_mail"),
    path("api-clients/", views.api_client_list, name="api_client_list"),
    path("api-clients/new/", views.api_client_create, name="api_client_create"),
    path("api-clients/<uuid:client_id>/revoke/", views.api_client_revoke, name="api_client_revoke"),
    path("profile/", views.profile, name="profile"),
    path("alerts/", alert_views.alerts, name="alerts"),
    path("alerts/read-all/", alert_views.alerts_read_all, name="alerts_read_all"),
    path("alerts/<int:alert_id>/read/", alert_views.alert_read, name="alert_read"),
]
