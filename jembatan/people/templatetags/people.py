"""Template helpers for people: partial birth dates and names in their own script."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import formats
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag
def birth_date(person: object) -> SafeString | str:
    """ "12 Agu 1974", "Mar 1985" or "1985" inside <time>; "" when unknown (UX.md §2.3)."""
    year = getattr(person, "birth_year", None)
    month = getattr(person, "birth_month", None)
    day = getattr(person, "birth_day", None)
    if not year:
        return ""
    if month and day:
        try:
            value = dt.date(year, month, day)
        except ValueError:
            return f"{year:04d}"
        return format_html('<time datetime="{}">{}</time>', value.isoformat(), formats.date_format(value, "SHORT_DATE_FORMAT"))
    if month:
        value = dt.date(year, month, 1)
        return format_html('<time datetime="{}">{}</time>', f"{year:04d}-{month:02d}", formats.date_format(value, "M Y"))
    return format_html('<time datetime="{}">{}</time>', f"{year:04d}", f"{year:04d}")


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
