"""`seed_demo_cases`: every kind in every status, realistic facts, idempotent."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.utils import timezone

from jembatan.accounts.models import Alert
from jembatan.audit.events import AuditAction
from jembatan.audit.models import AuditEvent
from jembatan.cases.lifecycle import (
    ADMINISTRATIVE_ACTIONS,
    BAN_KINDS,
    LEGAL_BASIS_KINDS,
    LIFECYCLES,
    CaseKind,
    CaseStatus,
    transition_allowed,
)
from jembatan.cases.management.commands.seed_demo_cases import DEMO_KEY, path_to, plan_demo_cases
from jembatan.cases.models import Case, CaseEvent
from jembatan.cases.rules import overstay_assess
from jembatan.cases.tasks import detention_ceiling_sweep

pytestmark = pytest.mark.django_db


def _run(command: str) -> str:
    out = io.StringIO()
    call_command(command, stdout=out)
    return out.getvalue()


@pytest.fixture
def demo():
    _run("load_reference_data")
    _run("seed_demo")
    return _run("seed_demo_cases")


def test_paths_follow_the_lifecycles():
    for kind, lifecycle in LIFECYCLES.items():
        for status in lifecycle.statuses:
            path = path_to(kind, status)
            previous = lifecycle.start
            for step in path:
                assert transition_allowed(kind, previous, step)
                previous = step
            assert previous == status
    # A case closes through a death only when there is no other way.
    assert path_to(CaseKind.DETENTION, CaseStatus.CLOSED) == ["deported", "closed"]
    assert path_to(CaseKind.IMPRISONMENT, CaseStatus.CLOSED) == ["released", "closed"]
    keys = [plan.key for plan in plan_demo_cases()]
    assert len(keys) == len(set(keys))


def test_needs_seed_demo_first():
    with pytest.raises(CommandError, match="seed_demo"):
        _run("seed_demo_cases")


def test_every_kind_in_every_status_with_a_plausible_timeline(demo):
    cases = Case.objects.select_related("legal_basis", "person", "reporting_agency", "reporting_unit", "detention_centre")
    assert cases.exists()
    assert all(case.is_demo for case in cases)
    for kind, lifecycle in LIFECYCLES.items():
        assert set(cases.filter(kind=kind).values_list("status", flat=True)) == set(lifecycle.statuses), kind
    now = timezone.now()
    for case in cases:
        events = list(case.events.order_by("occurred_at", "recorded_at"))
        created = [e for e in events if e.kind == CaseEvent.Kind.CREATED]
        assert len(created) == 1
        assert created[0].occurred_at == case.occurred_at
        changes = [e for e in events if e.to_status and e.kind != CaseEvent.Kind.CREATED]
        status = LIFECYCLES[case.kind].start
        for event in changes:  # the timeline walks the lifecycle, forward in time
            assert event.from_status == status, case
            assert transition_allowed(case.kind, status, event.to_status), case
            assert case.occurred_at <= event.occurred_at <= now
            if event.kind == CaseEvent.Kind.STATUS_CHANGED:  # office hours, whatever the zone (WIB-WIT)
                local = event.occurred_at.astimezone(dt.timezone(dt.timedelta(hours=8)))
                assert 7 <= local.hour <= 16 or event.occurred_at > now - dt.timedelta(hours=1), event
            status = event.to_status
        assert status == case.status, case
        assert case.reporting_agency.code in {"ditjen-imigrasi", "polri", "ditjen-pas"}
        assert case.reporting_unit is not None
        assert case.reporting_unit.agency_id == case.reporting_agency_id
        allowed = LEGAL_BASIS_KINDS.get(case.kind)
        if allowed or case.kind in ADMINISTRATIVE_ACTIONS:
            assert case.legal_basis is not None, case
            assert case.legal_basis.kind in (allowed or ()), case
            assert case.legal_basis.is_in_force(case.occurred_at.date())
        if case.kind == CaseKind.DETENTION:
            assert case.detention_centre is not None
            assert case.detention_ground
            assert case.time_zone == case.detention_centre.time_zone
        if case.kind in BAN_KINDS and case.ends_on:
            assert case.starts_on < case.ends_on
            assert case.requesting_agency
        if case.kind == CaseKind.COST_CHARGE:
            assert case.charge_amount == overstay_assess(days_over=case.overstay_days, on=case.occurred_at.date()).charge_amount
    assert len({c.detention_centre_id for c in cases.filter(kind=CaseKind.DETENTION)}) >= 5
    lapsed = CaseEvent.objects.filter(kind=CaseEvent.Kind.LAPSED)
    assert lapsed.count() == 2
    assert all(e.actor_id is None for e in lapsed)
    # Nobody is both dead and the subject of another open story.
    for death in cases.filter(kind=CaseKind.DEATH):
        others = cases.filter(person=death.person).exclude(pk=death.pk)
        assert all(o.origin_case_id is None or o.pk == death.origin_case_id for o in others)
        assert others.count() <= 1


def test_the_special_cases(demo):
    cases = Case.objects.filter(is_demo=True)
    today = timezone.localdate()
    long = [c for c in cases.filter(kind=CaseKind.DETENTION, status=CaseStatus.DETAINED) if (today - c.occurred_at.date()).days >= 9 * 365]
    assert long
    assert long[0].person.is_stateless
    victims = cases.filter(person__is_trafficking_victim=True)
    assert victims.count() == 1
    assert victims.get().kind not in ADMINISTRATIVE_ACTIONS
    assert not cases.filter(kind__in=ADMINISTRATIVE_ACTIONS, person__is_refugee=True).exists()
    extended = cases.get(kind=CaseKind.EXIT_BAN, extension_count=1)
    assert extended.status == CaseStatus.ACTIVE
    assert extended.ends_on > today
    lifelong = cases.get(kind=CaseKind.ENTRY_BAN, ends_on__isnull=True)
    assert lifelong.events.get(kind=CaseEvent.Kind.EXTENDED).data["lifetime"] is True
    flagged = cases.exclude(immunity_level="")
    assert flagged.count() == 1
    assert flagged.get().immunity_level == "full"
    assert flagged.get().events.filter(kind=CaseEvent.Kind.IMMUNITY_FLAGGED).exists()
    assert Alert.objects.filter(recipient__username="demo.protokol").exists()
    # The long detention is what the ceiling sweep finds.
    assert detention_ceiling_sweep(today=today) >= 3
    # Every detention, arrest and imprisonment carries the consular rights advice; some
    # declined, and an Australian and a Japanese national detained asked for notification.
    from jembatan.cases.lifecycle import RIGHTS_ADVICE_KINDS
    from jembatan.cases.models import ConsularRightsAdvice

    held = cases.filter(kind__in=RIGHTS_ADVICE_KINDS)
    assert held.exists()
    assert not held.filter(rights_advice__isnull=True).exists()
    answers = set(ConsularRightsAdvice.objects.filter(case__in=held).values_list("answer", flat=True))
    assert {"requested", "declined"} <= answers
    for code in ("AUS", "JPN"):
        assert held.filter(
            kind=CaseKind.DETENTION,
            status=CaseStatus.DETAINED,
            person__nationality_links__country__code=code,
            rights_advice__answer="requested",
        ).exists()
    assert Alert.objects.filter(recipient__username="demo.supervisor", dedupe_key__startswith="cases:ceiling:").exists()


def test_a_second_run_creates_nothing(demo):
    assert "created" in demo
    assert "0 already present" in demo
    counts = (Case.objects.count(), CaseEvent.objects.count())
    second = _run("seed_demo_cases")
    assert "created 0 cases" in second
    assert (Case.objects.count(), CaseEvent.objects.count()) == counts
    keys = [data[DEMO_KEY] for data in CaseEvent.objects.filter(kind=CaseEvent.Kind.NOTE).values_list("data", flat=True)]
    assert sorted(keys) == sorted(plan.key for plan in plan_demo_cases())
    events = AuditEvent.objects.filter(action=AuditAction.DEMO_DATA_LOADED, object_type="cases.case").order_by("id")
    assert [e.data["created"]["cases"] for e in events] == [len(keys), 0]


@override_settings(SETTINGS_MODULE="config.django.production")
def test_refuses_production_settings():
    with pytest.raises(CommandError, match="production"):
        _run("seed_demo_cases")
