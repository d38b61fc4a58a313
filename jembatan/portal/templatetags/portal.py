"""Portal template helpers: times with their zone and UTC offset (embassy readers), the
facts a mission may see."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django import template
from django.utils import formats
from django.utils.html import format_html
from django.utils.translation import get_language

from jembatan.reference.models import ZONE_ABBREVIATIONS

register = template.Library()


def _offset(local: dt.datetime) -> str:
    offset = local.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


@register.simple_tag(takes_context=True)
def portal_time(context: template.Context, value: dt.datetime | None, zone: str | None = None, fmt: str = "SHORT_DATETIME_FORMAT") -> str:
    """ "27 Nov 2026, 16:30 WITA (UTC+8)" inside <time>: embassy readers get the offset."""
    if value is None:
        return "—"
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    user = context.get("user")
    tz_name = zone or getattr(user, "time_zone", None) or "Asia/Jakarta"
    local = value.astimezone(ZoneInfo(tz_name))
    abbr = ZONE_ABBREVIATIONS.get(tz_name)
    suffix = f"{abbr} ({_offset(local)})" if abbr else _offset(local)
    return format_html(
        '<time datetime="{}">{} {}</time>', value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), formats.date_format(local, fmt), suffix
    )


@register.filter
def fact(notification: Any, key: str) -> Any:
    """One fact sent to the mission (`notification.facts[key]`), "" when absent."""
    facts = getattr(notification, "facts", None) or {}
    value = facts.get(key, "") if isinstance(facts, dict) else ""
    if isinstance(value, dict):
        return value.get("name") or value.get("name_en") or ", ".join(str(v) for v in value.values() if v)
    return value


@register.simple_tag
def place_held(notification: Any) -> str:
    """Where the person is held, as sent to the mission (facts `place`)."""
    facts = getattr(notification, "facts", None) or {}
    place = facts.get("place") if isinstance(facts, dict) else None
    if not isinstance(place, dict):
        return str(place or "")
    centre = place.get("detention_centre")
    if isinstance(centre, dict) and centre:
        en = (get_language() or "id").startswith("en")
        return str((centre.get("name_en") if en else centre.get("name_id")) or centre.get("name_id") or centre.get("name_en") or "")
    return str(place.get("description") or "")


@register.simple_tag
def person_name(notification: Any) -> str:
    """The person's name as sent to the mission (facts), else the document name."""
    facts = getattr(notification, "facts", None) or {}
    person = facts.get("person") if isinstance(facts, dict) else None
    if isinstance(person, dict):
        name = person.get("document_name") or f"{person.get('surname', '')} {person.get('given_names', '')}".strip()
        if name:
            return str(name)
    person_obj = getattr(notification, "person", None)
    return f"{getattr(person_obj, 'surname', '')} {getattr(person_obj, 'given_names', '')}".strip()
