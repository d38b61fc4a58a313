"""Factories for the notification engine's tables, written straight to the tables.

The engine (`engine.assess_case_event`) creates notifications in real use; these set one up
in any state for the tests of dispatch, documents, deadlines, pages and the portal.

    n = NotificationFactory()                          # to check, with a mission
    n = NotificationFactory(case=case, country=aus, mission=embassy)
    MissionContactFactory(mission=n.mission)           # an e-mail recipient
    RightsAdviceFactory(case=n.case, answer="requested")
"""

from __future__ import annotations

import datetime as dt
import itertools

import factory
from django.utils import timezone

from jembatan.accounts.models import Agency
from jembatan.accounts.tests.factories import AgencyFactory
from jembatan.cases.models import CaseEvent, ConsularRightsAdvice, RightsAnswer
from jembatan.cases.tests.factories import CaseFactory
from jembatan.missions.models import MissionContact
from jembatan.notifications.models import (
    AccessKind,
    AccessRequest,
    DetaineeLetter,
    Notification,
    NotificationDecision,
    NotificationStatus,
    Outcome,
    Reason,
    Trigger,
)
from jembatan.reference.tests.factories import CountryFactory, ForeignMissionFactory

_numbers = itertools.count(1)


def _first_event(case: object) -> CaseEvent:
    return CaseEvent.objects.filter(case=case).order_by("recorded_at").first()  # type: ignore[misc]


class NotificationDecisionFactory(factory.django.DjangoModelFactory):
    """A decision to notify (requested) about the case's first timeline entry."""

    class Meta:
        model = NotificationDecision

    case = factory.SubFactory(CaseFactory)
    case_event = factory.LazyAttribute(lambda o: _first_event(o.case))
    country = factory.SubFactory(CountryFactory)
    trigger = Trigger.DETENTION
    outcome = Outcome.NOTIFY
    reason = Reason.REQUESTED
    rule_version = "test"


class NotificationFactory(factory.django.DjangoModelFactory):
    """A notification to check, addressed to an embassy of its country, due 72 h after the
    case's event. Pass `mission=None` for a country with no mission on record."""

    class Meta:
        model = Notification

    reference = factory.LazyFunction(lambda: f"NK-2000-{next(_numbers):06d}")
    case = factory.SubFactory(CaseFactory)
    country = factory.SubFactory(CountryFactory)
    decision = factory.SubFactory(
        NotificationDecisionFactory,
        case=factory.SelfAttribute("..case"),
        country=factory.SelfAttribute("..country"),
        trigger=factory.SelfAttribute("..trigger"),
        reason=factory.SelfAttribute("..basis"),
    )
    person = factory.SelfAttribute("case.person")
    mission = factory.SubFactory(ForeignMissionFactory, country=factory.SelfAttribute("..country"))
    trigger = Trigger.DETENTION
    basis = Reason.REQUESTED
    status = NotificationStatus.TO_CHECK
    event_at = factory.SelfAttribute("case.occurred_at")
    time_zone = factory.SelfAttribute("case.time_zone")
    due_at = factory.LazyAttribute(lambda o: o.event_at + dt.timedelta(hours=72))


class MissionContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MissionContact

    mission = factory.SubFactory(ForeignMissionFactory)
    label = factory.Sequence(lambda n: f"Consular section {n}")
    email = factory.Sequence(lambda n: f"consular{n}@mission.example")
    receives_notifications = True
    is_active = True


class RightsAdviceFactory(factory.django.DjangoModelFactory):
    """The person was told of their rights an hour after the event and asked for notice."""

    class Meta:
        model = ConsularRightsAdvice

    case = factory.SubFactory(CaseFactory)
    informed_at = factory.LazyAttribute(lambda o: o.case.occurred_at + dt.timedelta(hours=1))
    language = "en"
    answer = RightsAnswer.REQUESTED
    objects_to_visits = False


class DetaineeLetterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DetaineeLetter

    case = factory.SubFactory(CaseFactory)
    mission = factory.SubFactory(ForeignMissionFactory)
    received_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=1))
    description = "A letter to the consul"
    due_at = factory.LazyAttribute(lambda o: o.received_at + dt.timedelta(hours=24))


class AccessRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccessRequest

    case = factory.SubFactory(CaseFactory)
    mission = factory.SubFactory(ForeignMissionFactory)
    kind = AccessKind.VISIT
    requested_at = factory.LazyFunction(timezone.now)
    due_at = factory.LazyAttribute(lambda o: o.requested_at + dt.timedelta(hours=48))


def mission_agency(mission: object) -> Agency:
    """The portal agency of `mission` (one per mission), created on first use."""
    found = Agency.objects.filter(mission=mission).first()
    return found or AgencyFactory(kind=Agency.Kind.FOREIGN_MISSION, mission=mission)
