"""Template helpers of the registry pages: the immunity tag and the card's status, both as
text first (colour only repeats the words, UX.md §1.4)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import formats
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from jembatan.missions.choices import ImmunityLevel

register = template.Library()

_IMMUNITY_CLASSES = {
    ImmunityLevel.FULL: "text-bg-danger",
    ImmunityLevel.OFFICIAL_ACTS: "text-bg-warning",
    ImmunityLevel.NONE: "text-bg-secondary",
    ImmunityLevel.UNKNOWN: "text-bg-light border border-dark-subtle",
}


def _date(value: dt.date) -> SafeString:
    return format_html('<time datetime="{}">{}</time>', value.isoformat(), formats.date_format(value, "SHORT_DATE_FORMAT"))


@register.simple_tag
def immunity_tag(level: str, short: bool = False) -> SafeString:
    """The immunity level as a tag: its words, with a colour that repeats them. `short`
    drops the explanation in brackets ("Full immunity"), for tables; the full label is
    then the tag's title."""
    try:
        member = ImmunityLevel(level)
    except ValueError:
        member = ImmunityLevel.UNKNOWN
    label = str(member.label)
    if short and " (" in label:
        return format_html(
            '<span class="badge text-wrap text-start {}" title="{}">{}</span>', _IMMUNITY_CLASSES[member], label, label.split(" (", 1)[0]
        )
    return format_html('<span class="badge text-wrap text-start {}">{}</span>', _IMMUNITY_CLASSES[member], label)


@register.simple_tag
def card_status(person: object, on: dt.date) -> SafeString | str:
    """ "Valid until 30 Jun 2028", "Expired on 1 Jan 2025", "Not valid until …" or "No card"."""
    if not getattr(person, "card_number", ""):
        return _("No card recorded")
    valid_from = getattr(person, "card_valid_from", None)
    valid_until = getattr(person, "card_valid_until", None)
    if valid_from and on < valid_from:
        return format_html("{} {}", _("Not valid until"), _date(valid_from))
    if valid_until and on > valid_until:
        return format_html("<strong>{}</strong> {}", _("Expired on"), _date(valid_until))
    if valid_until:
        return format_html("{} {}", _("Valid until"), _date(valid_until))
    return _("Valid, no end date recorded")


@register.simple_tag
def native_name(person: object) -> SafeString | str:
    """The native-script name as written, isolated in <bdi> with its language when known."""
    name = getattr(person, "native_name", "")
    if not name:
        return ""
    lang = getattr(person, "native_name_lang", "")
    if lang:
        return format_html('<bdi lang="{}">{}</bdi>', lang, name)
    return format_html("<bdi>{}</bdi>", name)


@register.filter
def mark_invalid(bound_field: Any) -> Any:
    """Set `aria-invalid` on every box of a field that has errors (and only then)."""
    attrs = getattr(getattr(getattr(bound_field, "field", None), "widget", None), "attrs", None)
    if attrs is None:
        return bound_field
    if bound_field.errors:
        attrs["aria-invalid"] = "true"
    else:
        attrs.pop("aria-invalid", None)
    return bound_field
