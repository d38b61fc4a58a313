"""URLconf for the people API tests while `config/api.py` does not mount the people router
yet: the project's URLs, with an API that has the people router at `/api/v1/people/` in
front (Django tries the next pattern when a path does not match, so the rest still works)."""

from django.urls import path

from config.urls import urlpatterns as project_urlpatterns
from jembatan.accounts.api_auth import ApiTokenAuth
from jembatan.core.api import create_api, session_auth
from jembatan.people.api import router

api = create_api(auth=[ApiTokenAuth(), session_auth])
api.urls_namespace = "api-v1-people-tests"
api.add_router("/people/", router)

urlpatterns = [path("api/v1/", api.urls), *project_urlpatterns]
