"""Consular access: requests by the mission or the desk, scheduling, refusal, the detainee's
objection and the visit; scope, timeline, audit and alerts to the other side."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jembatan.accounts.models import Alert
from jembatan.audit.events import AuditAction
from jembatan.audit.models import AuditEvent
from jembatan.cases.models import CaseEvent
from jembatan.core.exceptions import ApplicationError, Conflict, NotFound, PermissionDenied
from jembatan.notifications import access
from jembatan.notifications.models import AccessRequest, AccessStatus, ConsularVisit
from jembatan.notifications.tests.pages_support import dispatched

pytestmark = pytest.mark.django_db


def _times(hours: int = 24) -> list[dt.datetime]:
    return [timezone.now().replace(microsecond=0) + dt.timedelta(hours=hours)]


def test_mission_requests_access_for_a_national_it_was_notified_of(world):
    dispatched(world.notification)
    proposed = _times()
    request = access.access_request_create(
        actor=world.mission_aus,
        case=world.case,
        mission=world.embassy_aus,
        kind="visit",
        proposed_times=proposed,
        officers="Consul Jane Doe",
        note="With an interpreter",
    )
    assert request.status == AccessStatus.REQUESTED
    assert request.notification == world.notification
    assert request.requested_by == world.mission_aus
    assert request.due_at - request.requested_at == dt.timedelta(hours=access.ACCESS_ANSWER_HOURS)
    assert request.proposed_times == [proposed[0].astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")]
    entry = CaseEvent.objects.get(case=world.case, kind=CaseEvent.Kind.ACCESS_REQUESTED)
    assert entry.data["access_request"] == str(request.pk)
    assert AuditEvent.objects.filter(action=AuditAction.ACCESS_REQUESTED, object_id=str(request.pk)).count() == 1
    # The detaining side (schedule_access in the reporting agency) is alerted, nobody else.
    alerted = set(Alert.objects.values_list("recipient__username", flat=True))
    assert alerted == {"petugas"}


def test_mission_cannot_ask_before_dispatch_nor_for_another_mission(world):
    with pytest.raises(NotFound):  # not yet dispatched: the mission does not know the case
        access.access_request_create(actor=world.mission_aus, case=world.case, mission=world.embassy_aus, kind="visit", proposed_times=[])
    dispatched(world.notification)
    with pytest.raises(NotFound):  # the Japanese embassy was never notified
        access.access_request_create(actor=world.mission_jpn, case=world.case, mission=world.embassy_jpn, kind="visit", proposed_times=[])
    with pytest.raises(NotFound):  # asking in another mission's name
        access.access_request_create(actor=world.mission_jpn, case=world.case, mission=world.embassy_aus, kind="visit", proposed_times=[])
    assert not AccessRequest.objects.exists()


def test_desk_records_a_request_and_detention_side_may_not(world):
    request = access.access_request_create(
        actor=world.desk, case=world.case, mission=world.embassy_aus, kind="phone", proposed_times=[], note="By note 12/2026"
    )
    assert request.kind == "phone"
    assert request.requested_by == world.desk
    with pytest.raises(PermissionDenied):
        access.access_request_create(actor=world.officer, case=world.case, mission=world.embassy_aus, kind="visit", proposed_times=[])
    with pytest.raises(ApplicationError) as error:
        access.access_request_create(actor=world.desk, case=world.case, mission=world.embassy_aus, kind="teleport", proposed_times=[])
    assert error.value.field == "kind"
    with pytest.raises(ApplicationError) as naive:
        access.access_request_create(
            actor=world.desk, case=world.case, mission=world.embassy_aus, kind="visit", proposed_times=[dt.datetime(2026, 1, 1, 10)]
        )
    assert naive.value.field == "proposed_times"


def _request(world) -> AccessRequest:
    dispatched(world.notification)
    return access.access_request_create(
        actor=world.mission_aus, case=world.case, mission=world.embassy_aus, kind="visit", proposed_times=[]
    )


def test_schedule_then_visit_completes_the_request_and_tells_the_mission(world):
    request = _request(world)
    when = timezone.now().replace(microsecond=0) + dt.timedelta(hours=5)
    scheduled = access.access_schedule(actor=world.officer, request=request, scheduled_for=when, note="Visiting room 2")
    assert scheduled.status == AccessStatus.SCHEDULED
    assert scheduled.scheduled_for == when
    assert scheduled.scheduled_by == world.officer
    assert scheduled.answered_at is not None
    assert Alert.objects.filter(recipient=world.mission_aus, url__contains="").exists()
    assert not Alert.objects.filter(recipient=world.mission_jpn).exists()

    took_place = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=30)
    visit = access.visit_record(
        actor=world.officer,
        case=world.case,
        mission=world.embassy_aus,
        occurred_at=took_place,
        officers="Consul Jane Doe",
        outcome="In good health",
        duration_minutes=40,
        access_request=scheduled,
    )
    scheduled.refresh_from_db()
    assert scheduled.status == AccessStatus.COMPLETED
    assert visit.access_request == scheduled
    assert visit.recorded_by == world.officer
    assert visit.duration_minutes == 40
    kinds = list(CaseEvent.objects.filter(case=world.case).values_list("kind", flat=True))
    assert {CaseEvent.Kind.ACCESS_REQUESTED, CaseEvent.Kind.ACCESS_SCHEDULED, CaseEvent.Kind.VISIT_RECORDED} <= set(kinds)
    assert AuditEvent.objects.filter(action=AuditAction.VISIT_RECORDED, object_id=str(visit.pk)).exists()
    with pytest.raises(Conflict):  # closed
        access.access_refuse(actor=world.officer, request=scheduled, reason="Too late")


def test_refusal_needs_a_reason_and_only_the_holding_agency_may_answer(world):
    request = _request(world)
    with pytest.raises(ApplicationError) as error:
        access.access_refuse(actor=world.officer, request=request, reason="  ")
    assert error.value.field == "reason"
    with pytest.raises(NotFound):  # another agency's detainee
        access.access_refuse(actor=world.other_officer, request=request, reason="No")
    with pytest.raises(PermissionDenied):  # the desk sees the case but does not hold the person
        access.access_refuse(actor=world.desk, request=request, reason="No")
    with pytest.raises(NotFound):
        access.access_schedule(actor=world.mission_aus, request=request, scheduled_for=timezone.now())
    refused = access.access_refuse(actor=world.officer, request=request, reason="Medical examination under way")
    assert refused.status == AccessStatus.REFUSED
    assert refused.refusal_reason == "Medical examination under way"
    entry = CaseEvent.objects.get(case=world.case, kind=CaseEvent.Kind.ACCESS_REFUSED)
    assert entry.summary == "Medical examination under way"
    assert Alert.objects.filter(recipient=world.mission_aus, body="Medical examination under way").exists()


def test_detainee_declines_with_a_statement(world):
    request = _request(world)
    with pytest.raises(ApplicationError):
        access.access_declined_by_detainee(actor=world.officer, request=request, statement="")
    declined = access.access_declined_by_detainee(actor=world.officer, request=request, statement="I do not want to see the consul.")
    assert declined.status == AccessStatus.DECLINED_BY_DETAINEE
    assert declined.detainee_statement == "I do not want to see the consul."
    assert AuditEvent.objects.get(action=AuditAction.ACCESS_REFUSED).data["status"] == "declined_by_detainee"


def test_visit_without_request_and_its_checks(world):
    with pytest.raises(ApplicationError) as future:
        access.visit_record(
            actor=world.officer, case=world.case, mission=world.embassy_aus, occurred_at=timezone.now() + dt.timedelta(days=1), officers="X"
        )
    assert future.value.field == "occurred_at"
    with pytest.raises(ApplicationError) as nobody:
        access.visit_record(actor=world.officer, case=world.case, mission=world.embassy_aus, occurred_at=timezone.now(), officers=" ")
    assert nobody.value.field == "officers"
    with pytest.raises(NotFound):
        access.visit_record(actor=world.other_officer, case=world.case, mission=world.embassy_aus, occurred_at=timezone.now(), officers="X")
    visit = access.visit_record(
        actor=world.officer, case=world.case, mission=world.embassy_aus, occurred_at=timezone.now(), officers="X", kind="phone"
    )
    assert visit.access_request is None
    assert visit.kind == "phone"
    assert ConsularVisit.objects.visible_to(world.mission_aus).count() == 1
    assert ConsularVisit.objects.visible_to(world.mission_jpn).count() == 0
