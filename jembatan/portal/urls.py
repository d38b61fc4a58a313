"""The embassy portal's URL tree, `/portal/`: mission pages at the top, the consular
desk's pages under `desk/`, mission accounts for the ministry under `admin/`."""

from django.urls import path

from jembatan.portal import desk_views, views

app_name = "portal"

urlpatterns = [
    # mission officers
    path("", views.inbox, name="inbox"),
    path("notifications/<uuid:notification_id>/", views.notification_detail, name="notification_detail"),
    path("notifications/<uuid:notification_id>/document.pdf", views.notification_document, name="notification_document"),
    path("notifications/<uuid:notification_id>/acknowledge", views.notification_acknowledge, name="notification_acknowledge"),
    path("notifications/<uuid:notification_id>/access/", views.access_request_new, name="access_request_new"),
    path("notifications/<uuid:notification_id>/messages", views.notification_thread, name="notification_thread"),
    path("access/<uuid:access_id>/", views.access_detail, name="access_detail"),
    path("inquiries/", views.inquiry_list, name="inquiry_list"),
    path("inquiries/new/", views.inquiry_new, name="inquiry_new"),
    path("inquiries/<uuid:inquiry_id>/", views.inquiry_detail, name="inquiry_detail"),
    path("inquiries/<uuid:inquiry_id>/close", views.inquiry_close, name="inquiry_close"),
    path("messages/", views.thread_list, name="thread_list"),
    path("messages/<uuid:thread_id>/", views.thread_detail, name="thread_detail"),
    path("attachments/<uuid:attachment_id>/", views.attachment_download, name="attachment_download"),
    # the mission's lead officer: its own users and contacts
    path("mission/", desk_views.mission_manage, name="mission_manage"),
    path("mission/users/invite", desk_views.mission_user_invite, name="own_user_invite"),
    path("mission/users/<int:user_id>/<slug:action>", desk_views.mission_user_action, name="own_user_action"),
    path("mission/contacts/add", desk_views.mission_contact_add, name="own_contact_add"),
    path("mission/contacts/<uuid:contact_id>/toggle", desk_views.mission_contact_toggle, name="own_contact_toggle"),
    # consular directorate
    path("desk/inquiries/", desk_views.desk_inquiry_list, name="desk_inquiry_list"),
    path("desk/inquiries/<uuid:inquiry_id>/", desk_views.desk_inquiry_detail, name="desk_inquiry_detail"),
    path("desk/inquiries/<uuid:inquiry_id>/forward", desk_views.desk_inquiry_forward, name="desk_inquiry_forward"),
    path("desk/messages/", desk_views.desk_thread_list, name="desk_thread_list"),
    path("desk/messages/<uuid:thread_id>/", desk_views.desk_thread_detail, name="desk_thread_detail"),
    path("desk/cases/<uuid:case_id>/missions/<int:mission_id>/thread", desk_views.desk_thread_open, name="desk_thread_open"),
    # administrators, consular supervisors, protocol: any mission's users and contacts
    path("admin/missions/", desk_views.admin_mission_list, name="admin_mission_list"),
    path("admin/missions/<int:mission_id>/", desk_views.mission_manage, name="admin_mission_detail"),
    path("admin/missions/<int:mission_id>/users/invite", desk_views.mission_user_invite, name="user_invite"),
    path("admin/missions/<int:mission_id>/users/<int:user_id>/<slug:action>", desk_views.mission_user_action, name="user_action"),
    path("admin/missions/<int:mission_id>/contacts/add", desk_views.mission_contact_add, name="contact_add"),
    path("admin/missions/<int:mission_id>/contacts/<uuid:contact_id>/toggle", desk_views.mission_contact_toggle, name="contact_toggle"),
]
