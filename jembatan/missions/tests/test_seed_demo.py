"""`seed_demo_missions` on the real reference data: idempotent, every immunity level, families,
expired and inactive rows, and the documented passports really match."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from jembatan.audit.events import AuditAction
from jembatan.audit.models import AuditEvent
from jembatan.missions.choices import ImmunityLevel
from jembatan.missions.immunity import MATCHED_ON_DOCUMENT, MATCHED_ON_NAME_AND_BIRTH_DATE, immunity_check
from jembatan.missions.management.commands.seed_demo_missions import DEMO_ACCREDITED, DEMO_MATCHES
from jembatan.missions.models import AccreditedPerson, Category
from jembatan.missions.selectors import registry_counts

pytestmark = pytest.mark.django_db


def test_seed_demo_missions(make_user):
    call_command("load_reference_data", stdout=io.StringIO())
    out = io.StringIO()
    call_command("seed_demo_missions", stdout=out)
    assert "created 16 accredited persons" in out.getvalue()
    assert AccreditedPerson.objects.count() == len(DEMO_ACCREDITED) == 16
    assert not AccreditedPerson.objects.filter(is_demo=False).exists()

    # Again: nothing new.
    out = io.StringIO()
    call_command("seed_demo_missions", stdout=out)
    assert "created 0 accredited persons" in out.getvalue()
    assert AccreditedPerson.objects.count() == 16
    assert AuditEvent.objects.filter(action=AuditAction.ACCREDITED_PERSON_CREATED).count() == 16

    people = AccreditedPerson.objects.select_related("mission", "principal")
    assert {p.immunity_level for p in people} == set(ImmunityLevel.values)  # every level appears
    assert {p.mission.name_en for p in people} >= {"Embassy of Australia", "Embassy of Japan"}
    families = [p for p in people if p.category == Category.FAMILY_OF_DIPLOMATIC_AGENT]
    assert len(families) == 3
    assert all(f.principal and f.principal.mission_id == f.mission_id for f in families)
    assert people.filter(is_active=False).count() == 1
    today = timezone.localdate()
    assert sum(1 for p in people if p.is_active and p.card_valid_until < today) == 1  # YAMAMOTO
    honorary = people.get(category=Category.HONORARY_CONSUL)
    assert (honorary.nationality.code, honorary.immunity_level) == ("IDN", ImmunityLevel.OFFICIAL_ACTS)
    protocol_user = make_user(roles=["protocol_officer"])
    assert registry_counts(actor=protocol_user).expiring >= 1  # one card always ends within 30 days of loading

    # The documented demo cases match as the docstring says.
    by_document = DEMO_MATCHES["document"]
    (match,) = immunity_check(document_number="DA 470 1124", issuing_state=by_document["issuing_state"])
    assert (match.display_name, match.matched_on, match.immunity_level, match.card_valid) == (
        "BRENNAN THOMAS JAMES",
        MATCHED_ON_DOCUMENT,
        ImmunityLevel.FULL,
        True,
    )
    by_name = DEMO_MATCHES["name_and_birth_date"]
    (match,) = immunity_check(
        document_number=by_name["document_number"],
        issuing_state=by_name["issuing_state"],
        surname=by_name["given_names"],
        given_names=by_name["surname"],
        birth_date=by_name["birth_date"],
    )
    assert (match.display_name, match.matched_on, match.card_valid) == ("YAMAMOTO HIROSHI", MATCHED_ON_NAME_AND_BIRTH_DATE, False)
    inactive = DEMO_MATCHES["inactive_by_document"]
    (match,) = immunity_check(document_number=inactive["document_number"], issuing_state=inactive["issuing_state"])
    assert (match.display_name, match.is_active) == ("MCALLISTER ROBERT JOHN", False)
    assert immunity_check(surname="MCALLISTER", given_names="ROBERT JOHN", birth_date=inactive["birth_date"]) == []
