"""`audit_record`: the one function through which every app writes the audit log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from jembatan.audit import chain
from jembatan.audit.events import AuditAction
from jembatan.audit.models import AuditEvent
from jembatan.core import request_context

# Any fixed 64-bit number; it only has to be the same for every writer.
_PG_LOCK_KEY = 7_202_011_363


def _lock_chain() -> None:
    """Serialise chain writers until the surrounding transaction ends.

    PostgreSQL: a transaction-scoped advisory lock. SQLite: the IMMEDIATE transaction mode
    already holds the database write lock for the whole transaction.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])


def _describe(target: Any) -> tuple[str, str, str]:
    if target is None:
        return "", "", ""
    # Cut to the column sizes: PostgreSQL refuses longer values (SQLite would store them,
    # and the hash would then cover a value the other database cannot hold).
    if isinstance(target, models.Model):
        return target._meta.label_lower[:100], str(target.pk)[:64], str(target)[:300]
    if isinstance(target, tuple) and len(target) == 3:
        return str(target[0])[:100], str(target[1])[:64], str(target[2])[:300]
    raise TypeError(f"audit target must be a model instance or (type, id, repr), not {type(target)!r}")


def audit_record(
    *,
    action: AuditAction,
    target: Any = None,
    actor: Any = None,
    purpose: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the audit log, in the caller's transaction.

    `actor` defaults to the actor of the current request context (None: the system).
    `target` is a model instance or a `(type, id, repr)` triple. `data` must be
    JSON-serialisable and must not contain secrets. If the caller's transaction rolls
    back, so does the event: the log records only what really happened.
    """
    ctx = request_context.current()
    if actor is None and ctx is not None:
        actor = ctx.actor
    object_type, object_id, object_repr = _describe(target)
    with transaction.atomic():
        _lock_chain()
        last = AuditEvent.objects.order_by("-id").values("id", "hash").first()
        values: dict[str, Any] = {
            "id": (last["id"] + 1) if last else 1,
            "occurred_at": timezone.now(),
            "actor_id": actor.pk if _is_user(actor) else None,
            "actor_label": _actor_label(actor)[:200],
            "agency_id": getattr(actor, "agency_id", None),
            "action": int(action),
            "object_type": object_type,
            "object_id": object_id,
            "object_repr": object_repr,
            "purpose": purpose[:300],
            "request_id": ctx.request_id if ctx else "",
            "channel": ctx.channel if ctx else "command",
            "ip_address": (ctx.ip_address or "")[:64] if ctx else "",
            "data": data or {},
        }
        prev_hash = last["hash"] if last else chain.GENESIS
        # Round-trip the data through JSON now so the hash covers what the database stores.
        values["data"] = _json_roundtrip(values["data"])
        event = AuditEvent(prev_hash=prev_hash, hash=chain.compute_hash(prev_hash, values), **values)
        event.save(force_insert=True)
    return event


def _actor_label(actor: Any) -> str:
    """The name the actor had at the time: a user's username, an API client's name."""
    if actor is None:
        return "system"
    get_username = getattr(actor, "get_username", None)
    if callable(get_username):
        return str(get_username())
    # API clients (`accounts.ApiClient`) have no username; label them so they cannot be
    # mistaken for a user of the same name.
    return f"api:{getattr(actor, 'name', actor)}"


def _is_user(actor: Any) -> bool:
    """API clients act too, but only users are referenced by foreign key."""
    meta = getattr(actor, "_meta", None)
    return meta is not None and meta.label_lower == settings.AUTH_USER_MODEL.lower()


def _json_roundtrip(data: dict[str, Any]) -> dict[str, Any]:
    import json

    from django.core.serializers.json import DjangoJSONEncoder

    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def audit_read(*, actor: Any, action: AuditAction, target: Any = None, purpose: str = "", data: dict[str, Any] | None = None) -> None:
    """Record that `actor` read personal data. Called by selectors, never by views."""
    audit_record(action=action, target=target, actor=actor, purpose=purpose, data=data)


def audit_chain_verify() -> chain.VerifyResult:
    """Walk the whole chain from the first event, streaming. Read-only; records nothing."""
    fields = [*chain.CHAINED_FIELDS, "prev_hash", "hash"]
    rows = AuditEvent.objects.order_by("id").values(*fields).iterator(chunk_size=2000)
    return chain.verify(rows)


def audit_chain_check(*, actor: Any = None) -> chain.VerifyResult:
    """Verify the whole chain and append the outcome to the log.

    Records `AUDIT_CHAIN_VERIFIED` (with the count and the head it reached) or
    `AUDIT_CHAIN_BROKEN` (with the first broken event and why), which the audit-log page
    and the home panel show. Called by the hourly job and the "Verify now" button.
    """
    result = audit_chain_verify()
    audit_record(
        action=AuditAction.AUDIT_CHAIN_VERIFIED if result.ok else AuditAction.AUDIT_CHAIN_BROKEN,
        actor=actor,
        data={
            "checked": result.checked,
            "last_id": result.last_id,
            "last_time": result.last_time.astimezone(dt.UTC).isoformat() if result.last_time else None,
            "last_hash": result.last_hash,
            "first_broken_id": result.first_broken_id,
            "reason_code": result.reason_code,
            "reason": result.reason,
        },
    )
    return result
