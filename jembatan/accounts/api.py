"""API operations of the accounts app: who am I, and the users an administrator manages."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from jembatan.accounts import selectors
from jembatan.accounts.models import ApiClient, User
from jembatan.core.api import ErrorBody, require_capability

router = Router(tags=["accounts"])

ERRORS = {401: ErrorBody, 403: ErrorBody}


class MeOut(Schema):
    """The caller: a signed-in user or an agency system's API client."""

    kind: str  # "user" or "api_client"
    username: str | None = None
    client_name: str | None = None
    full_name: str | None = None
    agency: str | None = None  # the agency code
    unit: str | None = None  # the unit code
    roles: list[str] = []
    capabilities: list[str]
    time_zone: str | None = None
    language: str | None = None


class UserOut(Schema):
    id: int
    username: str
    full_name: str
    email: str
    agency: str | None
    unit: str | None
    roles: list[str]
    is_active: bool
    last_login: dt.datetime | None

    @staticmethod
    def resolve_agency(obj: User) -> str | None:
        return obj.agency.code if obj.agency else None

    @staticmethod
    def resolve_unit(obj: User) -> str | None:
        return obj.unit.code if obj.unit else None


class UserFilters(Schema):
    q: str = ""
    role: str = ""
    active: str = ""  # "yes" or "no"


@router.get("/me", response={200: MeOut, **ERRORS}, summary="Who am I")
def me(request: HttpRequest) -> Any:
    """The authenticated caller, their agency and the capabilities they hold."""
    caller = request.auth  # type: ignore[attr-defined]
    if isinstance(caller, ApiClient):
        return {
            "kind": "api_client",
            "client_name": caller.name,
            "agency": caller.agency.code,
            "capabilities": sorted(caller.capabilities),
        }
    return {
        "kind": "user",
        "username": caller.username,
        "full_name": caller.full_name,
        "agency": caller.agency.code if caller.agency_id else None,
        "unit": caller.unit.code if caller.unit_id else None,
        "roles": list(caller.roles),
        "capabilities": sorted(caller.capabilities),
        "time_zone": caller.time_zone,
        "language": caller.preferred_language,
    }


@router.get("/users", response={200: list[UserOut], **ERRORS}, summary="List users")
@paginate(PageNumberPagination, page_size=settings.API_PAGE_SIZE)
def users(request: HttpRequest, filters: Query[UserFilters]) -> Any:
    """Users of the caller's agency (all agencies for a superuser). Needs `accounts.manage_users`."""
    require_capability(request, selectors.MANAGE_USERS)
    return selectors.user_list(actor=request.auth, filters=filters.dict())  # type: ignore[attr-defined]


@router.get("/users/{user_id}", response={200: UserOut, **ERRORS, 404: ErrorBody}, summary="Get a user")
def user(request: HttpRequest, user_id: int) -> Any:
    """One user of the caller's agency; 404 for a user of another agency, as for none."""
    require_capability(request, selectors.MANAGE_USERS)
    return selectors.user_get(actor=request.auth, user_id=user_id)  # type: ignore[attr-defined]
