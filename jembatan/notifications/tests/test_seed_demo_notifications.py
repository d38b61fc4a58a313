"""`seed_demo_notifications` on a small demo world: the engine decides, most are dispatched,
some acknowledged, access with visits; a second run changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from jembatan.accounts.roles import Role
from jembatan.cases.tests.factories import CaseFactory
from jembatan.notifications.models import AccessRequest, ConsularVisit, Notification, NotificationStatus
from jembatan.notifications.tests.factories import MissionContactFactory, RightsAdviceFactory
from jembatan.people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_seed_is_idempotent_and_fills_the_pages(world, make_user):
    world.notification.delete()
    make_user(username="demo.konsuler", roles=[Role.CONSULAR_OFFICER], agency=world.kemlu)
    make_user(username="demo.imigrasi", roles=[Role.IMMIGRATION_OFFICER], agency=world.imm, unit=world.unit)
    MissionContactFactory(mission=world.embassy_aus)
    for index in range(5):
        person = PersonFactory(nationalities=["AUS"], recorded_by_agency=world.imm)
        case = CaseFactory(
            person=person,
            reporting_agency=world.imm,
            reporting_unit=world.unit,
            time_zone="Asia/Makassar",
            is_demo=True,
            occurred_at=timezone.now() - dt.timedelta(days=20 - index),
        )
        RightsAdviceFactory(case=case, answer="requested")

    call_command("seed_demo_notifications")
    demo = Notification.objects.filter(case__is_demo=True)
    statuses = sorted(demo.values_list("status", flat=True))
    assert len(statuses) == 5
    assert statuses.count(NotificationStatus.TO_CHECK) == 2  # left in the inbox, overdue
    sent = demo.exclude(status=NotificationStatus.TO_CHECK)
    assert all(n.dispatched_at >= n.event_at for n in sent)
    assert demo.filter(status=NotificationStatus.ACKNOWLEDGED).count() == 2
    assert AccessRequest.objects.count() == 3
    assert ConsularVisit.objects.count() == 3
    before = (
        list(demo.order_by("pk").values_list("status", "dispatched_at", "acknowledged_at")),
        AccessRequest.objects.count(),
        ConsularVisit.objects.count(),
    )

    call_command("seed_demo_notifications")
    after = (
        list(demo.order_by("pk").values_list("status", "dispatched_at", "acknowledged_at")),
        AccessRequest.objects.count(),
        ConsularVisit.objects.count(),
    )
    assert after == before
