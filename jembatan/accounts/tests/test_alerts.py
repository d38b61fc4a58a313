"""Alerts to users: stored once per key, e-mailed by the worker, read on their page."""

from __future__ import annotations

import pytest
from django.core import mail
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from jembatan.accounts.alerts import alert_email_job, alert_send, alert_unread_count, users_with_capability
from jembatan.accounts.models import Alert
from jembatan.accounts.roles import Role

pytestmark = pytest.mark.django_db


def test_alert_is_stored_once_per_key_and_queues_one_email(make_user):
    officer = make_user(roles=[Role.PROTOCOL_OFFICER], email="protokol@kemlu.go.id")
    first = alert_send(recipients=[officer], title="Immunity match", body="Case 12", url="/cases/12/", dedupe_key="immunity:12")
    again = alert_send(recipients=[officer], title="Immunity match", body="Case 12", url="/cases/12/", dedupe_key="immunity:12")
    assert len(first) == 1
    assert again == []
    assert Alert.objects.filter(recipient=officer).count() == 1
    queued = DBTaskResult.objects.filter(task_path__endswith="alert_email_job", status=TaskResultStatus.READY)
    assert queued.count() == 1


def test_email_job_sends_once_with_link(make_user, settings):
    settings.SITE_URL = "https://jembatan.example.go.id"
    officer = make_user(roles=[Role.PROTOCOL_OFFICER], email="protokol@kemlu.go.id")
    (alert,) = alert_send(recipients=[officer], title="Immunity match", body="Case 12", url="/cases/12/")
    assert alert_email_job.call(alert_id=alert.pk) == "sent"
    assert alert_email_job.call(alert_id=alert.pk) == "already sent"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["protokol@kemlu.go.id"]
    assert message.subject == "[Jembatan] Immunity match"
    assert "https://jembatan.example.go.id/cases/12/" in message.body


def test_users_with_capability_picks_roles_not_names(make_user):
    protocol = make_user(roles=[Role.PROTOCOL_OFFICER])
    make_user(roles=[Role.CONSULAR_OFFICER])
    make_user(roles=[Role.PROTOCOL_OFFICER], is_active=False)
    assert users_with_capability("reference.change_mission") == [protocol]


def test_alerts_page_lists_own_alerts_and_marks_them_read(client, login, make_user):
    me = make_user(roles=[Role.PROTOCOL_OFFICER])
    other = make_user(roles=[Role.PROTOCOL_OFFICER])
    (mine,) = alert_send(recipients=[me], title="Mine to read", email=False)
    (theirs,) = alert_send(recipients=[other], title="Not for me", email=False)
    login(me)
    html = client.get("/accounts/alerts/").content.decode()
    assert "Mine to read" in html
    assert "Not for me" not in html
    home = client.get("/").content.decode()
    assert "Peringatan" in home
    assert ">1<" in home  # the unread count in the header
    assert client.post(f"/accounts/alerts/{theirs.pk}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert client.post(f"/accounts/alerts/{mine.pk}/read/").status_code == 302
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert alert_unread_count(user=me) == 0
