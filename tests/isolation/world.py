"""The data set of the isolation matrix: two missions (Australia and Japan), every agency
role, and persons whose records each role may or may not see, built through the real
services (engine, dispatch, access, portal) where they exist so the rows look like real use.

Each object records, by hand and from the rules of DESIGN.md / domain.md (not from the code
under test), which role keys may see it: `seen_by`. The matrix compares every answer with
that expectation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jembatan.accounts.models import Agency, User
from jembatan.accounts.roles import Role
from jembatan.accounts.tests.factories import AgencyFactory, OrgUnitFactory, UserFactory
from jembatan.cases.models import Case, CaseEvent
from jembatan.cases.tests.factories import CaseFactory
from jembatan.missions.tests.factories import AccreditedPersonFactory
from jembatan.notifications.models import Notification
from jembatan.notifications.tests.factories import MissionContactFactory, RightsAdviceFactory, mission_agency
from jembatan.people.models import Person
from jembatan.people.tests.factories import IdentityDocumentFactory, PersonFactory
from jembatan.reference.models import Country
from jembatan.reference.tests.factories import CountryFactory, DetentionCentreFactory, ForeignMissionFactory

# A minimal valid PDF (the portal and case-document upload sniff the signature).
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj "
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)

# Role keys: the user each one is signed in as (None: anonymous).
AU_MISSION = frozenset({"au_officer", "au_lead"})
JP_MISSION = frozenset({"jp_officer", "jp_lead"})
MISSION_ROLES = AU_MISSION | JP_MISSION
CONSULAR = frozenset({"consular", "consular_sup"})
ROLE_KEYS = (
    "anon",
    "imm_officer",
    "imm_supervisor",
    "corrections",
    "partner",
    "consular",
    "consular_sup",
    "protocol",
    "analyst",
    "joint_team",
    "admin",
    "auditor",
    "au_officer",
    "au_lead",
    "jp_officer",
    "jp_lead",
)

# The role each role key holds.
ROLE_ROLES = {
    "imm_officer": Role.IMMIGRATION_OFFICER,
    "imm_supervisor": Role.IMMIGRATION_SUPERVISOR,
    "corrections": Role.CORRECTIONS_OFFICER,
    "partner": Role.PARTNER_OFFICER,
    "consular": Role.CONSULAR_OFFICER,
    "consular_sup": Role.CONSULAR_SUPERVISOR,
    "protocol": Role.PROTOCOL_OFFICER,
    "analyst": Role.ANALYST,
    "joint_team": Role.JOINT_TEAM_MEMBER,
    "admin": Role.ADMINISTRATOR,
    "auditor": Role.AUDITOR,
    "au_officer": Role.MISSION_OFFICER,
    "au_lead": Role.MISSION_LEAD,
    "jp_officer": Role.MISSION_OFFICER,
    "jp_lead": Role.MISSION_LEAD,
}
# Staff of each reporting agency who see that agency's own cases (with `cases.view_case`).
AGENCY_STAFF = {"imm": frozenset({"imm_officer"}), "pas": frozenset({"corrections"}), "polri": frozenset({"partner"})}
# Words that would disclose protection to a mission (domain.md §2.7), in both languages.
PROTECTION_WORDS = ("refugee", "pengungsi", "asylum", "suaka")


@dataclass
class Subject:
    """One person and everything recorded about them, with who may see what."""

    key: str
    person: Person
    case: Case | None
    agency: str
    nationalities: tuple[str, ...]
    document: str
    notifications: dict[str, Notification] = field(default_factory=dict)  # by mission: "AU"/"JP"
    protected: bool = False

    @property
    def name_strings(self) -> tuple[str, ...]:
        """What identifies the person in any output: names, document number, case reference."""
        out = [self.person.surname, self.person.given_names, self.document]
        if self.case is not None:
            out.append(self.case.reference)
        out += [n.reference for n in self.notifications.values()]
        return tuple(out)


@dataclass
class World:
    users: dict[str, User]
    agencies: dict[str, Agency]
    countries: dict[str, Country]
    missions: dict[str, Any]
    subjects: dict[str, Subject]
    objects: dict[str, list[tuple[str, Any, frozenset[str]]]]  # kind -> [(label, obj, seen_by)]

    def user(self, role_key: str) -> User | None:
        return self.users.get(role_key)


def _staff_case_viewers(agency: str) -> frozenset[str]:
    """Who sees a detention reported by `agency`: its own staff, immigration supervisors
    (every case), the consular desk (every notifiable case)."""
    return AGENCY_STAFF[agency] | {"imm_supervisor"} | CONSULAR


def build_world() -> World:
    from jembatan.notifications.access import access_request_create, visit_record
    from jembatan.notifications.dispatch import notification_dispatch
    from jembatan.notifications.engine import assess_case_event
    from jembatan.notifications.services import letter_log
    from jembatan.portal.services.inquiries import inquiry_create
    from jembatan.portal.services.messages import message_send, thread_open

    now = timezone.now()
    aus = CountryFactory(code="AUS", name_en="Australia", name_id="Australia")
    jpn = CountryFactory(code="JPN", name_en="Japan", name_id="Jepang")
    emb_au = ForeignMissionFactory(
        country=aus, sending_entity="Australia", name_en="Embassy of Australia", name_id="Kedutaan Besar Australia"
    )
    emb_jp = ForeignMissionFactory(country=jpn, sending_entity="Japan", name_en="Embassy of Japan", name_id="Kedutaan Besar Jepang")
    MissionContactFactory(mission=emb_au, email="consular@australia.example")
    MissionContactFactory(mission=emb_jp, email="ryoji@japan.example")
    centre = DetentionCentreFactory(code="RDN-ISO", name_id="Rudenim Isolasi", name_en="Isolation Detention Centre")
    imm = AgencyFactory(code="imigrasi-iso", kind=Agency.Kind.IMMIGRATION, name_id="Imigrasi", name_en="Immigration")
    unit = OrgUnitFactory(agency=imm, code="kanim-iso", name_id="Kanim Isolasi", name_en="Isolation Office", time_zone="Asia/Makassar")
    pas = AgencyFactory(code="pas-iso", kind=Agency.Kind.CORRECTIONS, name_id="Ditjen PAS", name_en="Corrections")
    polri = AgencyFactory(code="polri-iso", kind=Agency.Kind.PARTNER_AGENCY, name_id="Polri", name_en="Police")
    kemlu = AgencyFactory(code="kemlu-iso", kind=Agency.Kind.FOREIGN_MINISTRY, name_id="Kemlu", name_en="MFA")
    au_agency, jp_agency = mission_agency(emb_au), mission_agency(emb_jp)

    def u(key: str, role: str, agency: Agency, **kw: Any) -> User:
        return UserFactory(
            username=key.replace("_", "."),
            roles=[role],
            agency=agency,
            with_totp=role in ("administrator", "mission_officer", "mission_lead"),
            **kw,
        )

    users = {
        "imm_officer": u("imm_officer", Role.IMMIGRATION_OFFICER, imm, unit=unit, full_name="Budi Petugas"),
        "imm_supervisor": u("imm_supervisor", Role.IMMIGRATION_SUPERVISOR, imm, unit=unit),
        "corrections": u("corrections", Role.CORRECTIONS_OFFICER, pas),
        "partner": u("partner", Role.PARTNER_OFFICER, polri),
        "consular": u("consular", Role.CONSULAR_OFFICER, kemlu, full_name="Siti Konsuler"),
        "consular_sup": u("consular_sup", Role.CONSULAR_SUPERVISOR, kemlu),
        "protocol": u("protocol", Role.PROTOCOL_OFFICER, kemlu),
        "analyst": u("analyst", Role.ANALYST, kemlu),
        "joint_team": u("joint_team", Role.JOINT_TEAM_MEMBER, imm),
        "admin": u("admin", Role.ADMINISTRATOR, kemlu),
        "auditor": u("auditor", Role.AUDITOR, kemlu),
        "au_officer": u("au_officer", Role.MISSION_OFFICER, au_agency, full_name="Jane Consul"),
        "au_lead": u("au_lead", Role.MISSION_LEAD, au_agency, full_name="Mark Headofpost"),
        "jp_officer": u("jp_officer", Role.MISSION_OFFICER, jp_agency, full_name="Yuki Ryoji"),
        "jp_lead": u("jp_lead", Role.MISSION_LEAD, jp_agency, full_name="Kenta Taishi"),
    }
    agencies = {"imm": imm, "pas": pas, "polri": polri, "kemlu": kemlu}
    country = {"AUS": aus, "JPN": jpn}
    reporter = {"imm": users["imm_officer"], "pas": users["corrections"], "polri": users["partner"]}
    subjects: dict[str, Subject] = {}

    def subject(
        key: str,
        surname: str,
        given: str,
        nats: list[str],
        agency: str,
        document: str,
        *,
        answer: str | None,
        dispatch: bool = True,
        **flags: Any,
    ) -> Subject:
        ag = agencies[agency]
        person = PersonFactory(surname=surname, given_names=given, nationalities=nats, recorded_by_agency=ag, **flags)
        IdentityDocumentFactory(person=person, number=document, issuing_state=country[nats[0]])
        case = CaseFactory(
            person=person,
            reporting_agency=ag,
            reporting_unit=unit if agency == "imm" else None,
            detention_centre=centre,
            time_zone="Asia/Makassar",
            occurred_at=now - dt.timedelta(hours=6),
        )
        s = Subject(key, person, case, agency, tuple(nats), document, protected=bool(flags))
        if answer is not None:
            RightsAdviceFactory(case=case, answer=answer)
        created = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.CREATED)
        assess_case_event(created.pk)
        for n in Notification.objects.filter(case=case).select_related("mission"):
            side = "AU" if n.mission_id == emb_au.pk else "JP"
            if dispatch:
                n = notification_dispatch(actor=users["consular"], notification=n)
            s.notifications[side] = n
        subjects[key] = s
        return s

    walker = subject("walker", "WALKER", "JAMES", ["AUS"], "imm", "PA1234567", answer="requested")
    tanaka = subject("tanaka", "TANAKA", "HIROSHI", ["JPN"], "imm", "TK9876543", answer="requested")
    morgan = subject("morgan", "MORGANSATO", "EMILY", ["AUS", "JPN"], "pas", "PB7654321", answer="requested")
    hassan = subject("hassan", "HASSANI", "AMIR", ["AUS"], "imm", "PC1112223", answer="requested", is_refugee=True)
    darwish = subject("darwish", "DARWISHI", "OMAR", ["AUS"], "polri", "PD4445556", answer="declined", is_asylum_seeker=True)
    suzuki = subject("suzuki", "SUZUKIYA", "KENJI", ["JPN"], "pas", "TM5556667", answer="requested", dispatch=False)
    assert set(walker.notifications) == {"AU"}, "the engine notifies a national who asked"
    assert set(tanaka.notifications) == {"JP"}, "the engine notifies a national who asked"
    assert set(morgan.notifications) == {"AU", "JP"}, "a dual national is notified to both missions"
    assert set(hassan.notifications) == {"AU"}, "a refugee who asked is notified"
    assert darwish.notifications == {}, "an asylum seeker who did not ask is not notified"
    assert set(suzuki.notifications) == {"JP"}
    assert suzuki.notifications["JP"].status == "to_check"

    # Consular access, visits, letters, inquiries, threads with attachments, case documents.
    objects: dict[str, list[tuple[str, Any, frozenset[str]]]] = {
        k: [] for k in ("access", "letter", "inquiry", "thread", "attachment", "document")
    }
    for s, side, officer in ((walker, "AU", "au_officer"), (tanaka, "JP", "jp_officer"), (morgan, "JP", "jp_officer")):
        n = s.notifications[side]
        mission_keys = AU_MISSION if side == "AU" else JP_MISSION
        staff = _staff_case_viewers(s.agency)
        ar = access_request_create(
            actor=users[officer], case=s.case, mission=n.mission, kind="visit", proposed_times=[now + dt.timedelta(days=1)], notification=n
        )
        visit_record(
            actor=reporter[s.agency],
            case=s.case,
            mission=n.mission,
            occurred_at=now - dt.timedelta(hours=1),
            officers="Consul visiting",
            access_request=ar,
        )
        objects["access"].append((f"access:{s.key}:{side}", ar, staff | mission_keys))
        thread = thread_open(actor=users[officer], notification=n)
        message_send(
            actor=users[officer],
            thread=thread,
            body=f"About {s.person.surname}: please confirm the place of detention.",
            attachments=[SimpleUploadedFile(f"{s.person.surname.lower()}-note.pdf", PDF, content_type="application/pdf")],
        )
        objects["thread"].append((f"thread:{s.key}:{side}", thread, CONSULAR | mission_keys))
        for att in thread.messages.first().attachments.all():  # type: ignore[union-attr]
            objects["attachment"].append((f"attachment:{s.key}:{side}", att, CONSULAR | mission_keys))
        letter = letter_log(
            actor=reporter[s.agency], case=s.case, received_at=now - dt.timedelta(hours=2), description=f"Letter from {s.person.surname}"
        )
        objects["letter"].append((f"letter:{s.key}", letter, staff))
    for s, officer, side in ((walker, "au_officer", "AU"), (tanaka, "jp_officer", "JP")):
        inquiry = inquiry_create(
            actor=users[officer],
            surname=s.person.surname,
            given_names=s.person.given_names,
            purpose="family",
            birth_year=1985,
            document_number=s.document,
        )
        objects["inquiry"].append((f"inquiry:{s.key}", inquiry, CONSULAR | (AU_MISSION if side == "AU" else JP_MISSION)))

    from jembatan.cases.services.documents import case_document_attach

    for s in (walker, tanaka, darwish):
        doc = case_document_attach(
            actor=reporter[s.agency],
            case=s.case,
            uploaded_file=SimpleUploadedFile(f"{s.person.surname.lower()}-decision.pdf", PDF, content_type="application/pdf"),
            document_type="decision",
        )
        objects["document"].append((f"document:{s.key}", doc, _staff_case_viewers(s.agency)))

    # Protocol's registry of accredited persons: a Japanese diplomat (not personal data of a
    # detainee, but personal data; protocol and immigration supervisors only).
    accredited = AccreditedPersonFactory(
        mission=emb_jp, nationality=jpn, document_issuing_state=jpn, surname="DIPLOMATO", given_names="AKIRA"
    )
    objects["accredited"] = [("accredited:jp", accredited, frozenset({"protocol", "imm_supervisor"}))]

    # Traffic: permits (one expired: an overstay) and crossings of the Australian and Japanese nationals.
    from jembatan.traffic.tests.query_support import crossing, permit

    today = timezone.localdate()
    objects["permit"] = []
    for s, state in ((walker, "AUS"), (tanaka, "JPN")):
        crossing(s.document, now - dt.timedelta(days=40), "A", state=state, surname=s.person.surname, given_names=s.person.given_names)
        p = permit(
            s.document,
            today - dt.timedelta(days=40),
            today - dt.timedelta(days=10),
            state=state,
            surname=s.person.surname,
            given_names=s.person.given_names,
        )
        objects["permit"].append((f"permit:{s.key}", p, frozenset({"imm_supervisor"})))
    from jembatan.traffic.tests.query_support import batch

    objects["batch"] = [("batch:queries", batch(), frozenset({"imm_supervisor", "admin"}))]

    # Mission staff and contacts: the ministry's administrators and consular supervisors
    # manage any mission's; a mission lead only its own.
    from jembatan.missions.models import MissionContact
    from jembatan.notifications.models import NotificationDelivery

    ministry = frozenset({"admin", "consular_sup"})
    objects["mission"] = [(f"mission:{k}", m, ministry | {"protocol", f"{k.lower()}_lead"}) for k, m in (("AU", emb_au), ("JP", emb_jp))]
    objects["mission_user"] = [
        ("mission_user:au", users["au_officer"], ministry | {"au_lead"}),
        ("mission_user:jp", users["jp_officer"], ministry | {"jp_lead"}),
    ]
    objects["contact"] = [
        (f"contact:{k}", MissionContact.objects.filter(mission=m).first(), ministry | {"protocol", f"{k.lower()}_lead"})
        for k, m in (("AU", emb_au), ("JP", emb_jp))
    ]
    # An administrator manages the users of its own agency (the ministry's here); mission
    # users are managed through the portal's mission pages.
    objects["staff_user"] = [
        ("staff_user:kemlu", users["consular"], frozenset({"admin"})),
        ("staff_user:imm", users["imm_officer"], frozenset()),
        ("staff_user:au", users["au_officer"], frozenset()),
    ]
    objects["delivery"] = [
        (f"delivery:{s.key}:{side}", d, _staff_case_viewers(s.agency))
        for s in subjects.values()
        for side, n in s.notifications.items()
        for d in NotificationDelivery.objects.filter(notification=n)[:1]
    ]

    world = World(
        users=users, agencies=agencies, countries=country, missions={"AU": emb_au, "JP": emb_jp}, subjects=subjects, objects=objects
    )
    world.objects.update(_subject_objects(world))
    return world


def _subject_objects(world: World) -> dict[str, list[tuple[str, Any, frozenset[str]]]]:
    """Persons, cases and notifications with who sees them, by the rules of DESIGN.md:

    - persons: the recording agency's staff, `view_all_person` (consular desk, immigration
      supervisors); a mission its own nationals, never one flagged refugee or asylum seeker;
    - cases: the reporting agency's staff, immigration supervisors, the consular desk
      (detentions are notifiable); never a mission;
    - notifications: the staff who see the case; a mission the ones sent to it.
    """
    persons, cases, notes = [], [], []
    for s in world.subjects.values():
        missions: frozenset[str] = frozenset()
        if not s.protected:
            missions = (AU_MISSION if "AUS" in s.nationalities else frozenset()) | (JP_MISSION if "JPN" in s.nationalities else frozenset())
        persons.append((f"person:{s.key}", s.person, AGENCY_STAFF[s.agency] | {"imm_supervisor"} | CONSULAR | missions))
        cases.append((f"case:{s.key}", s.case, _staff_case_viewers(s.agency)))
        for side, n in s.notifications.items():
            sent = n.status in ("dispatched", "acknowledged")
            mission = (AU_MISSION if side == "AU" else JP_MISSION) if sent else frozenset()
            notes.append((f"notification:{s.key}:{side}", n, _staff_case_viewers(s.agency) | mission))
    return {"person": persons, "case": cases, "notification": notes}


def forbidden_strings(world: World, role: str) -> dict[str, str]:
    """Strings that must never appear in any answer to `role`: what identifies a person the
    role may see in no way at all, and the references of notifications it may not see.
    Value: why (for the failure message)."""
    if role in ("auditor",):  # the audit log is about everyone
        return {}
    seen_notes = {label for label, _o, seen in world.objects["notification"] if role in seen}
    seen_any: set[str] = set()
    for kind, rows in world.objects.items():
        if kind in ("accredited", "permit"):
            continue
        for label, _obj, seen in rows:
            if role in seen:
                seen_any.add(label.split(":")[1])
    out: dict[str, str] = {}
    for s in world.subjects.values():
        if s.key not in seen_any:
            for text in (s.person.surname, s.document, s.case.reference if s.case else ""):
                if text:
                    out[text] = f"{s.key} is outside the scope of {role}"
        for side, n in s.notifications.items():
            if f"notification:{s.key}:{side}" not in seen_notes and role in MISSION_ROLES:
                out[n.reference] = f"notification {s.key}:{side} is not {role}'s"
    return out


def add_japanese_traffic(world: World) -> None:
    """Japan's side gets busier: a newly detained Japanese national notified and dispatched,
    an inquiry and a message. Nothing here concerns Australia."""
    from jembatan.notifications.dispatch import notification_dispatch
    from jembatan.notifications.engine import assess_case_event
    from jembatan.portal.services.inquiries import inquiry_create
    from jembatan.portal.services.messages import message_send, thread_open

    imm = world.agencies["imm"]
    person = PersonFactory(surname="YAMADAKO", given_names="TARO", nationalities=["JPN"], recorded_by_agency=imm)
    case = CaseFactory(person=person, reporting_agency=imm, time_zone="Asia/Makassar", occurred_at=timezone.now() - dt.timedelta(hours=3))
    RightsAdviceFactory(case=case, answer="requested")
    assess_case_event(CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.CREATED).pk)
    n = notification_dispatch(actor=world.users["consular"], notification=Notification.objects.get(case=case))
    jp = world.users["jp_officer"]
    inquiry_create(actor=jp, surname="YAMADAKO", purpose="welfare", birth_year=1990)
    message_send(actor=jp, thread=thread_open(actor=jp, notification=n), body="Please confirm.")
