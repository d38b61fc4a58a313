"""The detention-ceiling sweep (UU 6/2011 art. 85: at most 10 years): milestones alerted once
to the reporting agency's supervisors, caught up after an outage, never twice."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from jembatan.accounts.models import Agency, Alert
from jembatan.accounts.roles import Role
from jembatan.accounts.tests.factories import AgencyFactory
from jembatan.audit.events import AuditAction
from jembatan.audit.models import AuditEvent
from jembatan.cases.lifecycle import CaseKind, CaseStatus
from jembatan.cases.models import CaseEvent
from jembatan.cases.tasks import detention_ceiling_job, detention_ceiling_sweep
from jembatan.cases.tests.test_rules_support import make_case
from jembatan.reference.tests.factories import DetentionCentreFactory

pytestmark = pytest.mark.django_db

WIB = ZoneInfo("Asia/Jakarta")
# Detained on 10 March 2016, 09.00 WIB: the ceiling is 10 March 2026.
START = dt.datetime(2016, 3, 10, 9, 0, tzinfo=WIB)


@pytest.fixture
def immigration():
    return AgencyFactory(kind=Agency.Kind.IMMIGRATION)


@pytest.fixture
def supervisors(make_user, immigration):
    return [
        make_user(roles=[Role.IMMIGRATION_SUPERVISOR], agency=immigration, username="supervisor.id"),
        make_user(roles=[Role.IMMIGRATION_SUPERVISOR], agency=immigration, username="supervisor.en", preferred_language="en"),
    ]


@pytest.fixture
def bystanders(make_user, immigration):
    """People who must not be alerted: an officer of the agency, another agency's supervisor."""
    return [
        make_user(roles=[Role.IMMIGRATION_OFFICER], agency=immigration),
        make_user(roles=[Role.IMMIGRATION_SUPERVISOR], agency=AgencyFactory(kind=Agency.Kind.IMMIGRATION)),
    ]


def _detention(agency, *, start=START, ceiling=dt.date(2026, 3, 10), status=CaseStatus.DETAINED, **fields):
    return make_case(
        kind=CaseKind.DETENTION,
        status=status,
        agency=agency,
        occurred_at=start,
        detention_ceiling_on=ceiling,
        detention_centre=DetentionCentreFactory(time_zone="Asia/Jakarta"),
        **fields,
    )


def _milestones(case) -> list[str]:
    return sorted(e.data["milestone"] for e in CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.CEILING_ALERT))


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.date(2017, 3, 9), []),
        (dt.date(2017, 3, 10), ["year_1"]),
        (dt.date(2021, 3, 9), ["year_1"]),
        (dt.date(2021, 3, 10), ["year_1", "year_5"]),
        (dt.date(2025, 3, 10), ["year_1", "year_5", "year_9"]),
        (dt.date(2026, 2, 7), ["year_1", "year_5", "year_9"]),
        (dt.date(2026, 2, 8), ["ceiling_30_days", "year_1", "year_5", "year_9"]),
        (dt.date(2026, 3, 10), ["ceiling_30_days", "ceiling_reached", "year_1", "year_5", "year_9"]),
    ],
)
def test_milestones_by_date(immigration, supervisors, today, expected):
    case = _detention(immigration)
    assert detention_ceiling_sweep(today=today) == len(expected)
    assert _milestones(case) == expected


def test_each_milestone_is_recorded_and_alerted_once(immigration, supervisors, bystanders):
    case = _detention(immigration)
    days = [dt.date(2017, 3, 10), dt.date(2017, 3, 11), dt.date(2021, 3, 10), dt.date(2021, 3, 10), dt.date(2025, 3, 10)]
    recorded = [detention_ceiling_sweep(today=day) for day in days]
    assert recorded == [1, 0, 1, 0, 1]
    assert _milestones(case) == ["year_1", "year_5", "year_9"]
    for supervisor in supervisors:
        keys = sorted(Alert.objects.filter(recipient=supervisor).values_list("dedupe_key", flat=True))
        assert keys == [f"cases:ceiling:{case.pk}:{m}" for m in ("year_1", "year_5", "year_9")]
    assert not Alert.objects.filter(recipient__in=bystanders).exists()
    assert AuditEvent.objects.filter(action=AuditAction.CASE_CEILING_ALERTED).count() == 3


def test_a_worker_down_for_years_catches_up_without_alerting_twice(immigration, supervisors):
    case = _detention(immigration)
    assert detention_ceiling_sweep(today=dt.date(2017, 4, 1)) == 1  # then the worker stops
    assert detention_ceiling_sweep(today=dt.date(2026, 2, 20)) == 3  # back: 5 and 9 years, 30 days
    assert detention_ceiling_sweep(today=dt.date(2026, 2, 20)) == 0
    assert _milestones(case) == ["ceiling_30_days", "year_1", "year_5", "year_9"]
    assert Alert.objects.filter(recipient=supervisors[0]).count() == 4
    entries = {e.data["milestone"]: e for e in CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.CEILING_ALERT)}
    assert entries["year_1"].data["recorded_late"] is True
    assert entries["year_5"].data["due_on"] == "2021-03-10"
    # The entry is dated when the milestone was reached (start of that day, WIB), by the system.
    assert entries["year_5"].occurred_at == dt.datetime(2021, 3, 10, tzinfo=WIB)
    assert (entries["year_5"].actor_id, entries["year_5"].actor_label) == (None, "system")
    assert entries["ceiling_30_days"].data["ceiling_on"] == "2026-03-10"
    assert entries["year_9"].data["recipients"] == ["supervisor.en", "supervisor.id"]


def test_alerts_speak_each_recipients_language_and_name_no_one(immigration, supervisors):
    case = _detention(immigration)
    detention_ceiling_sweep(today=dt.date(2025, 3, 10))
    indonesian = Alert.objects.get(recipient=supervisors[0], dedupe_key__endswith="year_9")
    english = Alert.objects.get(recipient=supervisors[1], dedupe_key__endswith="year_9")
    assert english.title == f"Detention {case.reference} has lasted 9 years"
    assert "10 March 2026" in english.body
    assert "art. 85" in english.body
    assert case.reference in indonesian.title
    assert indonesian.title != english.title
    assert english.level == Alert.Level.URGENT
    assert english.url == reverse("cases:detail", kwargs={"case_id": case.pk})
    for alert in (indonesian, english):
        assert case.person.surname not in alert.title + alert.body
    assert len(mail.outbox) == 0  # e-mails are queued as jobs, sent by the worker
    year_1 = Alert.objects.get(recipient=supervisors[1], dedupe_key__endswith="year_1")
    assert year_1.level == Alert.Level.INFO


def test_only_detentions_in_progress_are_swept(immigration, supervisors):
    released = _detention(immigration, status=CaseStatus.RELEASED)
    ban = make_case(kind=CaseKind.ENTRY_BAN, status=CaseStatus.ACTIVE, agency=immigration, occurred_at=START)
    assert detention_ceiling_sweep(today=dt.date(2026, 3, 10)) == 0
    assert not CaseEvent.objects.filter(case__in=[released, ban], kind=CaseEvent.Kind.CEILING_ALERT).exists()


def test_the_ceiling_is_computed_when_not_recorded(immigration, supervisors):
    case = _detention(immigration, ceiling=None)
    detention_ceiling_sweep(today=dt.date(2026, 2, 8))
    entry = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.CEILING_ALERT, data__milestone="ceiling_30_days")
    assert entry.data["ceiling_on"] == "2026-03-10"


def test_a_detention_reported_by_a_partner_agency_alerts_immigration_supervisors(supervisors, immigration):
    police = AgencyFactory(kind=Agency.Kind.PARTNER_AGENCY)
    case = _detention(police)
    assert detention_ceiling_sweep(today=dt.date(2017, 3, 10)) == 1
    assert Alert.objects.filter(dedupe_key=f"cases:ceiling:{case.pk}:year_1").count() == 2


def test_the_daily_job_runs_the_sweep_on_todays_date(immigration, supervisors):
    today = timezone.now().astimezone(WIB).date()
    nine_years = _detention(immigration, start=timezone.now() - dt.timedelta(days=9 * 366), ceiling=None)
    fresh = _detention(immigration, start=timezone.now() - dt.timedelta(days=20), ceiling=None)
    assert detention_ceiling_job.call() == 3
    assert detention_ceiling_job.call() == 0
    assert _milestones(nine_years) == ["year_1", "year_5", "year_9"]
    assert _milestones(fresh) == []
    assert today.year - nine_years.occurred_at.year >= 9
