"""The bilingual notification document (Indonesian first, English after), rendered to PDF
with WeasyPrint from `templates/notifications/document.html`.

The document shows only the frozen `Notification.facts` (see `dispatch.notification_facts`),
never the live case, so what was sent can be reproduced and its SHA-256 checked. WeasyPrint
would fetch any URL the HTML names, and names and facts are user input (STACK.md §1.4 item
11): the fetcher refuses every URL, and the stylesheet is inlined.

Fonts: the Noto families installed by `make system-deps` (fonts-noto-core, fonts-noto-cjk)
cover Latin, Arabic, CJK and the other scripts a name may be written in; each block carries
its `lang` so the right glyphs and hyphenation are chosen.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from jembatan.notifications import labels
from jembatan.notifications.models import Notification


class RefusingURLFetcher(URLFetcher):
    """Fetches nothing: the document is self-contained (GHSA-35jj-wx47-4w8r)."""

    def fetch(self, url: str, headers: Any = None) -> Any:
        raise ValueError(f"The notification document may not load {url[:80]}")


def _parse(value: str) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def _when(local: dt.datetime | None, zone: str, lang: str) -> str:
    if local is None:
        return ""
    if lang == "id":
        return f"{labels.long_date(local.date(), 'id')} pukul {local:%H.%M} {zone}"
    return f"{labels.long_date(local.date(), 'en')} at {local:%H:%M} {zone}"


def document_context(notification: Notification) -> dict[str, Any]:
    """What the template shows: the frozen facts and their wording in both languages."""
    from jembatan.notifications.dispatch import notification_facts

    facts = notification.facts or notification_facts(notification)
    event = facts["event"]
    local, utc = _parse(event["at_local"]), _parse(event["at_utc"])
    dispatched = _parse(facts.get("dispatched_at_utc", "")) or timezone.now()
    issued_on = dispatched.astimezone(dt.timezone(dt.timedelta(hours=7))).date()  # the ministry is in Jakarta (WIB)
    consent = facts["consent"]
    informed_local = _parse(consent.get("informed_at_local", ""))
    document = facts.get("identity_document")
    return {
        "facts": facts,
        "ministry": labels.MINISTRY,
        "directorate_general": labels.DIRECTORATE_GENERAL,
        "address": labels.MINISTRY_ADDRESS,
        "title": labels.TITLE,
        "prevailing": labels.PREVAILING_TEXT,
        "date_id": f"{labels.MINISTRY_CITY}, {labels.long_date(issued_on, 'id')}",
        "date_en": f"{labels.MINISTRY_CITY}, {labels.long_date(issued_on, 'en')}",
        "event_when_id": _when(local, event["zone"], "id"),
        "event_when_en": _when(local, event["zone"], "en"),
        "event_utc": f"{utc:%Y-%m-%d %H:%M} UTC" if utc else "",
        "informed_id": _when(informed_local, event["zone"], "id"),
        "informed_en": _when(informed_local, event["zone"], "en"),
        "document_expiry_id": labels.long_date(dt.date.fromisoformat(document["expires_on"]), "id")
        if document and document.get("expires_on")
        else "",
        "document_expiry_en": labels.long_date(dt.date.fromisoformat(document["expires_on"]), "en")
        if document and document.get("expires_on")
        else "",
    }


def notification_html(notification: Notification) -> str:
    return render_to_string("notifications/document.html", document_context(notification))


def notification_pdf(notification: Notification) -> bytes:
    """The notification document as PDF bytes (one or two A4 pages, about 0.3 s)."""
    html = notification_html(notification)
    pdf = HTML(string=html, base_url=None, url_fetcher=RefusingURLFetcher()).write_pdf()
    assert pdf is not None
    return pdf
