"""Template helpers of the notification pages: status tags, deadlines, hours, bars."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _

from jembatan.core.templatetags.jembatan import relative_to_now, zoned

register = template.Library()

_STATUS_CLASS = {
    "to_check": "text-bg-warning",
    "dispatching": "text-bg-info",
    "dispatched": "text-bg-primary",
    "acknowledged": "text-bg-success",
    "cancelled": "text-bg-secondary",
    "requested": "text-bg-warning",
    "scheduled": "text-bg-primary",
    "completed": "text-bg-success",
    "refused": "text-bg-danger",
    "declined_by_detainee": "text-bg-secondary",
    "pending": "text-bg-warning",
    "sent": "text-bg-success",
    "retrying": "text-bg-warning",
    "failed": "text-bg-danger",
}


@register.simple_tag
def status_tag(obj: Any, field: str = "status") -> str:
    """A text tag (the words carry the meaning; the colour repeats it)."""
    value = getattr(obj, field)
    label = getattr(obj, f"get_{field}_display")()
    return format_html('<span class="badge {}">{}</span>', _STATUS_CLASS.get(value, "text-bg-light"), label)


@register.filter
def language_name(code: str) -> str:
    """ "Jepang (ja)" / "Japanese (ja)" for an ISO 639 code; the bare code when Django does not know it."""
    if not code:
        return ""
    try:
        info = get_language_info(str(code))
    except KeyError:
        return str(code)
    return f"{info['name_translated']} ({code})"


@register.filter
def iso_datetime(value: Any) -> dt.datetime | None:
    """A datetime stored as ISO text in JSON ("2026-07-31T10:06:00Z") as an aware datetime, for `zoned`."""
    if isinstance(value, dt.datetime):
        return value
    try:
        parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=dt.UTC)


@register.filter
def is_past(value: dt.datetime | None) -> bool:
    return value is not None and value < timezone.now()


@register.simple_tag(takes_context=True)
def deadline(context: template.Context, due: dt.datetime | None, done: bool = False, zone: str | None = None) -> str:
    """Relative first, absolute under it (UX.md §2.3); "Overdue" with an icon and a tag."""
    if due is None:
        return "—"
    absolute = zoned(context, due, zone)
    if done:
        return format_html('<span class="small">{} {}</span>', _("Deadline"), absolute)
    overdue = due < timezone.now()
    soon = not overdue and due < timezone.now() + dt.timedelta(hours=6)
    tag = ""
    if overdue:
        tag = format_html(' <span class="badge text-bg-danger">{}</span>', _("Overdue"))
    elif soon:
        tag = format_html(' <span class="badge text-bg-warning">{}</span>', _("Soon"))
    icon = mark_safe('<i class="bi bi-exclamation-triangle-fill" aria-hidden="true"></i> ') if overdue else ""
    return format_html(
        '<span class="{}">{}{}</span>{}<br><span class="small">{} {}</span>',
        "text-danger fw-semibold" if overdue else "fw-semibold",
        icon,
        relative_to_now(due),
        tag,
        _("Deadline"),
        absolute,
    )


@register.filter
def hours(value: float | None) -> str:
    """Hours with one decimal in the active language ("18,5" / "18.5"); "—" for none."""
    if value is None:
        return "—"
    return formats.number_format(round(value, 1), decimal_pos=1, use_l10n=True)


@register.filter
def percent(value: float | None) -> str:
    if value is None:
        return "—"
    return formats.number_format(round(value * 100, 1), decimal_pos=1, use_l10n=True) + "%"


@register.simple_tag
def bar_width(value: float | int | None, maximum: float | int | None) -> str:
    """Width of a bar in percent of the largest value (at least 1 when non-zero)."""
    if not value or not maximum:
        return "0"
    return f"{max(1.0, 100 * float(value) / float(maximum)):.1f}"


@register.simple_tag
def month_label(month: str) -> str:
    """'2026-11' → 'Nov 2026' in the active language."""
    year, number = int(month[:4]), int(month[5:7])
    return formats.date_format(dt.date(year, number, 1), "M Y")


@register.inclusion_tag("notifications/includes/bar_chart.html")
def bar_chart(title: str, rows: list[tuple[str, Any, str]], chart_id: str) -> dict[str, Any]:
    """A horizontal bar chart as server-rendered SVG (no script, no inline style):
    `rows` are (label, value, shown text). Colour is not the only encoding: each bar is
    labelled with its number."""
    values = [float(v) for _label, v, _text in rows if v]
    top = max(values, default=0.0)
    bars = []
    for index, (label, value, text) in enumerate(rows):
        width = 0.0 if not value or not top else max(2.0, 300.0 * float(value) / top)
        bars.append(
            {"label": label, "text": text, "width": f"{width:.1f}", "y": index * 28, "ty": index * 28 + 15, "tx": f"{185 + width:.1f}"}
        )
    return {"title": title, "bars": bars, "height": max(28, len(rows) * 28), "chart_id": chart_id}
