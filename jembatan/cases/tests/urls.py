"""The project's URLs plus the case API, for the case tests.

`config/api.py` is the lead's: until it mounts `jembatan.cases.api.router` at
`/api/v1/cases/`, these tests mount it on an API of their own built the same way (same
authentication, same error contract). Once the project mounts it, they use the project's.
"""

from django.urls import path

from config import urls as project_urls
from config.api import api as project_api
from jembatan.cases.api import router

if any(mounted is router for _prefix, mounted in project_api._routers):
    urlpatterns = list(project_urls.urlpatterns)
else:
    from jembatan.accounts.api_auth import ApiTokenAuth
    from jembatan.core.api import create_api, session_auth

    cases_api = create_api(auth=[ApiTokenAuth(), session_auth])
    cases_api.urls_namespace = "api-v1-cases"
    cases_api.add_router("/cases/", router)
    urlpatterns = [path("api/v1/", cases_api.urls), *project_urls.urlpatterns]

handler403 = project_urls.handler403
handler404 = project_urls.handler404
handler500 = project_urls.handler500
