"""Who sees which person: the same matrix through the selector, for API clients, and
through the pages (list contents, detail 200/404, 403 without the capability)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from jembatan.accounts.models import Agency, ApiClient
from jembatan.accounts.roles import Role
from jembatan.accounts.tests.factories import AgencyFactory
from jembatan.core.exceptions import NotFound
from jembatan.people.models import Person
from jembatan.people.selectors import person_count, person_get, person_list
from jembatan.people.tests.factories import PersonFactory
from jembatan.reference.tests.factories import CountryFactory, ForeignMissionFactory

pytestmark = pytest.mark.django_db


@dataclass
class World:
    agencies: dict[str, Agency]
    people: dict[str, Person]


@pytest.fixture
def world() -> World:
    """Agencies of each kind, three embassies, and persons recorded by different agencies."""
    for code in ("AUS", "JPN", "IRN", "DEU"):
        CountryFactory(code=code)
    CountryFactory(code="D", kind="icao", iso_equivalent="DEU")
    agencies = {
        "imigrasi": AgencyFactory(code="t-imigrasi", kind=Agency.Kind.IMMIGRATION),
        "polri": AgencyFactory(code="t-polri", kind=Agency.Kind.PARTNER_AGENCY),
        "pas": AgencyFactory(code="t-pas", kind=Agency.Kind.CORRECTIONS),
        "kemlu": AgencyFactory(code="t-kemlu", kind=Agency.Kind.FOREIGN_MINISTRY),
    }
    for code in ("AUS", "JPN", "DEU"):
        mission = ForeignMissionFactory(country=CountryFactory(code=code), sending_entity=f"State {code}")
        agencies[f"mission_{code}"] = AgencyFactory(code=f"t-mission-{code.lower()}", kind=Agency.Kind.FOREIGN_MISSION, mission=mission)
    people = {
        "aus": PersonFactory(surname="AUSSIE", nationalities=["AUS"], recorded_by_agency=agencies["imigrasi"]),
        "aus_refugee": PersonFactory(surname="REFUGIO", nationalities=["AUS"], is_refugee=True, recorded_by_agency=agencies["imigrasi"]),
        "aus_asylum": PersonFactory(
            surname="ASILO", nationalities=["IRN", "AUS"], is_asylum_seeker=True, recorded_by_agency=agencies["polri"]
        ),
        "jpn": PersonFactory(surname="NIHON", nationalities=["JPN"], recorded_by_agency=agencies["polri"]),
        "irn": PersonFactory(surname="IRANI", nationalities=["IRN"], recorded_by_agency=agencies["pas"]),
        "ger": PersonFactory(surname="DEUTSCH", nationalities=["D"], recorded_by_agency=agencies["imigrasi"]),
    }
    return World(agencies, people)


EVERYONE = {"aus", "aus_refugee", "aus_asylum", "jpn", "irn", "ger"}

# role, agency, the persons that role sees there
MATRIX = [
    (Role.IMMIGRATION_OFFICER, "imigrasi", {"aus", "aus_refugee", "ger"}),
    (Role.IMMIGRATION_OFFICER, "polri", {"aus_asylum", "jpn"}),  # the same role in another agency
    (Role.IMMIGRATION_SUPERVISOR, "imigrasi", EVERYONE),
    (Role.CORRECTIONS_OFFICER, "pas", {"irn"}),
    (Role.PARTNER_OFFICER, "polri", {"aus_asylum", "jpn"}),
    (Role.CONSULAR_OFFICER, "kemlu", EVERYONE),
    (Role.PROTOCOL_OFFICER, "kemlu", set()),
    (Role.ANALYST, "kemlu", set()),
    (Role.JOINT_TEAM_MEMBER, "imigrasi", set()),
    (Role.ADMINISTRATOR, "imigrasi", set()),
    (Role.AUDITOR, "imigrasi", set()),
    # Missions read what they are sent through the portal, never the person register.
    (Role.MISSION_OFFICER, "mission_AUS", set()),
    (Role.MISSION_OFFICER, "mission_JPN", set()),
    (Role.MISSION_OFFICER, "mission_DEU", set()),
]
MATRIX_IDS = [f"{role.value}@{agency}" for role, agency, _ in MATRIX]


def _names(world: World, keys: set[str]) -> set[str]:
    return {world.people[k].surname for k in keys}


@pytest.mark.parametrize(("role", "agency", "expected"), MATRIX, ids=MATRIX_IDS)
def test_selector_scope(world, make_user, role, agency, expected):
    user = make_user(roles=[role], agency=world.agencies[agency])
    assert set(person_list(actor=user).values_list("surname", flat=True)) == _names(world, expected)
    assert person_count(actor=user) == len(expected)
    for key, person in world.people.items():
        if key in expected:
            assert person_get(actor=user, person_id=person.pk) == person
        else:
            with pytest.raises(NotFound):
                person_get(actor=user, person_id=person.pk)


@pytest.mark.parametrize(("role", "agency", "expected"), MATRIX, ids=MATRIX_IDS)
def test_pages_scope(world, client, make_user, login, role, agency, expected):
    user = make_user(roles=[role], agency=world.agencies[agency])
    login(user)
    response = client.get("/people/")
    if not user.has_perm("people.view_person"):
        assert response.status_code == 403
        assert client.get(f"/people/{world.people['aus'].pk}/").status_code == 403
        return
    assert response.status_code == 200
    html = response.content.decode()
    for key, person in world.people.items():
        assert (person.surname in html) is (key in expected), key
        detail = client.get(f"/people/{person.pk}/")
        assert detail.status_code == (200 if key in expected else 404), key


def test_mission_scope_wins_over_any_capability(world, make_user):
    """A mission officer who also holds a role with `view_all_person` still sees no one in
    the register: missions read what they are sent, through the portal."""
    user = make_user(roles=[Role.MISSION_OFFICER, Role.CONSULAR_OFFICER], agency=world.agencies["mission_AUS"])
    assert not person_list(actor=user).exists()


def test_mission_of_an_international_organisation_sees_nobody(world, make_user):
    mission = ForeignMissionFactory(country=None, sending_entity="Some Organisation", name_en="Org", name_id="Org")
    agency = AgencyFactory(code="t-org", kind=Agency.Kind.FOREIGN_MISSION, mission=mission)
    assert not person_list(actor=make_user(roles=[Role.MISSION_OFFICER], agency=agency)).exists()


def test_inactive_user_and_inactive_agency_see_nobody(world, make_user):
    user = make_user(roles=[Role.CONSULAR_OFFICER], agency=world.agencies["kemlu"])
    user.is_active = False
    assert person_count(actor=user) == 0
    user.is_active = True
    world.agencies["kemlu"].is_active = False
    world.agencies["kemlu"].save()
    user.agency.refresh_from_db()
    assert person_count(actor=user) == 0


def test_user_without_agency_and_anonymous_see_nobody(world, make_user):
    from django.contrib.auth.models import AnonymousUser

    user = make_user(roles=[Role.CONSULAR_OFFICER])
    user.agency = None
    assert person_count(actor=user) == 0
    assert person_count(actor=AnonymousUser()) == 0
    assert person_count(actor=None) == 0


def _client(agency: Agency, permissions: list[str], *, active: bool = True) -> ApiClient:
    _token, prefix, token_hash = ApiClient.new_token()
    return ApiClient.objects.create(
        agency=agency, name=f"system {prefix}", token_prefix=prefix, token_hash=token_hash, permissions=permissions, is_active=active
    )


@pytest.mark.parametrize(
    ("agency", "permissions", "expected"),
    [
        ("imigrasi", ["people.view_person"], {"aus", "aus_refugee", "ger"}),
        ("polri", ["people.view_person"], {"aus_asylum", "jpn"}),
        ("kemlu", ["people.view_person", "people.view_all_person"], EVERYONE),
        ("kemlu", [], set()),
        ("mission_AUS", ["people.view_person", "people.view_all_person"], set()),
        ("mission_JPN", ["people.view_person"], set()),
    ],
    ids=["imigrasi", "polri", "kemlu-all", "no-capability", "mission-AUS", "mission-JPN"],
)
def test_api_clients_follow_the_same_rules(world, agency, permissions, expected):
    api_client = _client(world.agencies[agency], permissions)
    assert set(person_list(actor=api_client).values_list("surname", flat=True)) == _names(world, expected)
    for key, person in world.people.items():
        if key in expected:
            assert person_get(actor=api_client, person_id=person.pk).pk == person.pk
        else:
            with pytest.raises(NotFound):
                person_get(actor=api_client, person_id=person.pk)


def test_revoked_api_client_sees_nobody(world):
    api_client = _client(world.agencies["kemlu"], ["people.view_person", "people.view_all_person"], active=False)
    assert person_count(actor=api_client) == 0


def test_api_client_reads_are_audited_without_a_user(world):
    from jembatan.audit.events import AuditAction
    from jembatan.audit.models import AuditEvent

    api_client = _client(world.agencies["imigrasi"], ["people.view_person"])
    person_get(actor=api_client, person_id=world.people["aus"].pk)
    event = AuditEvent.objects.filter(action=AuditAction.PERSON_VIEWED).get()
    assert event.actor_id is None
    assert event.actor_label == api_client.get_username()
    assert event.agency_id == world.agencies["imigrasi"].pk
    assert event.object_id == str(world.people["aus"].pk)


def test_malformed_person_id_is_not_found(world, make_user):
    user = make_user(roles=[Role.CONSULAR_OFFICER], agency=world.agencies["kemlu"])
    with pytest.raises(NotFound):
        person_get(actor=user, person_id="not-a-uuid")


def test_anonymous_user_is_sent_to_sign_in(client, world):
    response = client.get("/people/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert client.get(f"/people/{world.people['aus'].pk}/").status_code == 302
