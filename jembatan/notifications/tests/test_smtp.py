"""E-mail delivery through a real SMTP server (aiosmtpd): end to end from dispatch through a
worker process, and a refusal retried with back-off."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from jembatan.accounts.models import Agency
from jembatan.accounts.roles import Role
from jembatan.accounts.tests.factories import AgencyFactory
from jembatan.core.tests.test_jobs import make_due_now, run_batch
from jembatan.notifications import dispatch
from jembatan.notifications.models import DeliveryChannel, DeliveryStatus, NotificationDelivery
from jembatan.notifications.tests.factories import MissionContactFactory, NotificationFactory
from jembatan.notifications.tests.smtp import message_id, smtp_server_fixture, start_smtp_worker_fixture  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

JOB_PATH = "jembatan.notifications.dispatch.delivery_send_job"


@pytest.fixture
def consular(make_user):
    ministry = AgencyFactory(code="kemlu", kind=Agency.Kind.FOREIGN_MINISTRY)
    return make_user(roles=[Role.CONSULAR_OFFICER], agency=ministry)


def test_dispatch_to_worker_to_smtp_server_with_the_pdf_attached(consular, smtp_server, start_smtp_worker):
    # Given a notification to check and two registered addresses of the mission
    n = NotificationFactory()
    addresses = ["consul@mission.example", "duty@mission.example"]
    for address in addresses:
        MissionContactFactory(mission=n.mission, email=address)

    # When the consular officer dispatches it and a worker process runs what is due
    dispatch.notification_dispatch(actor=consular, notification=n)
    worker, log = start_smtp_worker("smtp-e2e", smtp_server.port, batch=True)
    assert worker.wait(timeout=120) == 0, log.read_text()[-3000:]

    # Then each address received the message once, bilingual, with the notice attached
    n.refresh_from_db()
    deliveries = {d.recipient: d for d in n.deliveries.filter(channel=DeliveryChannel.EMAIL)}
    assert set(deliveries) == set(addresses)
    for address in addresses:
        (message,) = smtp_server.collector.to(address)
        delivery = deliveries[address]
        assert delivery.status == DeliveryStatus.SENT
        assert delivery.sent_at is not None
        assert delivery.last_error == ""
        assert message_id(message) == delivery.message_id
        assert message["To"] == address
        assert n.reference in message["Subject"]
        assert "Notifikasi Kekonsuleran / Consular Notification" in message["Subject"]
        body = message.get_body(preferencelist=("plain",)).get_content()
        assert "Yth." in body
        assert "The Ministry of Foreign Affairs of the Republic of Indonesia" in body
        (attachment,) = list(message.iter_attachments())
        assert attachment.get_content_type() == "application/pdf"
        assert attachment.get_filename() == f"{n.reference}.pdf"
        content = attachment.get_content()
        assert content.startswith(b"%PDF-")
        assert hashlib.sha256(content).hexdigest() == n.document_sha256
    assert len(smtp_server.messages) == 2


def test_refused_by_the_relay_retries_with_backoff_shows_the_error_then_succeeds(consular, smtp_server, settings, login):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS, settings.EMAIL_TIMEOUT = "127.0.0.1", smtp_server.port, False, 5
    settings.JOBS_PERIODIC = {}
    n = NotificationFactory()
    contact = MissionContactFactory(mission=n.mission)
    dispatch.notification_dispatch(actor=consular, notification=n)
    delivery = n.deliveries.get(channel=DeliveryChannel.EMAIL)
    task = DBTaskResult.objects.get(task_path=JOB_PATH)

    # The relay refuses the first attempt
    smtp_server.refuse_next(1)
    before = timezone.now()
    run_batch("worker-refused")

    delivery.refresh_from_db()
    task.refresh_from_db()
    assert smtp_server.collector.refused == 1
    assert smtp_server.messages == []
    assert delivery.status == DeliveryStatus.RETRYING
    assert delivery.attempts == 1
    assert "451" in delivery.last_error
    assert "try again later" in delivery.last_error
    assert task.status == TaskResultStatus.READY  # the same task, re-armed ...
    assert task.run_after >= before + dt.timedelta(seconds=60)  # ... after the back-off

    # The consular desk sees the failure and its reason on the notification
    page = login(consular).get(reverse("notifications:detail", args=[n.pk]))
    assert page.status_code == 200
    assert "Mail relay busy, try again later" in page.content.decode()

    # A worker running before the back-off has passed does nothing
    run_batch("worker-early")
    assert smtp_server.messages == []

    # After the back-off, the retry is accepted
    make_due_now(str(task.pk))
    run_batch("worker-retry")
    delivery.refresh_from_db()
    task.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.attempts == 2
    assert delivery.last_error == ""
    assert task.status == TaskResultStatus.SUCCESSFUL
    assert task.worker_ids == ["worker-refused", "worker-retry"]
    (message,) = smtp_server.collector.to(contact.email)
    assert message_id(message) == delivery.message_id
    assert NotificationDelivery.objects.filter(status=DeliveryStatus.SENT).count() == 2  # e-mail + portal
