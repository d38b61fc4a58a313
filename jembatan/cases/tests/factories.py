"""Factories for cases, written straight to the tables (tests of the services go through
the services; these set up a case in any state for the other tests)."""

from __future__ import annotations

import datetime as dt
import itertools

import factory
from django.utils import timezone

from jembatan.accounts.tests.factories import AgencyFactory
from jembatan.cases.lifecycle import CaseKind, lifecycle_for
from jembatan.cases.models import Case, CaseEvent
from jembatan.people.tests.factories import PersonFactory

_numbers = itertools.count(900_001)


class CaseFactory(factory.django.DjangoModelFactory):
    """A case in its kind's start status (pass `status=` for another), with its first
    timeline entry. `CaseFactory(kind="death")`."""

    class Meta:
        model = Case
        skip_postgeneration_save = True

    reference = factory.LazyFunction(lambda: f"JBT-2000-{next(_numbers):06d}")
    kind = CaseKind.DETENTION
    status = factory.LazyAttribute(lambda o: lifecycle_for(o.kind).start)
    reporting_agency = factory.SubFactory(AgencyFactory)
    person = factory.SubFactory(PersonFactory, recorded_by_agency=factory.SelfAttribute("..reporting_agency"))
    occurred_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=2))
    time_zone = "Asia/Jakarta"
    detention_ground = factory.LazyAttribute(lambda o: "a" if o.kind == CaseKind.DETENTION else "")
    place_description = "Ruang detensi Kanim"

    @factory.post_generation
    def created_entry(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            CaseEvent.objects.create(case=self, kind=CaseEvent.Kind.CREATED, to_status=self.status, occurred_at=self.occurred_at)
