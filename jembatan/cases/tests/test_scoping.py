"""The scoping matrix: every role (and agency systems of two agencies, and anonymous) against
every case page and API operation — the status it gets, and for lists, that cases out of
scope never appear.

Expected scope (STYLE rules 8 and 21): immigration supervisors see and change every case;
consular officers see every notifiable case (all but civil cases) and change none; other
reporters see and change what their own agency reported; everyone else has no case
capability (403); anonymous users are sent to sign in (pages) or get 401 (API).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from jembatan.accounts.roles import Role
from jembatan.cases.lifecycle import CaseKind, CaseStatus
from jembatan.cases.models import Case, CaseDocument, CaseEvent
from jembatan.cases.services import case_document_attach
from jembatan.cases.tests.conftest import api_client_for, recently
from jembatan.cases.tests.factories import CaseFactory
from jembatan.cases.tests.test_documents import PDF

pytestmark = pytest.mark.django_db

CASES = ("a_det", "a_civil", "b_det", "pas_prison", "polri_crime", "polri_civil")
EVERY = frozenset(CASES)
NOTIFIABLE = frozenset({"a_det", "b_det", "pas_prison", "polri_crime"})
NEXT_STATUS = {
    CaseKind.DETENTION: CaseStatus.RELEASED,
    CaseKind.CIVIL_CASE: CaseStatus.CLOSED,
    CaseKind.IMPRISONMENT: CaseStatus.RELEASED,
    CaseKind.CRIMINAL_CASE: CaseStatus.PROSECUTION,
}
REPORTER = ["cases.view_case", "cases.add_case", "cases.change_case", "people.view_person"]


@dataclass(frozen=True)
class Actor:
    """A role in an agency, or an agency system, and what it may see and change."""

    name: str
    roles: tuple[str, ...] = ()
    agency: str = ""
    api_permissions: tuple[str, ...] | None = None  # an API client instead of a user
    sees: frozenset[str] = frozenset()
    changes: frozenset[str] = frozenset()
    may_add: bool = False
    has_capability: bool = True
    anonymous: bool = False
    own_person_case: str = "a_det"  # a case whose person this actor can see (for creating)
    extra: dict = field(default_factory=dict)


ACTORS = [
    Actor(
        "officer_a",
        (Role.IMMIGRATION_OFFICER,),
        "imm_a",
        sees=frozenset({"a_det", "a_civil"}),
        changes=frozenset({"a_det", "a_civil"}),
        may_add=True,
    ),
    Actor(
        "officer_b",
        (Role.IMMIGRATION_OFFICER,),
        "imm_b",
        sees=frozenset({"b_det"}),
        changes=frozenset({"b_det"}),
        may_add=True,
        own_person_case="b_det",
    ),
    Actor("supervisor", (Role.IMMIGRATION_SUPERVISOR,), "imm_a", sees=EVERY, changes=EVERY, may_add=True),
    Actor(
        "corrections",
        (Role.CORRECTIONS_OFFICER,),
        "pas",
        sees=frozenset({"pas_prison"}),
        changes=frozenset({"pas_prison"}),
        may_add=True,
        own_person_case="pas_prison",
    ),
    Actor(
        "partner",
        (Role.PARTNER_OFFICER,),
        "polri",
        sees=frozenset({"polri_crime", "polri_civil"}),
        changes=frozenset({"polri_crime", "polri_civil"}),
        may_add=True,
        own_person_case="polri_crime",
    ),
    Actor("consular", (Role.CONSULAR_OFFICER,), "kemlu", sees=NOTIFIABLE),
    Actor("protocol", (Role.PROTOCOL_OFFICER,), "kemlu", has_capability=False),
    Actor("analyst", (Role.ANALYST,), "kemlu", has_capability=False),
    Actor("mission_aus", (Role.MISSION_OFFICER,), "mission_aus", has_capability=False),
    Actor("mission_jpn", (Role.MISSION_OFFICER,), "mission_jpn", has_capability=False),
    Actor("auditor", (Role.AUDITOR,), "imm_a", has_capability=False),
    Actor("administrator", (Role.ADMINISTRATOR,), "imm_a", has_capability=False),
    Actor("anonymous", anonymous=True, has_capability=False),
    Actor(
        "api_imm_a",
        agency="imm_a",
        api_permissions=tuple(REPORTER),
        sees=frozenset({"a_det", "a_civil"}),
        changes=frozenset({"a_det", "a_civil"}),
        may_add=True,
    ),
    Actor(
        "api_polri",
        agency="polri",
        api_permissions=tuple(REPORTER),
        sees=frozenset({"polri_crime", "polri_civil"}),
        changes=frozenset({"polri_crime", "polri_civil"}),
        may_add=True,
        own_person_case="polri_crime",
    ),
    Actor("api_kemlu_consular", agency="kemlu", api_permissions=("cases.view_case", "cases.view_notifiable_case"), sees=NOTIFIABLE),
    Actor("api_no_capability", agency="imm_a", api_permissions=(), has_capability=False),
]
USER_ACTORS = [a for a in ACTORS if a.api_permissions is None]
IDS = [a.name for a in ACTORS]
USER_IDS = [a.name for a in USER_ACTORS]


@dataclass
class World:
    cases: dict[str, Case]
    documents: dict[str, CaseDocument]


@pytest.fixture
def world(agencies, make_user) -> World:
    def case(key: str, kind: str, agency, **extra) -> Case:
        return CaseFactory(kind=kind, reporting_agency=agency, **extra)

    cases = {
        "a_det": case("a_det", CaseKind.DETENTION, agencies.imm_a, reporting_unit=agencies.unit_a),
        "a_civil": case("a_civil", CaseKind.CIVIL_CASE, agencies.imm_a),
        "b_det": case("b_det", CaseKind.DETENTION, agencies.imm_b),
        "pas_prison": case("pas_prison", CaseKind.IMPRISONMENT, agencies.pas),
        "polri_crime": case("polri_crime", CaseKind.CRIMINAL_CASE, agencies.polri),
        "polri_civil": case("polri_civil", CaseKind.CIVIL_CASE, agencies.polri),
    }
    keeper = make_user(username="keeper", roles=[Role.IMMIGRATION_SUPERVISOR], agency=agencies.imm_a)
    documents = {
        key: case_document_attach(actor=keeper, case=c, uploaded_file=SimpleUploadedFile(f"{key}.pdf", PDF), document_type="decision")
        for key, c in cases.items()
    }
    return World(cases, documents)


class Caller:
    """Makes requests as one actor: a signed-in user (session), an API client (bearer
    token) or nobody."""

    def __init__(self, actor: Actor, agencies, make_user) -> None:
        self.actor = actor
        self.client = Client()
        self.headers: dict[str, str] = {}
        if actor.api_permissions is not None:
            _client, token = api_client_for(getattr(agencies, actor.agency), list(actor.api_permissions))
            self.headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
        elif not actor.anonymous:
            self.client.force_login(make_user(username=actor.name, roles=list(actor.roles), agency=getattr(agencies, actor.agency)))

    def get(self, url: str, **params):
        return self.client.get(url, params, **self.headers)

    def post(self, url: str, data=None, **kwargs):
        return self.client.post(url, data or {}, **self.headers, **kwargs)

    def post_json(self, url: str, payload: dict):
        return self.client.post(url, payload, content_type="application/json", **self.headers)


@pytest.fixture
def caller_for(agencies, make_user):
    return lambda actor: Caller(actor, agencies, make_user)


def _refs(text: str) -> set[str]:
    return set(re.findall(r"JBT-\d{4}-\d{6}", text))


def _page_refusal(actor: Actor, response) -> None:
    """Without any case capability: anonymous users are sent to sign in, others get 403."""
    if actor.anonymous:
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == 403


def _expected_page_status(actor: Actor, key: str, *, change: bool) -> int:
    if actor.anonymous:
        return 302
    if not actor.has_capability:
        return 403
    if key not in actor.sees:
        return 404
    if change and key not in actor.changes:
        return 403
    return 302 if change else 200


# --- pages ----------------------------------------------------------------------------------


@pytest.mark.parametrize("actor", USER_ACTORS, ids=USER_IDS)
def test_list_page(world, caller_for, actor):
    response = caller_for(actor).get("/cases/")
    if not actor.has_capability:
        _page_refusal(actor, response)
        return
    assert response.status_code == 200
    html = response.content.decode()
    assert _refs(html) == {world.cases[k].reference for k in actor.sees}
    assert f"{len(actor.sees)} kasus" in html
    # Searching or filtering never reveals more.
    assert _refs(caller_for(actor).get("/cases/", q="SURNAME").content.decode()) <= {world.cases[k].reference for k in actor.sees}


@pytest.mark.parametrize("actor", USER_ACTORS, ids=USER_IDS)
def test_detail_pages(world, caller_for, actor):
    caller = caller_for(actor)
    for key, case in world.cases.items():
        response = caller.get(f"/cases/{case.pk}/")
        assert response.status_code == _expected_page_status(actor, key, change=False), key
        if response.status_code == 200:
            assert case.reference in response.content.decode()
            # Change forms only where the actor may change the case.
            assert ('name="to_status"' in response.content.decode()) is (key in actor.changes)


@pytest.mark.parametrize("actor", USER_ACTORS, ids=USER_IDS)
def test_create_page(world, caller_for, agencies, actor):
    caller = caller_for(actor)
    person = world.cases[actor.own_person_case].person
    form = caller.get("/cases/new/", kind="detention")
    url = f"/cases/new/?kind=criminal_case&person={person.pk}"
    post = {
        "occurred_date_0": "2",
        "occurred_date_1": "1",
        "occurred_date_2": "2025",
        "occurred_time": "09.15",
        "time_zone": "Asia/Jakarta",
        "rights_informed_date_0": "2",
        "rights_informed_date_1": "1",
        "rights_informed_date_2": "2025",
        "rights_informed_time": "10.00",
        "rights_language": "en",
        "rights_answer": "declined",
    }
    response = caller.post(url, post)
    if not actor.may_add:
        _page_refusal(actor, form)
        _page_refusal(actor, response)
        assert not Case.objects.filter(kind=CaseKind.CRIMINAL_CASE).exclude(pk=world.cases["polri_crime"].pk).exists()
        return
    assert form.status_code == 200
    assert response.status_code == 302
    created = Case.objects.get(pk=response["Location"].split("/")[2])
    assert (created.kind, created.person, created.reporting_agency) == (CaseKind.CRIMINAL_CASE, person, getattr(agencies, actor.agency))


@pytest.mark.parametrize("actor", USER_ACTORS, ids=USER_IDS)
def test_change_pages(world, caller_for, actor):
    """Transition, note, event and document upload: 302 where the actor may change the
    case, 403 where they only see it, 404 where they do not see it."""
    caller = caller_for(actor)
    for key, case in world.cases.items():
        expected = _expected_page_status(actor, key, change=True)
        entries = CaseEvent.objects.filter(case=case).count()
        held = case.status in (CaseStatus.DETAINED, CaseStatus.SERVING)
        responses = [
            caller.post(f"/cases/{case.pk}/notes/", {"text": f"Note by {actor.name}"}),
            caller.post(f"/cases/{case.pk}/documents/", {"document_type": "report", "file": SimpleUploadedFile("r.pdf", PDF)}),
            caller.post(
                f"/cases/{case.pk}/events/",
                {"event-kind": "serious_illness", "event-summary": "Fever"} if held else {"event-kind": "death"},
            ),
            caller.post(f"/cases/{case.pk}/transition/", {"to_status": NEXT_STATUS[case.kind]}),
        ]
        for response in responses:
            assert response.status_code == expected, (key, response.status_code)
            if expected == 302 and actor.anonymous:
                assert "/accounts/login/" in response["Location"]
        case.refresh_from_db()
        if expected == 302 and not actor.anonymous:
            assert case.status == NEXT_STATUS[case.kind]
            assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.NOTE, summary=f"Note by {actor.name}").exists()
            assert case.documents.count() == 2
        else:
            assert CaseEvent.objects.filter(case=case).count() == entries
            assert case.documents.count() == 1


@pytest.mark.parametrize("actor", USER_ACTORS, ids=USER_IDS)
def test_document_download(world, caller_for, actor):
    caller = caller_for(actor)
    for key, document in world.documents.items():
        response = caller.get(f"/cases/{document.case_id}/documents/{document.pk}/")
        assert response.status_code == _expected_page_status(actor, key, change=False), key
        if response.status_code == 200:
            assert b"".join(response.streaming_content) == PDF
    # A document asked for under another case is not found, even when both are visible.
    if actor.sees >= {"a_det", "a_civil"}:
        other = world.documents["a_civil"]
        assert caller.get(f"/cases/{world.cases['a_det'].pk}/documents/{other.pk}/").status_code == 404


# --- API ------------------------------------------------------------------------------------


def _api_refusal(actor: Actor, response) -> None:
    assert response.status_code == (401 if actor.anonymous else 403)
    body = response.json()
    assert body["code"] == ("unauthenticated" if actor.anonymous else "permission_denied")
    assert set(body) == {"code", "message", "detail"}


@pytest.mark.parametrize("actor", ACTORS, ids=IDS)
def test_api_list_and_detail(world, caller_for, actor):
    caller = caller_for(actor)
    listed = caller.get("/api/v1/cases/", page_size=200)
    if not actor.has_capability:
        _api_refusal(actor, listed)
        _api_refusal(actor, caller.get(f"/api/v1/cases/{world.cases['a_det'].pk}"))
        return
    assert listed.status_code == 200
    body = listed.json()
    assert body["count"] == len(actor.sees)
    assert {item["reference"] for item in body["items"]} == {world.cases[k].reference for k in actor.sees}
    for key, case in world.cases.items():
        detail = caller.get(f"/api/v1/cases/{case.pk}")
        events = caller.get(f"/api/v1/cases/{case.pk}/events")
        if key in actor.sees:
            assert detail.status_code == events.status_code == 200, key
            assert detail.json()["reference"] == case.reference
            assert [e["kind"] for e in detail.json()["timeline"]][-1] == "created"
            assert events.json() == detail.json()["timeline"]
            assert bool(detail.json()["allowed_transitions"]) is (key in actor.changes)
        else:
            assert detail.status_code == events.status_code == 404, key
            assert detail.json()["code"] == "not_found"


@pytest.mark.parametrize("actor", ACTORS, ids=IDS)
def test_api_create(world, caller_for, agencies, actor):
    caller = caller_for(actor)
    person = world.cases[actor.own_person_case].person
    rights = {"rights_informed_at": recently(2).isoformat(), "rights_language": "en", "rights_answer": "declined"}
    response = caller.post_json(
        "/api/v1/cases/", {"person_id": str(person.pk), "kind": "criminal_case", "occurred_at": recently().isoformat(), **rights}
    )
    if not actor.may_add:
        _api_refusal(actor, response)
        return
    assert response.status_code == 201, response.content
    created = Case.objects.get(pk=response.json()["id"])
    assert created.reporting_agency == getattr(agencies, actor.agency)
    # A person the actor cannot see is "not found", like one that does not exist.
    hidden = world.cases["b_det" if actor.own_person_case != "b_det" else "a_det"].person
    if actor.name != "supervisor":
        refused = caller.post_json(
            "/api/v1/cases/", {"person_id": str(hidden.pk), "kind": "criminal_case", "occurred_at": recently().isoformat(), **rights}
        )
        assert refused.status_code == 404
        assert refused.json()["detail"]["field"] == "person_id"


@pytest.mark.parametrize("actor", ACTORS, ids=IDS)
def test_api_transition_and_note(world, caller_for, actor):
    caller = caller_for(actor)
    for key, case in world.cases.items():
        moved = caller.post_json(f"/api/v1/cases/{case.pk}/transitions", {"to_status": NEXT_STATUS[case.kind], "note": "via API"})
        noted = caller.post_json(f"/api/v1/cases/{case.pk}/notes", {"text": "via API"})
        if actor.anonymous:
            assert moved.status_code == noted.status_code == 401
        elif not actor.has_capability:
            assert moved.status_code == noted.status_code == 403
        elif key not in actor.sees:
            assert moved.status_code == noted.status_code == 404, key
        elif key not in actor.changes:
            assert moved.status_code == noted.status_code == 403, key
        else:
            assert moved.status_code == 200, (key, moved.content)
            assert moved.json()["status"] == NEXT_STATUS[case.kind]
            assert noted.status_code == 201
            assert noted.json()["summary"] == "via API"
        case.refresh_from_db()
        assert (case.status == NEXT_STATUS[case.kind]) is (key in actor.changes)
