"""Template helpers of the case pages: status tags, timeline titles, times in the place's
zone (with the viewer's when it differs), rupiah amounts, immunity registry details."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import formats, translation
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from jembatan.cases.lifecycle import LIFECYCLES, CaseStatus
from jembatan.cases.models import Case, CaseEvent
from jembatan.core.templatetags.jembatan import zoned
from jembatan.missions.choices import ImmunityLevel

register = template.Library()


def _status_label(status: str) -> str:
    return str(CaseStatus(status).label) if status in CaseStatus.values else status


@register.simple_tag
def status_tag(case: Case) -> SafeString:
    """The status as a text tag (UX.md §1.4: the words carry the meaning, not the colour)."""
    final = LIFECYCLES[case.kind].is_final(case.status) if case.kind in LIFECYCLES else False
    css = "text-bg-secondary" if final else "text-bg-light border border-dark-subtle"
    return format_html('<span class="badge {}">{}</span>', css, _status_label(case.status))


@register.simple_tag
def status_label(status: str) -> str:
    return _status_label(status)


@register.simple_tag
def event_title(event: CaseEvent) -> str:
    """ "Status changed: Detained → Released", "Transfer between places of detention"…"""
    label = event.get_kind_display()
    if event.from_status and event.to_status and event.from_status != event.to_status:
        return f"{label}: {_status_label(event.from_status)} → {_status_label(event.to_status)}"
    return str(label)


@register.simple_tag
def actor_name(event: CaseEvent) -> str:
    """Who wrote the entry: the user's name at the time, or the system/API client."""
    full_name: str = event.actor.full_name if event.actor is not None else ""
    if full_name:
        return full_name
    if event.actor_label == "system":
        return _("the system")
    return event.actor_label


@register.simple_tag(takes_context=True)
def place_time(context: template.Context, value: dt.datetime | None, zone: str) -> SafeString | str:
    """A fact's time in the zone of the place, and in the viewer's zone when it differs:
    "16.30 WITA (15.30 WIB)" (UX.md §2.3)."""
    if value is None:
        return "—"
    shown = zoned(context, value, zone)
    user: Any = context.get("user")
    viewer: str = getattr(user, "time_zone", None) or "Asia/Jakarta"
    if viewer == zone:
        return shown
    return format_html('{} <span class="small text-body-secondary">({})</span>', shown, zoned(context, value, viewer))


@register.simple_tag
def day(value: dt.date | None) -> SafeString | str:
    if value is None:
        return "—"
    return format_html('<time datetime="{}">{}</time>', value.isoformat(), formats.date_format(value, "DATE_FORMAT"))


@register.simple_tag
def rupiah(amount: Any) -> str:
    """ "Rp15.000.000" in Indonesian, "IDR 15,000,000" in English (UX.md §2.4)."""
    if amount in (None, ""):
        return "—"
    number = formats.number_format(amount, decimal_pos=0, force_grouping=True)
    if (translation.get_language() or "id").startswith("en"):
        return f"IDR {number}"
    return f"Rp{number}"


@register.simple_tag
def immunity_label(level: str) -> str:
    return str(ImmunityLevel(level).label) if level in ImmunityLevel.values else level


@register.simple_tag
def mission_name(match: dict[str, Any]) -> str:
    """The matched person's mission in the active language (stored in both)."""
    if (translation.get_language() or "id").startswith("en"):
        return match.get("mission_name_en") or match.get("mission_name") or ""
    return match.get("mission_name_id") or match.get("mission_name") or ""


@register.simple_tag
def match_card(match: dict[str, Any]) -> SafeString | str:
    """The identity card of a registry match, saying plainly when it is not valid."""
    number = match.get("card_number") or ""
    until = match.get("card_valid_until")
    until_text = formats.date_format(dt.date.fromisoformat(until), "DATE_FORMAT") if until else ""
    if not number:
        return _("No identity card recorded")
    if match.get("card_valid"):
        if until_text:
            return format_html('<span class="jb-id">{}</span>, {}', number, _("valid until %(date)s") % {"date": until_text})
        return format_html('<span class="jb-id">{}</span>, {}', number, _("valid"))
    if until_text:
        return format_html(
            '<span class="jb-id">{}</span>, <strong>{}</strong>', number, _("NOT valid: expired on %(date)s") % {"date": until_text}
        )
    return format_html('<span class="jb-id">{}</span>, <strong>{}</strong>', number, _("NOT valid"))


@register.simple_tag
def matched_on(match: dict[str, Any]) -> str:
    if match.get("matched_on") == "document":
        return _("Document number and issuing state")
    return _("Name and date of birth")


@register.simple_tag
def category_label(match: dict[str, Any]) -> str:
    """What the matched person is accredited as (missions registry categories)."""
    value = match.get("category") or ""
    try:
        from jembatan.missions.models import Category
    except ImportError:
        return value
    return str(Category(value).label) if value in Category.values else value


@register.simple_tag
def widget_kind(bound_field: Any) -> str:
    """Which include renders a field: "date" (three inputs), "radio" or "other"."""
    from django import forms

    from jembatan.cases.forms import DatePartsWidget

    widget = getattr(getattr(bound_field, "field", None), "widget", None)
    if isinstance(widget, DatePartsWidget):
        return "date"
    if isinstance(widget, forms.RadioSelect):
        return "radio"
    return "other"


@register.filter
def recorded_later(event: CaseEvent) -> bool:
    """True when an entry was written down more than a minute after it happened (a late
    report): the page then shows both times."""
    return abs((event.recorded_at - event.occurred_at).total_seconds()) > 60
