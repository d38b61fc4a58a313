"""Bearer-token authentication of agency systems (`accounts.ApiClient`)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from jembatan.core import request_context


class ApiTokenAuth(HttpBearer):
    """`Authorization: Bearer jbt_<prefix>_<secret>`; the caller becomes `request.auth`."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from jembatan.accounts.services import api_client_authenticate

        client = api_client_authenticate(token=token)
        if client is None:
            return None
        request_context.set_actor(client, channel="api")
        return client
