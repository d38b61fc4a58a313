"""Every (kind, status, target) of `LIFECYCLES`: the allowed transitions succeed with a
timeline entry and an audit event; every other one is refused with a message naming the
current status and the allowed next ones."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from jembatan.audit.events import AuditAction
from jembatan.audit.models import AuditEvent
from jembatan.cases.lifecycle import LIFECYCLES, CaseKind, CaseStatus, allowed_targets, transition_allowed
from jembatan.cases.models import Case, CaseEvent
from jembatan.cases.services import case_transition
from jembatan.cases.tests.factories import CaseFactory
from jembatan.core.exceptions import ApplicationError, Conflict

pytestmark = pytest.mark.django_db

ALL = [(kind, status, target) for kind, lifecycle in LIFECYCLES.items() for status in lifecycle.statuses for target in CaseStatus.values]
ALLOWED = [t for t in ALL if transition_allowed(*t)]
REFUSED = [t for t in ALL if not transition_allowed(*t)]
STATES = [(kind, status) for kind, lifecycle in LIFECYCLES.items() for status in lifecycle.statuses]


def _ids(t: tuple[str, str, str]) -> str:
    return "{}:{}->{}".format(*t)


def test_the_table_is_complete():
    """Each kind's statuses are reachable from its start, and every status it names exists."""
    for kind, lifecycle in LIFECYCLES.items():
        assert set(lifecycle.statuses) <= set(CaseStatus.values), kind
        reachable, frontier = {lifecycle.start}, [lifecycle.start]
        while frontier:
            for nxt in lifecycle.allowed_from(frontier.pop()):
                if nxt not in reachable:
                    reachable.add(nxt)
                    frontier.append(nxt)
        assert reachable == set(lifecycle.statuses), kind
    assert set(LIFECYCLES) == set(CaseKind.values)
    assert len(ALLOWED) > 40


@pytest.mark.parametrize(("kind", "status", "target"), ALLOWED, ids=[_ids(t) for t in ALLOWED])
def test_allowed_transition_succeeds(supervisor, kind, status, target):
    case = CaseFactory(kind=kind, status=status, reporting_agency=supervisor.agency)

    changed = case_transition(actor=supervisor, case=case, to_status=target, note="Per decision W20-123")

    case.refresh_from_db()
    assert changed.status == case.status == target
    if target == CaseStatus.DIED:
        entry = case.events.get(kind=CaseEvent.Kind.DEATH)  # a death also opens the death case
        assert Case.objects.filter(kind=CaseKind.DEATH, person=case.person, origin_case=case).exists()
    else:
        entry = case.events.get(kind=CaseEvent.Kind.STATUS_CHANGED)
    assert (entry.from_status, entry.to_status, entry.summary, entry.actor, entry.agency) == (
        status,
        target,
        "Per decision W20-123",
        supervisor,
        supervisor.agency,
    )
    audit = AuditEvent.objects.filter(action=AuditAction.CASE_STATUS_CHANGED, object_id=str(case.pk)).get()
    assert (audit.data["from"], audit.data["to"]) == (status, target)


@pytest.mark.parametrize(("kind", "status"), STATES, ids=[f"{k}:{s}" for k, s in STATES])
def test_every_illegal_transition_is_refused_with_a_clear_message(supervisor, kind, status):
    """From this (kind, status), every status its lifecycle does not allow is refused."""
    case = CaseFactory(kind=kind, status=status, reporting_agency=supervisor.agency)
    entries = CaseEvent.objects.count()
    refused = [target for k, s, target in REFUSED if (k, s) == (kind, status)]
    assert refused

    for target in refused:
        with translation.override("en"), pytest.raises(Conflict) as info:
            case_transition(actor=supervisor, case=case, to_status=target)
        error = info.value
        assert error.status_code == 409
        assert error.extra["current_status"] == status
        assert error.extra["allowed"] == allowed_targets(kind, status)
        with translation.override("en"):
            assert f"“{CaseStatus(status).label}”" in error.message
            if error.extra["allowed"]:
                assert f"“{CaseStatus(target).label}”" in error.message
                for allowed in error.extra["allowed"]:
                    assert f"“{CaseStatus(allowed).label}”" in error.message
            else:
                assert "final" in error.message

    case.refresh_from_db()
    assert case.status == status
    assert CaseEvent.objects.count() == entries
    assert not AuditEvent.objects.filter(action=AuditAction.CASE_STATUS_CHANGED).exists()


def test_refusal_reads_well_in_both_languages(supervisor):
    case = CaseFactory(kind=CaseKind.DETENTION, status=CaseStatus.DETAINED, reporting_agency=supervisor.agency)
    with translation.override("en"), pytest.raises(Conflict) as info:
        case_transition(actor=supervisor, case=case, to_status=CaseStatus.CLOSED)
    assert info.value.message == (
        "A case that is “Detained” cannot become “Closed”. It can become: “Deported”, “Died”, “Released”, “Transferred to prison”."
    )
    with translation.override("id"), pytest.raises(Conflict) as info:
        case_transition(actor=supervisor, case=case, to_status=CaseStatus.CLOSED)
    assert info.value.message.startswith("Kasus berstatus “Didetensi” tidak dapat menjadi “Ditutup”.")
    closed = CaseFactory(kind=CaseKind.CIVIL_CASE, status=CaseStatus.CLOSED, reporting_agency=supervisor.agency)
    with translation.override("en"), pytest.raises(Conflict) as info:
        case_transition(actor=supervisor, case=closed, to_status=CaseStatus.OPEN)
    assert info.value.message == "This case is “Closed”, a final status: its status cannot change any more."


def test_unknown_status_is_refused(supervisor):
    case = CaseFactory(kind=CaseKind.DETENTION, reporting_agency=supervisor.agency)
    with pytest.raises(Conflict):
        case_transition(actor=supervisor, case=case, to_status="teleported")


def test_transition_time_cannot_be_in_the_future_or_before_the_case(supervisor):
    case = CaseFactory(kind=CaseKind.DETENTION, reporting_agency=supervisor.agency, occurred_at=timezone.now() - dt.timedelta(days=10))
    for when in (timezone.now() + dt.timedelta(hours=1), case.occurred_at - dt.timedelta(minutes=1)):
        with pytest.raises(ApplicationError) as info:
            case_transition(actor=supervisor, case=case, to_status=CaseStatus.RELEASED, occurred_at=when)
        assert info.value.field == "occurred_at"
    case.refresh_from_db()
    assert case.status == CaseStatus.DETAINED
    yesterday = timezone.now() - dt.timedelta(days=1)
    case_transition(actor=supervisor, case=case, to_status=CaseStatus.RELEASED, occurred_at=yesterday)
    assert case.events.get(kind=CaseEvent.Kind.STATUS_CHANGED).occurred_at == yesterday
