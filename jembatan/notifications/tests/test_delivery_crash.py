"""The delivery contract under a worker crash, with real worker processes and a real SMTP
server: a worker killed (SIGKILL) after the server accepted a message and before SENT was
recorded loses nothing; on recovery the message is sent once more, with the same Message-ID.

The crash is injected at the one point that matters, between "sent" and "recorded", by
`JEMBATAN_FAULT_AFTER_SEND` (dispatch.py; honoured only with DEBUG or test settings).
"""

from __future__ import annotations

import signal
import time
from collections import Counter

import pytest
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from jembatan.accounts.models import Agency
from jembatan.accounts.roles import Role
from jembatan.accounts.tests.factories import AgencyFactory
from jembatan.core.tests.test_jobs_processes import STALE_AFTER_SECONDS, wait_for
from jembatan.notifications import dispatch
from jembatan.notifications.models import DeliveryChannel, DeliveryStatus, NotificationDelivery
from jembatan.notifications.tests.factories import MissionContactFactory, NotificationFactory
from jembatan.notifications.tests.smtp import message_id, smtp_server_fixture, start_smtp_worker_fixture  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

JOB_PATH = "jembatan.notifications.dispatch.delivery_send_job"


def test_worker_killed_between_send_and_record_loses_nothing_and_duplicates_once(make_user, smtp_server, start_smtp_worker, tmp_path):
    # Given a dispatched notification with three registered addresses (three e-mail jobs)
    consular = make_user(roles=[Role.CONSULAR_OFFICER], agency=AgencyFactory(kind=Agency.Kind.FOREIGN_MINISTRY))
    n = NotificationFactory()
    addresses = [f"consular{i}@mission.example" for i in range(3)]
    for address in addresses:
        MissionContactFactory(mission=n.mission, email=address)
    dispatch.notification_dispatch(actor=consular, notification=n)
    emails = {d.pk: d for d in NotificationDelivery.objects.filter(notification=n, channel=DeliveryChannel.EMAIL)}
    assert len(emails) == 3

    # When a worker sends the first e-mail and is killed before recording it
    marker = tmp_path / "crashed-after-send"
    first, first_log = start_smtp_worker("worker-crashes", smtp_server.port, **{dispatch.FAULT_AFTER_SEND_ENV: str(marker)})
    wait_for(lambda: first.poll() is not None, timeout=60, what="the worker to kill itself after sending", logs=[first_log])
    assert first.returncode == -signal.SIGKILL
    crashed_id = int(marker.read_text().split()[0])
    crashed = emails[crashed_id]
    # The server has the message; the database does not know it was sent.
    assert [rcpts for rcpts, _m in smtp_server.messages] == [[crashed.recipient]]
    assert NotificationDelivery.objects.get(pk=crashed_id).status == DeliveryStatus.PENDING
    task = next(t for t in DBTaskResult.objects.filter(task_path=JOB_PATH) if t.args_kwargs["kwargs"]["delivery_id"] == crashed_id)
    assert task.status == TaskResultStatus.RUNNING
    assert task.worker_ids == ["worker-crashes"]
    time.sleep(STALE_AFTER_SECONDS + 0.5)  # its heartbeat goes stale

    # Then a fresh worker recovers the task and sends everything
    second, second_log = start_smtp_worker("worker-recovers", smtp_server.port, **{dispatch.FAULT_AFTER_SEND_ENV: str(marker)})
    wait_for(
        lambda: NotificationDelivery.objects.filter(pk__in=emails, status=DeliveryStatus.SENT).count() == 3,
        timeout=60,
        what="every delivery to be recorded as sent",
        logs=[first_log, second_log],
    )
    time.sleep(1)  # give a wrong extra send the chance to happen
    second.send_signal(signal.SIGTERM)
    second.wait(timeout=20)

    # Every recipient got the message; the crashed one twice (one crash → at most one
    # duplicate), both copies carrying the delivery's one Message-ID; nobody else twice.
    received = Counter(rcpt for rcpts, _m in smtp_server.messages for rcpt in rcpts)
    assert received == Counter({crashed.recipient: 2, **{a: 1 for a in addresses if a != crashed.recipient}})
    for delivery in NotificationDelivery.objects.filter(pk__in=emails):
        copies = smtp_server.collector.to(delivery.recipient)
        assert {message_id(m) for m in copies} == {delivery.message_id}
        assert delivery.status == DeliveryStatus.SENT
        assert delivery.sent_at is not None
    assert len({d.message_id for d in emails.values()}) == 3
    task.refresh_from_db()
    assert task.status == TaskResultStatus.SUCCESSFUL
    assert task.worker_ids == ["worker-crashes", "worker-recovers"]
    assert NotificationDelivery.objects.get(pk=crashed_id).attempts == 1  # the recorded send


def test_worker_killed_before_the_server_accepted_sends_it_once_on_recovery(make_user, smtp_server, start_smtp_worker):
    # Given a dispatched notification with one address, and a relay that stalls
    consular = make_user(roles=[Role.CONSULAR_OFFICER], agency=AgencyFactory(kind=Agency.Kind.FOREIGN_MINISTRY))
    n = NotificationFactory()
    contact = MissionContactFactory(mission=n.mission)
    dispatch.notification_dispatch(actor=consular, notification=n)
    delivery = NotificationDelivery.objects.get(notification=n, channel=DeliveryChannel.EMAIL)
    smtp_server.collector.hold_first_rcpt = 10.0

    # When the worker is killed in the middle of the SMTP conversation, before the server accepted
    first, first_log = start_smtp_worker("worker-killed-mid-smtp", smtp_server.port)
    wait_for(lambda: smtp_server.collector.holding, timeout=60, what="the worker to be talking to the relay", logs=[first_log])
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    assert smtp_server.messages == []
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.attempts == 0
    time.sleep(STALE_AFTER_SECONDS + 0.5)

    # Then the next worker sends it, once
    second, second_log = start_smtp_worker("worker-after-kill", smtp_server.port)
    wait_for(
        lambda: NotificationDelivery.objects.get(pk=delivery.pk).status == DeliveryStatus.SENT,
        timeout=60,
        what="the delivery to be sent",
        logs=[first_log, second_log],
    )
    time.sleep(1)
    second.send_signal(signal.SIGTERM)
    second.wait(timeout=20)
    (message,) = smtp_server.collector.to(contact.email)
    assert message_id(message) == delivery.message_id
    assert len(smtp_server.messages) == 1


def test_fault_point_is_ignored_outside_test_settings(settings, monkeypatch, tmp_path):
    """Production settings (DEBUG off, no JEMBATAN_FAULT_INJECTION) never honour the variable."""
    settings.DEBUG = False
    settings.JEMBATAN_FAULT_INJECTION = False
    marker = tmp_path / "never"
    monkeypatch.setenv(dispatch.FAULT_AFTER_SEND_ENV, str(marker))
    dispatch._fault_after_send(NotificationDelivery(pk=1))  # would SIGKILL this process if honoured
    assert not marker.exists()
