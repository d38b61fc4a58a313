"""Template helpers of the reference pages: confidence tags, sources, validity, both names."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

from django import template
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from jembatan.reference.forms import CONFIDENCE_SHORT
from jembatan.reference.models import Confidence

register = template.Library()

_TAG_CLASSES = {
    Confidence.HIGH.value: "bg-success-subtle text-success-emphasis border border-success-subtle",
    Confidence.MEDIUM.value: "bg-warning-subtle text-warning-emphasis border border-warning-subtle",
    Confidence.LOW.value: "bg-danger-subtle text-danger-emphasis border border-danger-subtle",
}


@register.filter
def confidence_tag(value: str) -> SafeString:
    """A text tag: "Confidence: Low". The colour only repeats what the words say."""
    label = CONFIDENCE_SHORT.get(value, value)
    return format_html(
        '<span class="badge {}"><span class="visually-hidden">{} </span>{}</span>',
        _TAG_CLASSES.get(value, "text-bg-light border"),
        _("Confidence:"),
        label,
    )


def source_parts(source: str) -> list[tuple[str, str | None]]:
    """Split a `source` field (" ; "-separated) into (text, url-or-None); only http(s) links."""
    parts = []
    for raw in (source or "").split(" ; "):
        text = raw.strip()
        if not text:
            continue
        url = text.split()[0]
        scheme = urlsplit(url).scheme.lower()
        parts.append((text, url if scheme in ("http", "https") and urlsplit(url).netloc else None))
    return parts


@register.simple_tag
def source_list(source: str) -> SafeString:
    """The sources of a row, folded in a <details> so the table stays narrow."""
    parts = source_parts(source)
    if not parts:
        return format_html("<span>{}</span>", _("Not stated"))
    items = format_html_join(
        "",
        "<li>{}</li>",
        ((format_html('<a href="{}" rel="noopener noreferrer">{}</a>', url, text) if url else text,) for text, url in parts),
    )
    summary = ngettext("%(count)d source", "%(count)d sources", len(parts)) % {"count": len(parts)}
    return format_html(
        '<details class="jb-sources"><summary>{}</summary><ul class="small mb-0 ps-3 text-break">{}</ul></details>', summary, items
    )


def _date(value: dt.date) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


@register.simple_tag
def validity(row: Any) -> SafeString:
    """ "from 17 Oct 2024", "until 16 Oct 2024", "no end date"; a tag when not in force today."""
    start, end = row.valid_from, row.valid_to
    if start and end:
        text = _("%(start)s to %(end)s") % {"start": _date(start), "end": _date(end)}
    elif start:
        text = _("from %(start)s") % {"start": _date(start)}
    elif end:
        text = _("until %(end)s") % {"end": _date(end)}
    else:
        text = _("no end date")
    today = timezone.localdate()
    if end and end < today:
        return format_html('{}<br><span class="badge text-bg-secondary">{}</span>', text, _("No longer in force"))
    if start and start > today:
        return format_html('{}<br><span class="badge text-bg-secondary">{}</span>', text, _("Not yet in force"))
    return format_html("{}", text)


@register.simple_tag
def both_names(row: Any, id_field: str = "name_id", en_field: str = "name_en") -> SafeString:
    """The name in the active language, and the other language's name under it (with `lang`)."""
    name_id, name_en = getattr(row, id_field), getattr(row, en_field)
    english = (get_language() or "id").startswith("en")
    first, first_lang, second, second_lang = (name_en, "en", name_id, "id") if english else (name_id, "id", name_en, "en")
    if first == second:
        return format_html("{}", first)
    return format_html(
        '<span lang="{}">{}</span><br><span class="small text-body-secondary" lang="{}">{}</span>', first_lang, first, second_lang, second
    )
