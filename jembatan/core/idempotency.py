"""Idempotency keys for API writes (`Idempotency-Key` header).

`idempotent(request, operation=…, payload=…, produce=…)` runs `produce()` once per
(caller, key): a retry of the same request returns the stored answer; reusing a key for a
different request raises `Conflict`. Without the header, `produce()` just runs.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from jembatan.core.exceptions import ApplicationError, Conflict
from jembatan.core.models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 120


def _caller_id(request: HttpRequest) -> str:
    caller = getattr(request, "auth", None) or getattr(request, "user", None)
    return f"{caller._meta.label_lower}:{caller.pk}" if caller is not None and hasattr(caller, "_meta") else "anonymous"


def _hash(payload: Any) -> str:
    text = json.dumps(payload, sort_keys=True, cls=DjangoJSONEncoder, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def idempotent(request: HttpRequest, *, operation: str, payload: Any, produce: Callable[[], tuple[int, Any]]) -> tuple[int, Any]:
    """Return `(status, body)` of `produce()`, or of its first run for this key.

    `body` must be JSON-serialisable (a dict from a Schema's `.model_dump(mode="json")`).
    A domain error raised by `produce()` is not stored: the client may correct and retry.
    """
    key = request.headers.get(HEADER, "").strip()
    if not key:
        return produce()
    if len(key) > MAX_KEY_LENGTH:
        raise ApplicationError(_("The Idempotency-Key header must be at most 120 characters."), field=HEADER)
    caller = _caller_id(request)
    request_hash = _hash({"operation": operation, "payload": payload})
    previous = IdempotencyRecord.objects.filter(caller=caller, key=key).first()
    if previous is not None:
        return _replay(previous, request_hash)
    try:
        with transaction.atomic():
            status, body = produce()
            body = json.loads(json.dumps(body, cls=DjangoJSONEncoder))
            IdempotencyRecord.objects.create(
                caller=caller, key=key, operation=operation, request_hash=request_hash, status_code=status, response_body=body
            )
    except IntegrityError:
        # A concurrent request with the same key committed first; its write stands, ours
        # was rolled back with this transaction.
        previous = IdempotencyRecord.objects.get(caller=caller, key=key)
        return _replay(previous, request_hash)
    return status, body


def _replay(record: IdempotencyRecord, request_hash: str) -> tuple[int, Any]:
    if record.request_hash != request_hash:
        raise Conflict(_("This Idempotency-Key was already used for a different request. Use a new key."), field=HEADER)
    return record.status_code, record.response_body
