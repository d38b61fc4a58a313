"""Human-readable rendering of audit events: action names, details, chain results, times.

Events store stable codes and plain data; everything a person reads is made here, in the
viewer's language and time zone (STYLE rule 12).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from jembatan.audit import chain
from jembatan.audit.events import AuditAction
from jembatan.core.zones import ZONE_ABBREVIATIONS

# Table times carry seconds (UX.md §3.11): "27 Nov 2026, 14.30.05 WIB" / "27 Nov 2026, 14:30:05 WIB".
SECONDS_FORMATS = {"id": "j M Y, H.i.s", "en": "j M Y, H:i:s"}


def seconds_format() -> str:
    """The date-time format with seconds for the active language."""
    return SECONDS_FORMATS["en"] if (get_language() or "id").startswith("en") else SECONDS_FORMATS["id"]


def zone_abbreviation(zone: str, value: dt.datetime | None = None) -> str:
    """WIB/WITA/WIT, or the UTC offset for a zone outside Indonesia."""
    if zone in ZONE_ABBREVIATIONS:
        return ZONE_ABBREVIATIONS[zone]
    local = (value or dt.datetime.now(dt.UTC)).astimezone(ZoneInfo(zone))
    return local.strftime("UTC%z")


def zoned_text(value: dt.datetime | None, zone: str, fmt: str = "SHORT_DATETIME_FORMAT") -> str:
    """Plain-text time in `zone` with its abbreviation, for places that cannot use `{% zoned %}`."""
    if value is None:
        return "—"
    local = value.astimezone(ZoneInfo(zone))
    return f"{formats.date_format(local, fmt)} {zone_abbreviation(zone, value)}"


def action_label(code: int) -> str:
    """The action's name in the active language; unknown codes (newer than this code) by number."""
    try:
        return str(AuditAction(code).label)
    except ValueError:
        return _("Action %(code)s") % {"code": code}


@dataclass(frozen=True)
class Change:
    """One changed field of a before/after record."""

    field: str
    before: str
    after: str


@dataclass(frozen=True)
class Details:
    """What the `<details>` of one event shows: changed fields, then other facts."""

    changes: list[Change]
    items: list[tuple[str, str]]

    def __bool__(self) -> bool:
        return bool(self.changes or self.items)


def _text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _change(field: str, value: Any) -> Change | None:
    if isinstance(value, dict) and ("before" in value or "after" in value):
        return Change(field, _text(value.get("before")), _text(value.get("after")))
    if isinstance(value, list | tuple) and len(value) == 2:
        return Change(field, _text(value[0]), _text(value[1]))
    return None


def details(data: dict[str, Any] | None) -> Details:
    """Split an event's `data` into a before/after list and the remaining facts.

    A `changes` entry of `{field: {"before": x, "after": y}}` or `{field: [x, y]}` becomes
    the before/after list; every other key is shown as it is.
    """
    data = data or {}
    changes: list[Change] = []
    raw_changes = data.get("changes")
    if isinstance(raw_changes, dict):
        for field, value in raw_changes.items():
            change = _change(str(field), value)
            if change is not None:
                changes.append(change)
    items = [(str(key), _text(value)) for key, value in data.items() if not (key == "changes" and changes)]
    return Details(changes=changes, items=items)


def chain_reason(code: str) -> str:
    """Why a link of the chain is broken, in the active language."""
    texts = {
        chain.MISSING: _("events before it are missing (event numbers are not consecutive): events were removed"),
        chain.RELINKED: _("it does not link to the event before it: an event was removed, replaced or reordered"),
        chain.ALTERED: _("its content does not match its hash: the event was changed"),
    }
    return texts.get(code, _("the chain does not verify"))
