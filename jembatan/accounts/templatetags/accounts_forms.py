"""Form rendering helpers for the accounts pages and the allauth pages we restyle."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms, template

register = template.Library()


@register.filter
def styled(bound_field: Any) -> Any:
    """Give a bound field's widget Bootstrap classes and the ARIA links of UX.md §2.6.

    Use with the shared include: `{% include "includes/field.html" with field=form.x|styled %}`.
    The hint and error ids match the ones that include renders.
    """
    if not isinstance(bound_field, forms.BoundField):
        return bound_field
    widget = bound_field.field.widget
    attrs = widget.attrs
    if isinstance(widget, forms.CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget, forms.Select) and not isinstance(widget, forms.RadioSelect):
        css = "form-select"
    else:
        css = "form-control"
    if css not in attrs.get("class", "").split():
        attrs["class"] = f"{attrs.get('class', '')} {css}".strip()
    described = []
    auto_id = bound_field.auto_id
    if bound_field.help_text:
        described.append(f"{auto_id}-hint")
    if bound_field.errors:
        described.append(f"{auto_id}-error")
        attrs["aria-invalid"] = "true"
    else:
        attrs.pop("aria-invalid", None)
    if described:
        attrs["aria-describedby"] = " ".join(described)
    else:
        attrs.pop("aria-describedby", None)
    # Labels are always visible (UX.md §2.6); a placeholder repeating the label only adds noise.
    attrs.pop("placeholder", None)
    return bound_field


@register.filter
def minutes(value: Any) -> int:
    """A timedelta (or a number of hours) as whole minutes, for "wait 30 minutes"."""
    if isinstance(value, dt.timedelta):
        return int(value.total_seconds() // 60)
    try:
        return int(float(value) * 60)
    except (TypeError, ValueError):
        return 0


@register.filter(is_safe=True)
def squash(value: Any) -> str:
    """Collapse runs of whitespace (allauth's block contents are indented) into one space."""
    return " ".join(str(value).split())
