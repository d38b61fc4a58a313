"""Writes for accounts: users, API clients."""

from __future__ import annotations

from django.db import transaction

from jembatan.accounts.models import ApiClient


def api_client_authenticate(*, token: str) -> ApiClient | None:
    """Return the active client that owns `token`, or None. Constant-time hash comparison."""
    parts = token.split("_")
    if len(parts) < 3 or parts[0] != "jbt":
        return None
    client = ApiClient.objects.select_related("agency").filter(token_prefix=parts[1], is_active=True).first()
    if client is None or not client.matches(token):
        return None
    with transaction.atomic():
        client.mark_used()
    return client
