"""Helpers shared by the rules, bans, ceiling and export tests (no tests here).

Cases are written directly, with `CaseSequence`-style numbers, so these tests exercise the
rules and jobs on exactly the rows they need, independently of the intake service.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from jembatan.accounts.models import Agency, OrgUnit
from jembatan.accounts.tests.factories import AgencyFactory, OrgUnitFactory
from jembatan.cases.lifecycle import CaseKind, lifecycle_for
from jembatan.cases.models import Case, CaseSequence
from jembatan.people.tests.factories import PersonFactory


def next_reference(year: int) -> str:
    """JBT-YYYY-NNNNNN from the year's sequence row, as intake numbers cases."""
    with transaction.atomic():
        sequence, _created = CaseSequence.objects.select_for_update().get_or_create(year=year)
        sequence.last_number += 1
        sequence.save(update_fields=["last_number"])
    return f"JBT-{year}-{sequence.last_number:06d}"


def make_case(
    *,
    kind: str = CaseKind.DETENTION,
    status: str | None = None,
    agency: Agency | None = None,
    unit: OrgUnit | None = None,
    person: Any = None,
    occurred_at: dt.datetime | None = None,
    time_zone: str = "Asia/Jakarta",
    **fields: Any,
) -> Case:
    agency = agency or AgencyFactory(kind=Agency.Kind.IMMIGRATION)
    unit = unit or OrgUnitFactory(agency=agency)
    occurred_at = occurred_at or timezone.now() - dt.timedelta(days=3)
    return Case.objects.create(
        reference=next_reference(occurred_at.year),
        kind=kind,
        status=status or lifecycle_for(kind).start,
        person=person or PersonFactory(recorded_by_agency=agency),
        reporting_agency=agency,
        reporting_unit=unit,
        occurred_at=occurred_at,
        time_zone=time_zone,
        **fields,
    )
