"""Search: one box over the document name, the native-script name and document numbers,
case- and accent-insensitive and across scripts (anyascii on both sides)."""

from __future__ import annotations

import pytest

from jembatan.accounts.models import Agency
from jembatan.accounts.roles import Role
from jembatan.accounts.tests.factories import AgencyFactory
from jembatan.audit.events import AuditAction
from jembatan.audit.models import AuditEvent
from jembatan.people.models import Person
from jembatan.people.querysets import normalise_search_text, person_search_key
from jembatan.people.selectors import person_list
from jembatan.people.tests.factories import IdentityDocumentFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(make_user):
    return make_user(roles=[Role.CONSULAR_OFFICER], agency=AgencyFactory(code="t-kemlu", kind=Agency.Kind.FOREIGN_MINISTRY))


@pytest.fixture
def people():
    return {
        "wang": PersonFactory(surname="WANG", given_names="XIUYING", native_name="王秀英", native_name_lang="zh-Hans"),
        "petrov": PersonFactory(surname="PETROV", given_names="IVAN", native_name="Иван Петров", native_name_lang="ru"),
        "nguyen": PersonFactory(surname="NGUYEN", given_names="THI HUONG", native_name="Nguyễn Thị Hương", native_name_lang="vi"),
        "lefevre": PersonFactory(surname="LEFÈVRE", given_names="ÉMILIE", native_name="Émilie Lefèvre", native_name_lang="fr"),
        "harbi": PersonFactory(surname="ALHARBI", given_names="MOHAMMED", native_name="محمد الحربي", native_name_lang="ar"),
        "tan": PersonFactory(surname="TAN", given_names="CHEE MENG", native_name="陈志明", native_name_lang="zh-Hans"),
    }


def _found(officer, query: str) -> set[str]:
    return set(person_list(actor=officer, query=query).values_list("surname", flat=True))


def test_search_key_is_kept_in_step_with_the_names(people):
    person = people["petrov"]
    assert person.search_key == "petrov ivan ivan petrov"
    person.given_names = "SERGEI"
    person.save(update_fields=["given_names"])
    person.refresh_from_db()
    assert person.search_key == "petrov sergei ivan petrov"
    assert person_search_key("WANG", "XIUYING", "王秀英") == "wang xiuying wangxiuying"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("wang", {"WANG"}),  # Latin name
        ("王秀英", {"WANG"}),  # native script finds the person by the native name
        ("Иван", {"PETROV"}),  # Cyrillic query, Latin document name
        ("иван петров", {"PETROV"}),  # every word must match, in any order
        ("petrov ivan", {"PETROV"}),
        ("PeTrOv", {"PETROV"}),  # case-insensitive
        ("nguyễn", {"NGUYEN"}),  # accent-insensitive both ways
        ("huong", {"NGUYEN"}),
        ("lefevre", {"LEFÈVRE"}),
        ("Émilie", {"LEFÈVRE"}),
        ("الحربي", {"ALHARBI"}),  # Arabic script
        ("陈", {"TAN"}),  # the Hokkien "TAN" is found by its character, transliterated "chen"
        ("tan", {"TAN"}),
        ("petrov wang", set()),  # words of two different people
        ("zzzz", set()),
    ],
)
def test_search_across_scripts(officer, people, query, expected):
    assert _found(officer, query) == expected


def test_search_by_document_number(officer, people):
    IdentityDocumentFactory(person=people["wang"], number="E12345678")
    assert _found(officer, "e1234 5678") == {"WANG"}
    assert _found(officer, "E1234") == set()  # document numbers match whole, not in part


def test_search_stays_inside_the_scope(make_user, people):
    """A mission searching a name it may not see gets nothing, not a hint."""
    from jembatan.reference.tests.factories import CountryFactory, ForeignMissionFactory

    mission = ForeignMissionFactory(country=CountryFactory(code="RUS"))
    agency = AgencyFactory(code="t-mission-rus", kind=Agency.Kind.FOREIGN_MISSION, mission=mission)
    user = make_user(roles=[Role.MISSION_OFFICER], agency=agency)
    assert _found(user, "wang") == set()


def test_searching_is_audited_with_the_query_listing_without(officer, people):
    list(person_list(actor=officer, query="  Иван "))
    list(person_list(actor=officer))
    searched, listed = AuditEvent.objects.order_by("id").filter(action__in=[AuditAction.PERSON_SEARCHED, AuditAction.PERSON_LISTED])
    assert searched.action == AuditAction.PERSON_SEARCHED
    assert searched.data == {"query": "Иван"}
    assert searched.actor_id == officer.pk
    assert listed.action == AuditAction.PERSON_LISTED
    assert listed.data == {}


def test_normalisation():
    assert normalise_search_text("O'Brien-Smith") == "o brien smith"
    assert normalise_search_text("  Nguyễn   Thị ") == "nguyen thi"
    assert normalise_search_text("") == ""


def test_existing_rows_get_a_key_from_the_migration(people):
    """Rows saved before the field existed are keyed by the data migration (same rule)."""
    from importlib import import_module

    from django.apps import apps

    Person.objects.filter(pk=people["wang"].pk).update(search_key="")
    migration = import_module("jembatan.people.migrations.0002_person_search_key")
    migration.fill_search_keys(apps, None)
    assert Person.objects.get(pk=people["wang"].pk).search_key == "wang xiuying wangxiuying"
