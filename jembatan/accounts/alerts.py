"""Alerts to users: `alert_send` stores them and queues their e-mail in the caller's
transaction; `alert_list`/`alert_mark_read` serve the alerts page."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone, translation

from jembatan.accounts.models import Agency, Alert, User
from jembatan.core.exceptions import NotFound
from jembatan.core.jobs import enqueue, job


def users_with_capability(codename: str, *, agency: Agency | None = None) -> list[User]:
    """Active users whose roles grant `codename` (optionally only of `agency`)."""
    users = User.objects.filter(is_active=True).select_related("agency")
    if agency is not None:
        users = users.filter(agency=agency)
    return [u for u in users if u.has_capability(codename)]


def alert_send(
    *,
    recipients: Iterable[User],
    title: str,
    body: str = "",
    url: str = "",
    level: str = Alert.Level.INFO,
    dedupe_key: str = "",
    email: bool = True,
) -> list[Alert]:
    """Alert each recipient once (per `dedupe_key` when given) and queue an e-mail to those
    with an address. Runs in the caller's transaction: no alert without the fact behind it.

    `title` and `body` are stored as given: pass text already in the recipients' shared
    language, or bilingual text.
    """
    created: list[Alert] = []
    for recipient in recipients:
        if dedupe_key and Alert.objects.filter(recipient=recipient, dedupe_key=dedupe_key).exists():
            continue
        try:
            with transaction.atomic():
                alert = Alert.objects.create(
                    recipient=recipient, title=title[:200], body=body, url=url[:300], level=level, dedupe_key=dedupe_key[:200]
                )
        except IntegrityError:
            continue  # a concurrent sender stored the same key first
        created.append(alert)
        if email and recipient.email:
            enqueue(alert_email_job, alert_id=alert.pk)
    return created


@job(queue="short", retries=5, backoff_seconds=60)
def alert_email_job(alert_id: int) -> str:
    """E-mail one alert. Idempotent: an alert already e-mailed is not sent again; a failure
    raises so the worker retries with back-off."""
    alert = Alert.objects.select_related("recipient").get(pk=alert_id)
    if alert.emailed_at is not None:
        return "already sent"
    site = getattr(settings, "SITE_URL", "").rstrip("/")
    with translation.override(alert.recipient.preferred_language or settings.LANGUAGE_CODE):
        link = f"\n\n{site}{alert.url}" if alert.url else ""
        send_mail(f"[Jembatan] {alert.title}", f"{alert.body}{link}", None, [alert.recipient.email])
    Alert.objects.filter(pk=alert.pk, emailed_at__isnull=True).update(emailed_at=timezone.now())
    return "sent"


def alert_list(*, user: Any) -> QuerySet[Alert]:
    """The signed-in user's own alerts, unread first, newest first."""
    return Alert.objects.filter(recipient=user).order_by("read_at", "-created_at")


def alert_unread_count(*, user: Any) -> int:
    if not getattr(user, "is_authenticated", False) or not hasattr(user, "alerts"):
        return 0
    return Alert.objects.filter(recipient=user, read_at__isnull=True).count()


def alert_mark_read(*, user: Any, alert_id: int | None = None) -> int:
    """Mark one of the user's alerts (or all, when `alert_id` is None) as read."""
    alerts = Alert.objects.filter(recipient=user, read_at__isnull=True)
    if alert_id is not None:
        if not Alert.objects.filter(recipient=user, pk=alert_id).exists():
            raise NotFound()
        alerts = alerts.filter(pk=alert_id)
    return alerts.update(read_at=timezone.now())
