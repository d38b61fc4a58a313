"""The registry row: immunity derived from the category (Vienna Conventions) unless protocol
sets it, the keys derived on save, and the rules every row obeys."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from jembatan.audit.events import AuditAction
from jembatan.audit.models import AuditEvent
from jembatan.missions.choices import ImmunityLevel
from jembatan.missions.models import AccreditedPerson, Category, ImmunityLevelSource
from jembatan.missions.services import accredited_person_create, accredited_person_update
from jembatan.missions.tests.factories import AccreditedPersonFactory
from jembatan.reference.tests.factories import CountryFactory, ForeignMissionFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("category", "nationality", "expected"),
    [
        (Category.DIPLOMATIC_AGENT, "AUS", ImmunityLevel.FULL),
        (Category.FAMILY_OF_DIPLOMATIC_AGENT, "AUS", ImmunityLevel.FULL),
        (Category.ADMINISTRATIVE_TECHNICAL, "AUS", ImmunityLevel.FULL),
        (Category.FAMILY_OF_ADMINISTRATIVE_TECHNICAL, "AUS", ImmunityLevel.FULL),
        (Category.SERVICE_STAFF, "AUS", ImmunityLevel.OFFICIAL_ACTS),
        (Category.CONSULAR_OFFICER, "AUS", ImmunityLevel.OFFICIAL_ACTS),
        (Category.CONSULAR_EMPLOYEE, "AUS", ImmunityLevel.OFFICIAL_ACTS),
        (Category.HONORARY_CONSUL, "AUS", ImmunityLevel.OFFICIAL_ACTS),
        (Category.INTERNATIONAL_ORGANISATION_OFFICIAL, "AUS", ImmunityLevel.UNKNOWN),
        (Category.FAMILY_OF_CONSULAR_MEMBER, "AUS", ImmunityLevel.UNKNOWN),
        # Nationals of the receiving State (VCDR art. 38, VCCR art. 71).
        (Category.DIPLOMATIC_AGENT, "IDN", ImmunityLevel.OFFICIAL_ACTS),
        (Category.HONORARY_CONSUL, "IDN", ImmunityLevel.OFFICIAL_ACTS),
        (Category.ADMINISTRATIVE_TECHNICAL, "IDN", ImmunityLevel.UNKNOWN),
    ],
)
def test_immunity_follows_the_category(category, nationality, expected):
    country = CountryFactory(code=nationality)
    principal = None
    if category.startswith("family"):
        from jembatan.missions.models import FAMILY_OF

        principal_category = sorted(FAMILY_OF[category])[0]
        principal = AccreditedPersonFactory(category=principal_category)
    mission = principal.mission if principal else ForeignMissionFactory()
    person = accredited_person_create(
        actor=None,
        data={"mission": mission, "category": category, "principal": principal, "surname": "X", "nationality": country},
    )
    assert person.immunity_level == expected
    assert person.immunity_level_source == ImmunityLevelSource.CATEGORY


def test_protocol_sets_the_level_and_it_survives_a_category_change():
    person = AccreditedPersonFactory(category=Category.INTERNATIONAL_ORGANISATION_OFFICIAL)
    assert person.immunity_level == ImmunityLevel.UNKNOWN
    person, changed = accredited_person_update(actor=None, accredited_person=person, data={"immunity_level": ImmunityLevel.FULL})
    assert changed
    person.refresh_from_db()
    assert (person.immunity_level, person.immunity_level_source) == (ImmunityLevel.FULL, ImmunityLevelSource.PROTOCOL)
    person, _ = accredited_person_update(actor=None, accredited_person=person, data={"category": Category.DIPLOMATIC_AGENT})
    person.refresh_from_db()
    assert person.immunity_level == ImmunityLevel.FULL
    # Back to "follow the category": the category decides again.
    accredited_person_update(actor=None, accredited_person=person, data={"immunity_level": "", "category": Category.SERVICE_STAFF})
    person.refresh_from_db()
    assert (person.immunity_level, person.immunity_level_source) == (ImmunityLevel.OFFICIAL_ACTS, ImmunityLevelSource.CATEGORY)


def test_derived_keys_are_kept_on_every_save():
    person = AccreditedPersonFactory(surname="Eriksson", given_names="Änna  María", native_name="", document_number="da 470-1124")
    assert person.match_key == "anna eriksson maria"
    assert person.document_number_normalised == "DA4701124"
    accredited_person_update(actor=None, accredited_person=person, data={"surname": "Lindqvist", "native_name": "林"})
    person.refresh_from_db()
    assert person.match_key == "anna lindqvist maria"
    assert "lin" in person.search_key


def test_update_that_changes_nothing_writes_nothing():
    person = AccreditedPersonFactory()
    versions = person.history.count()
    _, changed = accredited_person_update(
        actor=None,
        accredited_person=person,
        data={"surname": person.surname, "card_valid_until": person.card_valid_until, "immunity_level": ""},
    )
    assert changed is False
    assert person.history.count() == versions
    assert not AuditEvent.objects.filter(action=AuditAction.ACCREDITED_PERSON_UPDATED).exists()


def test_update_is_audited_with_before_and_after():
    person = AccreditedPersonFactory(rank="Attaché")
    accredited_person_update(actor=None, accredited_person=person, data={"rank": "Counsellor", "card_valid_until": dt.date(2030, 1, 31)})
    event = AuditEvent.objects.get(action=AuditAction.ACCREDITED_PERSON_UPDATED)
    assert event.object_id == str(person.pk)
    assert event.data["changes"] == {"rank": ["Attaché", "Counsellor"], "card_valid_until": ["2099-12-31", "2030-01-31"]}
    assert person.history.count() == 2


def _errors(**changes) -> dict[str, list[str]]:
    person = AccreditedPersonFactory.build(
        mission=ForeignMissionFactory(), nationality=CountryFactory(code="AUS"), document_issuing_state=CountryFactory(code="AUS")
    )
    for name, value in changes.items():
        setattr(person, name, value)
    with pytest.raises(ValidationError) as raised:
        person.full_clean(validate_constraints=False)
    return raised.value.message_dict


def test_rules_of_a_row():
    assert "principal" in _errors(category=Category.FAMILY_OF_DIPLOMATIC_AGENT)
    staff = AccreditedPersonFactory(category=Category.SERVICE_STAFF)
    assert "principal" in _errors(principal=staff)  # only family members have a principal
    assert "principal" in _errors(category=Category.FAMILY_OF_DIPLOMATIC_AGENT, principal=staff)  # wrong kind of principal
    assert "birth_date" in _errors(birth_date=dt.date.today() + dt.timedelta(days=1))
    assert "document_issuing_state" in _errors(document_issuing_state=None)
    assert "card_valid_until" in _errors(card_valid_from=dt.date(2026, 1, 1), card_valid_until=dt.date(2025, 1, 1))
    assert "card_number" in _errors(card_number="")  # dates without a card
    taken = AccreditedPersonFactory(card_number="KD-1", document_number="DA1", document_issuing_state=CountryFactory(code="AUS"))
    assert "card_number" in _errors(card_number="kd 1")
    assert "document_number" in _errors(document_number="da1", document_issuing_state=taken.document_issuing_state)


def test_family_member_belongs_to_a_principal_of_the_same_mission():
    agent = AccreditedPersonFactory(category=Category.DIPLOMATIC_AGENT)
    spouse = AccreditedPersonFactory(category=Category.FAMILY_OF_DIPLOMATIC_AGENT, principal=agent, mission=agent.mission)
    assert list(agent.family_members.all()) == [spouse]
    elsewhere = ForeignMissionFactory(sending_entity="Elsewhere", city="Medan")
    with pytest.raises(ValidationError) as raised:
        accredited_person_update(actor=None, accredited_person=spouse, data={"mission": elsewhere})
    assert "principal" in raised.value.message_dict
    assert AccreditedPerson.objects.get(pk=spouse.pk).mission_id == agent.mission_id
