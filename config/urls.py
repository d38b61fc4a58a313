"""Agency staff pages under /, the API under /api/v1/. The embassy portal gets /portal/ later."""

from django.contrib import admin
from django.urls import include, path

from config.api import api
from jembatan.core import views as core_views

admin.site.site_header = "Jembatan"
admin.site.site_title = "Jembatan"
admin.site.index_title = "Reference data and administration"
# The admin signs in through allauth (2FA, lock-out) like every other page.
admin.site.login = core_views.admin_login_redirect  # type: ignore[method-assign]

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("favicon.ico", core_views.favicon),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("jembatan.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("audit/", include("jembatan.audit.urls")),
    path("reference/", include("jembatan.reference.urls")),
    path("people/", include("jembatan.people.urls")),
    path("cases/", include("jembatan.cases.urls")),
    path("missions/", include("jembatan.missions.urls")),
    path("portal/", include("jembatan.portal.urls")),
    path("notifications/", include("jembatan.notifications.urls")),
    path("traffic/", include("jembatan.traffic.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

handler403 = "jembatan.core.views.error_403"
handler404 = "jembatan.core.views.error_404"
handler500 = "jembatan.core.views.error_500"
