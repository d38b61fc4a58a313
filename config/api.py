"""Assembles `/api/v1/`: the project's API with each app's router."""

from jembatan.accounts.api import router as accounts_router
from jembatan.accounts.api_auth import ApiTokenAuth
from jembatan.cases.api import router as cases_router
from jembatan.core.api import create_api, session_auth
from jembatan.notifications.api import router as notifications_router
from jembatan.people.api import router as people_router
from jembatan.portal.api import router as portal_router
from jembatan.reference.api import router as reference_router
from jembatan.traffic.api import router as traffic_sync_router
from jembatan.traffic.api_queries import router as traffic_queries_router

api = create_api(auth=[ApiTokenAuth(), session_auth])
api.add_router("/reference/", reference_router)
api.add_router("/accounts/", accounts_router)
api.add_router("/people/", people_router)
api.add_router("/cases/", cases_router)
api.add_router("/notifications/", notifications_router)
api.add_router("/portal/", portal_router)
api.add_router("/traffic/", traffic_queries_router)
api.add_router("/traffic/", traffic_sync_router)
