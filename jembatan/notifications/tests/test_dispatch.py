"""Dispatch, delivery (in process), acknowledgement and cancellation of a notification."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult

from jembatan.accounts.models import Agency, Alert
from jembatan.accounts.roles import Role
from jembatan.accounts.tests.factories import AgencyFactory
from jembatan.audit.events import AuditAction
from jembatan.audit.models import AuditEvent
from jembatan.cases.models import CaseEvent
from jembatan.cases.tests.factories import CaseFactory
from jembatan.core.exceptions import ApplicationError, Conflict, NotFound, PermissionDenied
from jembatan.notifications import dispatch
from jembatan.notifications.models import DeliveryChannel, DeliveryStatus, NotificationDelivery, NotificationStatus, Reason
from jembatan.notifications.tests.factories import MissionContactFactory, NotificationFactory, RightsAdviceFactory, mission_agency
from jembatan.people.tests.factories import PersonFactory
from jembatan.reference.models import LegalBasis

pytestmark = pytest.mark.django_db

JOB_PATH = "jembatan.notifications.dispatch.delivery_send_job"
# Words that would tell a mission its national sought protection or was trafficked.
FORBIDDEN = ("refugee", "pengungsi", "asylum", "suaka", "trafficking", "perdagangan orang", "protected_person", "stateless", "protection")


@pytest.fixture
def consular(make_user):
    ministry = AgencyFactory(code="kemlu", kind=Agency.Kind.FOREIGN_MINISTRY, name_id="Kemlu", name_en="MFA")
    return make_user(roles=[Role.CONSULAR_OFFICER], agency=ministry, full_name="Siti Rahma")


def mission_officer(make_user, mission, **kwargs):
    return make_user(roles=[Role.MISSION_OFFICER], agency=mission_agency(mission), **kwargs)


def queued_delivery_ids() -> list[int]:
    return sorted(r.args_kwargs["kwargs"]["delivery_id"] for r in DBTaskResult.objects.filter(task_path=JOB_PATH))


def test_dispatch_freezes_facts_renders_the_pdf_and_queues_one_email_per_registered_address(consular, make_user):
    n = NotificationFactory()
    a = MissionContactFactory(mission=n.mission, email="a@mission.example")
    b = MissionContactFactory(mission=n.mission, email="b@mission.example")
    MissionContactFactory(mission=n.mission, email="off@mission.example", is_active=False)
    MissionContactFactory(mission=n.mission, email="press@mission.example", receives_notifications=False)
    MissionContactFactory(email="other@elsewhere.example")  # another mission's
    reader = mission_officer(make_user, n.mission)
    stranger = make_user(roles=[Role.MISSION_OFFICER], agency=AgencyFactory(foreign_mission=True))

    result = dispatch.notification_dispatch(actor=consular, notification=n)

    n.refresh_from_db()
    assert result.pk == n.pk
    assert n.status == NotificationStatus.DISPATCHED
    assert n.dispatched_by == consular
    assert n.dispatched_at is not None
    assert not n.automatic
    assert n.facts["reference"] == n.reference
    assert n.facts["contact"]["officer"] == "Siti Rahma"
    stored = n.document.read()
    assert stored.startswith(b"%PDF-")
    assert hashlib.sha256(stored).hexdigest() == n.document_sha256

    deliveries = list(n.deliveries.order_by("channel", "recipient"))
    assert [(d.channel, d.recipient, d.status) for d in deliveries] == [
        (DeliveryChannel.EMAIL, a.email, DeliveryStatus.PENDING),
        (DeliveryChannel.EMAIL, b.email, DeliveryStatus.PENDING),
        (DeliveryChannel.PORTAL, f"mission:{n.mission_id}", DeliveryStatus.SENT),
    ]
    emails = [d for d in deliveries if d.channel == DeliveryChannel.EMAIL]
    assert len({d.message_id for d in emails}) == 2
    assert all(d.message_id.startswith("<") for d in emails)
    assert queued_delivery_ids() == sorted(d.pk for d in emails)

    event = CaseEvent.objects.get(case=n.case, kind=CaseEvent.Kind.NOTIFICATION_SENT)
    assert event.data["reference"] == n.reference
    assert event.actor == consular
    audit = AuditEvent.objects.get(action=AuditAction.NOTIFICATION_DISPATCHED)
    assert audit.data["emails"] == 2
    assert audit.data["document_sha256"] == n.document_sha256
    assert Alert.objects.filter(recipient=reader, title__contains=n.reference).count() == 1
    assert not Alert.objects.filter(recipient=stranger).exists()


def test_automatic_dispatch_has_no_officer(consular):
    n = NotificationFactory()
    dispatch.notification_dispatch(actor=None, notification=n)
    n.refresh_from_db()
    assert n.status == NotificationStatus.DISPATCHED
    assert n.automatic
    assert n.dispatched_by is None
    assert n.facts["contact"]["officer"] == ""
    assert CaseEvent.objects.get(case=n.case, kind=CaseEvent.Kind.NOTIFICATION_SENT).actor_label == "system"


def test_dispatch_only_from_to_check(consular):
    n = NotificationFactory()
    dispatch.notification_dispatch(actor=consular, notification=n)
    with translation.override("en"), pytest.raises(Conflict, match="Only a notification waiting to be checked"):
        dispatch.notification_dispatch(actor=consular, notification=n)
    with translation.override("id"), pytest.raises(Conflict) as refused:
        dispatch.notification_dispatch(actor=None, notification=n)
    assert "Only a notification" not in refused.value.message  # said in Indonesian
    assert NotificationDelivery.objects.filter(notification=n, channel=DeliveryChannel.PORTAL).count() == 1


def test_dispatch_is_one_transaction_with_its_queued_emails(consular):
    n = NotificationFactory()
    MissionContactFactory(mission=n.mission)

    class Boom(Exception):
        pass

    def dispatch_then_fail() -> None:
        with transaction.atomic():
            dispatch.notification_dispatch(actor=consular, notification=n)
            raise Boom

    with pytest.raises(Boom):
        dispatch_then_fail()

    n.refresh_from_db()
    assert n.status == NotificationStatus.TO_CHECK
    assert n.facts == {}
    assert not NotificationDelivery.objects.exists()
    assert queued_delivery_ids() == []


def test_who_may_dispatch(consular, make_user):
    n = NotificationFactory()
    immigration = make_user(roles=[Role.IMMIGRATION_OFFICER])
    with pytest.raises(PermissionDenied):
        dispatch.notification_dispatch(actor=immigration, notification=n)
    with pytest.raises(PermissionDenied):
        dispatch.notification_dispatch(actor=mission_officer(make_user, n.mission), notification=n)
    n.refresh_from_db()
    assert n.status == NotificationStatus.TO_CHECK


def test_no_mission_is_sent_through_the_ministry_and_recorded(consular):
    n = NotificationFactory(mission=None)
    with translation.override("en"), pytest.raises(Conflict, match="no mission on record"):
        dispatch.notification_dispatch(actor=consular, notification=n)

    with pytest.raises(ApplicationError):
        dispatch.notification_record_manual_dispatch(actor=consular, notification=n, channel="note", note="")
    dispatch.notification_record_manual_dispatch(actor=consular, notification=n, channel="note", note="Nota No. D-123/2026 via KBRI")

    n.refresh_from_db()
    assert n.status == NotificationStatus.DISPATCHED
    assert n.document_sha256
    assert n.facts["manual"] == {"channel": "note", "note": "Nota No. D-123/2026 via KBRI"}
    assert not n.deliveries.exists()
    assert CaseEvent.objects.get(case=n.case, kind=CaseEvent.Kind.NOTIFICATION_SENT).data["manual_channel"] == "note"


def test_protection_flags_never_reach_the_facts_the_pdf_or_the_email(consular, tmp_path):
    person = PersonFactory(is_refugee=True, is_asylum_seeker=True, is_trafficking_victim=True, is_stateless=False)
    basis = LegalBasis.objects.create(
        law="Perpres 125/2016",
        article="2",
        kind=LegalBasis.Kind.PROTECTION,
        summary_en="Handling of refugees (asylum seekers)",
        summary_id="Penanganan pengungsi dari luar negeri",
    )
    case = CaseFactory(person=person, legal_basis=basis)
    RightsAdviceFactory(case=case, statement="I am a refugee registered with UNHCR and fear persecution")
    n = NotificationFactory(case=case, basis=Reason.MANDATORY)
    n.decision.reason = Reason.PROTECTED_PERSON  # whatever the decision said, it is not told
    n.decision.save()
    contact = MissionContactFactory(mission=n.mission)

    dispatch.notification_dispatch(actor=consular, notification=n)
    n.refresh_from_db()
    facts_text = json.dumps(n.facts, ensure_ascii=False).lower()
    pdf_path = tmp_path / "n.pdf"
    pdf_path.write_bytes(n.document.read())
    pdf_text = subprocess.run(["pdftotext", str(pdf_path), "-"], check=True, capture_output=True, text=True).stdout.lower()
    delivery = n.deliveries.get(recipient=contact.email)
    dispatch.delivery_send_job.call(delivery_id=delivery.pk)
    (message,) = mail.outbox
    email_text = (message.subject + "\n" + message.body).lower()

    assert n.facts["legal_basis"] is None
    assert "unhcr" not in facts_text
    assert "persecution" not in facts_text
    for word in FORBIDDEN:
        assert word not in facts_text, word
        assert word not in pdf_text, word
        assert word not in email_text, word


def test_delivery_job_sends_once_with_the_stored_message_id_and_the_pdf(consular):
    n = NotificationFactory()
    contact = MissionContactFactory(mission=n.mission)
    dispatch.notification_dispatch(actor=consular, notification=n)
    delivery = n.deliveries.get(channel=DeliveryChannel.EMAIL)

    assert dispatch.delivery_send_job.call(delivery_id=delivery.pk) == "sent"
    assert dispatch.delivery_send_job.call(delivery_id=delivery.pk) == "already sent"

    (message,) = mail.outbox
    delivery.refresh_from_db()
    n.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.sent_at is not None
    assert delivery.attempts == 1
    assert message.to == [contact.email]
    assert message.extra_headers["Message-ID"] == delivery.message_id
    assert message.message()["Message-ID"] == delivery.message_id
    assert "Notifikasi Kekonsuleran / Consular Notification" in message.subject
    assert n.reference in message.subject
    assert "Yth." in message.body
    assert "presents consular notification" in message.body
    ((name, content, mimetype),) = message.attachments
    assert name == f"{n.reference}.pdf"
    assert mimetype == "application/pdf"
    assert hashlib.sha256(content).hexdigest() == n.document_sha256
    assert AuditEvent.objects.filter(action=AuditAction.NOTIFICATION_DELIVERED).count() == 1


def test_failed_delivery_is_retried_by_the_desk(consular, make_user):
    n = NotificationFactory()
    MissionContactFactory(mission=n.mission)
    dispatch.notification_dispatch(actor=consular, notification=n)
    delivery = n.deliveries.get(channel=DeliveryChannel.EMAIL)
    with pytest.raises(Conflict):
        dispatch.delivery_retry(actor=consular, delivery=delivery)  # not failed

    NotificationDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.FAILED, attempts=6, last_error="550 no such user")
    DBTaskResult.objects.all().delete()
    with pytest.raises(PermissionDenied):
        dispatch.delivery_retry(actor=make_user(roles=[Role.IMMIGRATION_OFFICER]), delivery=delivery)
    dispatch.delivery_retry(actor=consular, delivery=delivery)

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.attempts == 0
    assert queued_delivery_ids() == [delivery.pk]


def test_final_failure_alerts_the_desk(consular, settings):
    n = NotificationFactory()
    MissionContactFactory(mission=n.mission)
    dispatch.notification_dispatch(actor=consular, notification=n)
    delivery = n.deliveries.get(channel=DeliveryChannel.EMAIL)
    NotificationDelivery.objects.filter(pk=delivery.pk).update(attempts=dispatch.EMAIL_MAX_ATTEMPTS - 1, status=DeliveryStatus.RETRYING)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens

    with pytest.raises(ConnectionRefusedError):
        dispatch.delivery_send_job.call(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == dispatch.EMAIL_MAX_ATTEMPTS
    assert "ConnectionRefusedError" in delivery.last_error
    alert = Alert.objects.get(recipient=consular, title__contains="failed")
    assert n.reference in alert.title
    assert alert.level == Alert.Level.URGENT
    assert AuditEvent.objects.filter(action=AuditAction.NOTIFICATION_DELIVERY_FAILED).count() == 1
    assert dispatch.delivery_send_job.call(delivery_id=delivery.pk).startswith("failed")  # a stray re-run sends nothing


def test_lost_delivery_task_is_requeued_by_the_safety_net(consular):
    n = NotificationFactory()
    MissionContactFactory(mission=n.mission)
    dispatch.notification_dispatch(actor=consular, notification=n)
    delivery = n.deliveries.get(channel=DeliveryChannel.EMAIL)
    later = timezone.now() + dispatch.STUCK_AFTER + dt.timedelta(minutes=1)
    assert dispatch.deliveries_resume(now=later) == 0  # its task is still queued

    DBTaskResult.objects.all().delete()  # the task was lost (claims used up by crashes)
    assert dispatch.deliveries_resume(now=later) == 1
    assert dispatch.deliveries_resume(now=later) == 0
    assert queued_delivery_ids() == [delivery.pk]


# --- acknowledgement ----------------------------------------------------------------------------


def test_mission_acknowledges_in_its_portal_once(consular, make_user):
    n = NotificationFactory()
    dispatch.notification_dispatch(actor=consular, notification=n)
    officer = mission_officer(make_user, n.mission)

    dispatch.notification_acknowledge(actor=officer, notification=n, channel="portal")

    n.refresh_from_db()
    assert n.status == NotificationStatus.ACKNOWLEDGED
    assert n.acknowledged_by == officer
    assert n.acknowledgement_channel == "portal"
    assert n.acknowledged_at >= n.dispatched_at
    assert CaseEvent.objects.filter(case=n.case, kind=CaseEvent.Kind.NOTIFICATION_ACKED).count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.NOTIFICATION_ACKNOWLEDGED).count() == 1
    with pytest.raises(Conflict):
        dispatch.notification_acknowledge(actor=officer, notification=n, channel="portal")
    with pytest.raises(Conflict):
        dispatch.notification_acknowledge(actor=consular, notification=n, channel="phone", note="Consul by phone")


def test_another_mission_cannot_acknowledge_and_nothing_before_dispatch(consular, make_user):
    n = NotificationFactory()
    other = make_user(roles=[Role.MISSION_OFFICER], agency=AgencyFactory(foreign_mission=True))
    own = mission_officer(make_user, n.mission)
    with pytest.raises(NotFound):  # not yet dispatched: the mission does not see it
        dispatch.notification_acknowledge(actor=own, notification=n, channel="portal")
    dispatch.notification_dispatch(actor=consular, notification=n)
    with pytest.raises(NotFound):
        dispatch.notification_acknowledge(actor=other, notification=n, channel="portal")
    with pytest.raises(PermissionDenied):
        dispatch.notification_acknowledge(actor=own, notification=n, channel="phone", note="x")
    n.refresh_from_db()
    assert n.status == NotificationStatus.DISPATCHED


def test_consular_officer_records_an_acknowledgement_by_phone(consular):
    n = NotificationFactory()
    with pytest.raises(Conflict):
        dispatch.notification_acknowledge(actor=consular, notification=n, channel="phone", note="Consul Lee")
    dispatch.notification_dispatch(actor=consular, notification=n)
    with pytest.raises(ApplicationError):
        dispatch.notification_acknowledge(actor=consular, notification=n, channel="phone", note="")
    with pytest.raises(ApplicationError):
        dispatch.notification_acknowledge(actor=consular, notification=n, channel="fax", note="x")
    when = timezone.now() - dt.timedelta(seconds=1)
    n.refresh_from_db()
    when = max(when, n.dispatched_at)
    dispatch.notification_acknowledge(actor=consular, notification=n, channel="phone", note="Consul Lee, 14:05", acknowledged_at=when)
    n.refresh_from_db()
    assert n.status == NotificationStatus.ACKNOWLEDGED
    assert n.acknowledgement_note == "Consul Lee, 14:05"
    assert n.acknowledged_at == when


# --- cancellation -------------------------------------------------------------------------------


def test_cancel_before_dispatch_only_and_with_a_reason(consular):
    n = NotificationFactory()
    with pytest.raises(ApplicationError):
        dispatch.notification_cancel(actor=consular, notification=n, reason=" ")
    dispatch.notification_cancel(actor=consular, notification=n, reason="Duplicate of NK-2000-000001")
    n.refresh_from_db()
    assert n.status == NotificationStatus.CANCELLED
    assert n.cancelled_reason == "Duplicate of NK-2000-000001"
    assert AuditEvent.objects.filter(action=AuditAction.NOTIFICATION_CANCELLED).count() == 1
    with pytest.raises(Conflict):
        dispatch.notification_dispatch(actor=consular, notification=n)

    sent = NotificationFactory()
    dispatch.notification_dispatch(actor=consular, notification=sent)
    with pytest.raises(Conflict):
        dispatch.notification_cancel(actor=consular, notification=sent, reason="too late")
