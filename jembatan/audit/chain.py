"""The hash chain: canonical serialisation, hashing and verification.

Private to the audit app (STYLE rule 12): other apps call `services.audit_record`.

Canonical form: a JSON object with sorted keys, no whitespace, UTF-8, of exactly the fields
in `CHAINED_FIELDS`, with times as ISO 8601 UTC to the microsecond and foreign keys as ids.
The first event's `prev_hash` is `GENESIS`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64
CHAINED_FIELDS = (
    "id",
    "occurred_at",
    "actor_id",
    "actor_label",
    "agency_id",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "purpose",
    "request_id",
    "channel",
    "ip_address",
    "data",
)


def _normalise(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return value


def canonical(values: dict[str, Any]) -> bytes:
    """The exact bytes that are hashed for one event."""
    payload = {name: _normalise(values.get(name)) for name in CHAINED_FIELDS}
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def compute_hash(prev_hash: str, values: dict[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode() + b"\n" + canonical(values)).hexdigest()


# Why a link is broken: a stable code (rendered in the UI's language by `audit.render`) and
# the English text the management command prints.
MISSING = "missing"
RELINKED = "relinked"
ALTERED = "altered"
REASONS = {
    MISSING: "events before it are missing (event ids are not consecutive): events were removed",
    RELINKED: "prev_hash does not match the previous event (an event was removed, replaced or reordered)",
    ALTERED: "content does not match its hash (the event was altered)",
}


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of walking the chain.

    `last_id`/`last_time` name the last event found intact (on success: the head).
    """

    ok: bool
    checked: int
    first_broken_id: int | None = None
    reason: str = ""
    last_id: int | None = None
    last_time: dt.datetime | None = None
    reason_code: str = ""
    last_hash: str = ""


def verify(rows: Any) -> VerifyResult:
    """Walk `rows` (dicts with CHAINED_FIELDS plus prev_hash and hash, in id order).

    Stops at the first event that does not follow the previous one: its id is not the next
    id (ids are given out consecutively under the chain lock, so a gap means removed rows),
    its `prev_hash` does not name the previous event's hash, or its own hash does not match
    its content; and names it.
    """
    expected_prev = GENESIS
    checked = 0
    last_id: int | None = None
    last_time = None

    def broken(row: dict[str, Any], code: str) -> VerifyResult:
        return VerifyResult(False, checked, row["id"], REASONS[code], last_id, last_time, code, expected_prev)

    for row in rows:
        if row["id"] != (last_id + 1 if last_id is not None else 1):
            return broken(row, MISSING)
        if row["prev_hash"] != expected_prev:
            return broken(row, RELINKED)
        if compute_hash(row["prev_hash"], row) != row["hash"]:
            return broken(row, ALTERED)
        expected_prev = row["hash"]
        checked += 1
        last_id = row["id"]
        last_time = row["occurred_at"]
    return VerifyResult(True, checked, None, "", last_id, last_time, "", expected_prev)
