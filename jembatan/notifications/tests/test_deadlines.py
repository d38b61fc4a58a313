"""Deadlines across Indonesia's three zones, the reminder/escalation schedule, and catch-up
after a worker outage without sending anything twice."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings

from jembatan.accounts.models import Agency, Alert, OrgUnit
from jembatan.accounts.roles import Role
from jembatan.accounts.tests.factories import AgencyFactory, OrgUnitFactory
from jembatan.cases.tests.factories import CaseFactory
from jembatan.notifications import deadlines
from jembatan.notifications.deadlines import Step, current_step, due_at_for, reminders_run, zoned_text
from jembatan.notifications.models import NotificationReminder, NotificationStatus, ReminderKind
from jembatan.notifications.tests.factories import AccessRequestFactory, DetaineeLetterFactory, NotificationFactory
from jembatan.reference.tests.factories import DetentionCentreFactory

UTC = dt.UTC
WIT = ZoneInfo("Asia/Jayapura")
H = dt.timedelta(hours=1)


# --- pure computation ---------------------------------------------------------------------------


def test_an_event_at_2330_wit_is_due_at_the_right_instant_and_shown_right_in_each_zone():
    event = dt.datetime(2026, 11, 28, 23, 30, tzinfo=WIT)  # 14:30 UTC

    due = due_at_for(event, 24)

    assert due == dt.datetime(2026, 11, 29, 14, 30, tzinfo=UTC)
    assert due.utcoffset() == dt.timedelta(0)
    assert zoned_text(due, "Asia/Jakarta") == "29-11-2026 21:30 WIB"
    assert zoned_text(due, "Asia/Makassar") == "29-11-2026 22:30 WITA"
    assert zoned_text(due, "Asia/Jayapura") == "29-11-2026 23:30 WIT"
    # The same local wall time in another zone is another instant.
    assert due_at_for(dt.datetime(2026, 11, 28, 23, 30, tzinfo=ZoneInfo("Asia/Jakarta")), 24) - due == 2 * H
    with pytest.raises(ValueError, match="aware"):
        due_at_for(dt.datetime(2026, 11, 28, 23, 30), 24)


T0 = dt.datetime(2026, 11, 1, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("hours_allowed", "now_after_start", "expected"),
    [
        # 72 h allowed: the lead is capped at 12 h → reminder at 60 h.
        (72, 59 * H, None),
        (72, 60 * H, Step(ReminderKind.REMINDER, 1, T0 + 60 * H)),
        (72, 71 * H, Step(ReminderKind.REMINDER, 1, T0 + 60 * H)),
        (72, 72 * H, Step(ReminderKind.ESCALATION, 1, T0 + 72 * H)),
        (72, 95 * H, Step(ReminderKind.ESCALATION, 1, T0 + 72 * H)),
        (72, 96 * H, Step(ReminderKind.ESCALATION, 2, T0 + 96 * H)),
        (72, 72 * H + 3 * 24 * H, Step(ReminderKind.ESCALATION, 4, T0 + 72 * H + 3 * 24 * H)),
        # 6 h allowed: half is 3 h → reminder at 3 h.
        (6, 2 * H, None),
        (6, 3 * H, Step(ReminderKind.REMINDER, 1, T0 + 3 * H)),
        (6, 6 * H, Step(ReminderKind.ESCALATION, 1, T0 + 6 * H)),
        # Already past due when it starts (recorded late): escalation at once.
        (0, 0 * H, Step(ReminderKind.ESCALATION, 1, T0)),
    ],
)
def test_current_step(hours_allowed, now_after_start, expected):
    assert current_step(start=T0, due=T0 + hours_allowed * H, now=T0 + now_after_start) == expected


def test_the_schedule_constants_are_what_the_docs_say():
    assert deadlines.REMINDER_LEAD_SHARE == 0.5
    assert deadlines.REMINDER_LEAD_MAX == 12 * H
    assert deadlines.ESCALATION_REPEAT == 24 * H
    assert django_settings.JOBS_PERIODIC["notifications.reminders"] == ("jembatan.notifications.deadlines.reminders_job", 300)


# --- the job --------------------------------------------------------------------------------------


@pytest.fixture
def desk(make_user, db):
    ministry = AgencyFactory(code="kemlu", kind=Agency.Kind.FOREIGN_MINISTRY)
    return {
        "officer": make_user(roles=[Role.CONSULAR_OFFICER], agency=ministry),
        "supervisor": make_user(roles=[Role.CONSULAR_SUPERVISOR], agency=ministry),
    }


def alerts_of(user) -> list[str]:
    return list(Alert.objects.filter(recipient=user).order_by("created_at").values_list("title", flat=True))


def rows() -> list[tuple[str, str, int]]:
    return sorted(NotificationReminder.objects.values_list("subject_type", "kind", "step"))


@pytest.mark.django_db
def test_catch_up_after_an_outage_sends_only_the_current_step_once(desk):
    # A notification of an event at 23:30 WIT, due 72 h later; its reminder falls at t0.
    event = dt.datetime(2026, 11, 28, 23, 30, tzinfo=WIT)
    case = CaseFactory(occurred_at=event, time_zone="Asia/Jayapura")
    n = NotificationFactory(case=case, event_at=event, time_zone="Asia/Jayapura", due_at=due_at_for(event, 72))
    t0 = n.due_at - 12 * H
    reminders_run(now=t0 - dt.timedelta(minutes=5))
    assert rows() == []

    # When the worker runs at t0: the reminder, to the consular desk, due time in WIT
    assert reminders_run(now=t0) == 1
    assert rows() == [("notification", "reminder", 1)]
    (reminder,) = alerts_of(desk["officer"])
    assert n.reference in reminder
    assert "01-12-2026 23:30 WIT" in reminder
    assert alerts_of(desk["supervisor"]) == [reminder]  # a supervisor may dispatch too

    # ... and is then down for three days: on return it sends escalation 3 only, once
    later = t0 + dt.timedelta(days=3)  # due + 60 h → escalation step 1 + 60 // 24 = 3
    assert reminders_run(now=later) == 1
    assert rows() == [("notification", "escalation", 3), ("notification", "reminder", 1)]
    escalations = [t for t in alerts_of(desk["supervisor"]) if t.startswith("Eskalasi")]
    assert len(escalations) == 1
    assert escalations[0].startswith("Eskalasi 3 / Escalation 3")
    assert "01-12-2026 23:30 WIT" in escalations[0]
    assert [t for t in alerts_of(desk["officer"]) if t.startswith("Eskalasi")] == []  # escalations go to supervisors

    # Running again (twice, or an hour later) sends nothing new
    assert reminders_run(now=later) == 0
    assert reminders_run(now=later + H) == 0
    assert rows() == [("notification", "escalation", 3), ("notification", "reminder", 1)]
    assert Alert.objects.count() == 3

    # The next day, step 4; once dispatched, nothing more
    assert reminders_run(now=later + 24 * H) == 1
    n.status = NotificationStatus.DISPATCHED
    n.save()
    assert reminders_run(now=later + 5 * 24 * H) == 0


@pytest.mark.django_db
def test_two_runs_at_the_same_moment_insert_each_step_once(desk):
    n = NotificationFactory()
    now = n.due_at + H
    assert deadlines.remind_once(
        subject_type="notification",
        subject_id=str(n.pk),
        kind="escalation",
        step=1,
        recipients=[desk["supervisor"]],
        title="t",
        body="b",
        url="",
    )
    assert not deadlines.remind_once(
        subject_type="notification",
        subject_id=str(n.pk),
        kind="escalation",
        step=1,
        recipients=[desk["supervisor"]],
        title="t",
        body="b",
        url="",
    )
    assert reminders_run(now=now) == 0
    assert Alert.objects.filter(recipient=desk["supervisor"]).count() == 1


@pytest.mark.django_db
def test_access_request_reminder_goes_to_the_detention_centre_holding_the_person(make_user, desk):
    centre = DetentionCentreFactory(time_zone="Asia/Makassar")
    other_centre = DetentionCentreFactory()
    immigration = AgencyFactory(kind=Agency.Kind.IMMIGRATION)
    unit = OrgUnitFactory(agency=immigration, kind=OrgUnit.Kind.DETENTION_CENTRE, detention_centre=centre, time_zone="Asia/Makassar")
    elsewhere = OrgUnitFactory(agency=immigration, kind=OrgUnit.Kind.DETENTION_CENTRE, detention_centre=other_centre)
    host = make_user(roles=[Role.IMMIGRATION_OFFICER], agency=immigration, unit=unit)
    not_host = make_user(roles=[Role.IMMIGRATION_OFFICER], agency=immigration, unit=elsewhere)
    chief = make_user(roles=[Role.IMMIGRATION_SUPERVISOR], agency=immigration, unit=unit)
    case = CaseFactory(detention_centre=centre, reporting_agency=immigration, time_zone="Asia/Makassar")
    requested = dt.datetime(2026, 11, 28, 1, 0, tzinfo=UTC)
    request = AccessRequestFactory(case=case, requested_at=requested, due_at=requested + 48 * H)

    assert reminders_run(now=requested + 40 * H) == 1
    (title,) = alerts_of(host)
    assert "30-11-2026 09:00 WITA" in title  # 01:00 UTC + 48 h, in the centre's zone
    assert alerts_of(not_host) == []
    assert [t for t in alerts_of(chief) if t.startswith("Pengingat")] == [title]  # a supervisor there also schedules

    assert reminders_run(now=requested + 49 * H) == 1
    assert any(t.startswith("Eskalasi 1") for t in alerts_of(chief))
    assert not any(t.startswith("Eskalasi") for t in alerts_of(desk["supervisor"]))  # not the ministry's item
    request.status = "scheduled"
    request.save()
    assert reminders_run(now=requested + 100 * H) == 0


@pytest.mark.django_db
def test_letter_reminder_goes_to_the_consular_desk(desk):
    received = dt.datetime(2026, 11, 28, 1, 0, tzinfo=UTC)
    letter = DetaineeLetterFactory(received_at=received, due_at=received + 24 * H)
    assert reminders_run(now=received + 13 * H) == 1
    assert len(alerts_of(desk["officer"])) == 1
    letter.forwarded_at = received + 14 * H
    letter.save()
    assert reminders_run(now=received + 30 * H) == 0
    assert rows() == [("letter", "reminder", 1)]


@pytest.mark.django_db(transaction=True)
def test_reminders_job_runs_in_the_worker(desk):
    from jembatan.core.jobs import enqueue
    from jembatan.core.tests.test_jobs import run_batch

    NotificationFactory(event_at=dt.datetime(2020, 1, 1, tzinfo=UTC), due_at=dt.datetime(2020, 1, 4, tzinfo=UTC))
    task_id = enqueue(deadlines.reminders_job)
    run_batch("reminders-worker")
    from django_tasks_db.models import DBTaskResult

    row = DBTaskResult.objects.get(pk=task_id)
    assert row.return_value == {"steps_sent": 1, "deliveries_requeued": 0}
    assert rows()[0][1] == "escalation"
