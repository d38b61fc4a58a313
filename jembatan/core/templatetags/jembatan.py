"""Template helpers: times that always carry their zone, relative deadlines."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django import template
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from jembatan.core.zones import ZONE_ABBREVIATIONS

register = template.Library()


def zone_of(context: template.Context, zone: str | None) -> str:
    if zone:
        return zone
    user = context.get("user")
    return getattr(user, "time_zone", None) or "Asia/Jakarta"


@register.simple_tag(takes_context=True)
def zoned(context: template.Context, value: dt.datetime | None, zone: str | None = None, fmt: str = "SHORT_DATETIME_FORMAT") -> str:
    """Render `value` in `zone` (default: the viewer's) with its abbreviation, inside <time>.

    "27 Nov 2026, 14.30 WIB" (id) / "27 Nov 2026, 14:30 WIB" (en). A time outside
    Indonesia's zones gets its UTC offset instead.
    """
    if value is None:
        return "—"
    tz_name = zone_of(context, zone)
    local = value.astimezone(ZoneInfo(tz_name))
    abbr = ZONE_ABBREVIATIONS.get(tz_name) or local.strftime("UTC%z")
    text = f"{formats.date_format(local, fmt)} {abbr}"
    return format_html('<time datetime="{}">{}</time>', value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), text)


@register.simple_tag
def relative_to_now(value: dt.datetime | None) -> str:
    """'5 jam lagi' / 'due in 5 h' or 'Terlambat 2 jam' / 'overdue by 2 h' (UX.md §2.3)."""
    if value is None:
        return ""
    delta = value - timezone.now()
    overdue = delta.total_seconds() < 0
    seconds = abs(int(delta.total_seconds()))
    days, rem = divmod(seconds, 86400)
    hours, rem = divmod(rem, 3600)
    minutes = rem // 60
    if seconds >= 48 * 3600:
        span = _("%(d)d days %(h)d h") % {"d": days, "h": hours}
    elif seconds >= 3600:
        span = _("%(h)d h %(m)d min") % {"h": days * 24 + hours, "m": minutes}
    else:
        span = _("%(m)d min") % {"m": minutes}
    return _("overdue by %(span)s") % {"span": span} if overdue else _("due in %(span)s") % {"span": span}


@register.simple_tag(takes_context=True)
def extension_sections(context: template.Context, setting_name: str, obj: object) -> str:
    """Sections that higher apps add to a lower app's page, without the lower app importing
    them (DESIGN.md: imports run one way). `setting_name` names a list of dotted paths of
    callables `(request, obj) -> str` returning safe HTML (usually `render_to_string`) or
    "" when they have nothing for this user. The callables do their own scoping and audit."""
    from django.conf import settings
    from django.utils.module_loading import import_string
    from django.utils.safestring import mark_safe

    request = context.get("request")
    parts = [import_string(path)(request, obj) for path in getattr(settings, setting_name, [])]
    return mark_safe("".join(part for part in parts if part))  # noqa: S308 - callables return rendered templates
