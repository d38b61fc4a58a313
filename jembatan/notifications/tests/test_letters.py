"""The detaining side's other duties: letters from the detainee to the post (logged, forwarded
within 24 hours) and a changed answer on consular notification."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jembatan.accounts.models import Agency, Alert
from jembatan.accounts.roles import Role
from jembatan.accounts.tests.factories import AgencyFactory, OrgUnitFactory
from jembatan.audit.events import AuditAction
from jembatan.audit.models import AuditEvent
from jembatan.cases.models import CaseEvent
from jembatan.cases.tests.factories import CaseFactory
from jembatan.core.exceptions import ApplicationError, Conflict, NotFound, PermissionDenied
from jembatan.notifications.services import LETTER_DEADLINE, letter_forward, letter_log, rights_advice_record
from jembatan.notifications.tests.factories import NotificationFactory
from jembatan.people.tests.factories import PersonFactory
from jembatan.reference.tests.factories import CountryFactory, DetentionCentreFactory, ForeignMissionFactory


@pytest.fixture
def setup(db, make_user, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    imm = AgencyFactory(code="imigrasi", kind=Agency.Kind.IMMIGRATION)
    other = AgencyFactory(code="imigrasi-lain", kind=Agency.Kind.IMMIGRATION)
    kemlu = AgencyFactory(code="kemlu", kind=Agency.Kind.FOREIGN_MINISTRY)
    unit = OrgUnitFactory(agency=imm, code="rudenim-denpasar", time_zone="Asia/Makassar")
    jpn = CountryFactory(code="JPN")
    embassy = ForeignMissionFactory(country=jpn, name_en="Embassy of Japan")
    person = PersonFactory(nationalities=["JPN"], recorded_by_agency=imm)
    case = CaseFactory(
        person=person,
        reporting_agency=imm,
        reporting_unit=unit,
        time_zone="Asia/Makassar",
        detention_centre=DetentionCentreFactory(code="RDN-DPS"),
    )
    return {
        "case": case,
        "embassy": embassy,
        "officer": make_user(username="petugas", roles=[Role.IMMIGRATION_OFFICER], agency=imm, unit=unit),
        "stranger": make_user(username="lain", roles=[Role.IMMIGRATION_OFFICER], agency=other),
        "desk": make_user(username="konsuler", roles=[Role.CONSULAR_OFFICER], agency=kemlu),
    }


def test_a_letter_is_logged_routed_alerted_and_forwarded_once(setup):
    case, officer, desk = setup["case"], setup["officer"], setup["desk"]
    handed = timezone.now().replace(microsecond=0) - dt.timedelta(hours=2)
    scan = SimpleUploadedFile("surat.pdf", b"%PDF-1.4 test", content_type="application/pdf")

    letter = letter_log(actor=officer, case=case, received_at=handed, description="Sealed letter to the consul, 2 pages", scan=scan)

    assert letter.mission == setup["embassy"]  # no notification yet: the competent post by routing
    assert letter.due_at == handed + LETTER_DEADLINE == handed + dt.timedelta(hours=24)
    assert letter.recorded_by == officer
    assert letter.scan.name.endswith(".pdf")
    entry = case.events.get(kind=CaseEvent.Kind.LETTER_LOGGED)
    assert entry.occurred_at == handed
    assert entry.data["letter_id"] == str(letter.pk)
    assert AuditEvent.objects.filter(action=AuditAction.LETTER_LOGGED, object_id=str(letter.pk)).exists()
    alert = Alert.objects.get(recipient=desk)
    assert case.reference in alert.title
    assert alert.url == f"/notifications/letters/{letter.pk}/forward/"

    with pytest.raises(PermissionDenied):
        letter_forward(actor=officer, letter=letter, note="Handed over")
    with pytest.raises(ApplicationError) as error:
        letter_forward(actor=desk, letter=letter, note="  ")
    assert error.value.field == "note"
    forwarded = letter_forward(actor=desk, letter=letter, note="Scan e-mailed to the consular section; original by diplomatic bag")
    assert forwarded.forwarded_at is not None
    assert forwarded.forwarded_by == desk
    assert case.events.get(kind=CaseEvent.Kind.LETTER_FORWARDED).data["in_time"] is True
    assert AuditEvent.objects.get(action=AuditAction.LETTER_FORWARDED).data["in_time"] is True
    with pytest.raises(Conflict):
        letter_forward(actor=desk, letter=letter, note="Again")


def test_a_letter_goes_to_the_mission_already_notified(setup):
    case = setup["case"]
    consulate = ForeignMissionFactory(country=CountryFactory(code="JPN"), mission_type="consulate_general", city="Denpasar", name_en="CG")
    NotificationFactory(case=case, country=consulate.country, mission=consulate)
    letter = letter_log(actor=setup["officer"], case=case, received_at=timezone.now(), description="Letter")
    assert letter.mission == consulate


def test_logging_a_letter_is_refused_with_named_fields(setup):
    case, officer = setup["case"], setup["officer"]
    with pytest.raises(ApplicationError) as error:
        letter_log(
            actor=officer,
            case=case,
            received_at=timezone.now() + dt.timedelta(hours=1),
            description="",
            scan=SimpleUploadedFile("surat.exe", b"MZ"),
        )
    assert [e["field"] for e in error.value.extra["errors"]] == ["received_at", "description", "scan"]
    with pytest.raises(NotFound):
        letter_log(actor=setup["stranger"], case=case, received_at=timezone.now(), description="Letter")
    with pytest.raises(PermissionDenied):
        letter_log(actor=setup["desk"], case=case, received_at=timezone.now(), description="Letter")
    ban = CaseFactory(kind="entry_ban", person=case.person, reporting_agency=case.reporting_agency)
    with pytest.raises(ApplicationError) as error:
        letter_log(actor=officer, case=ban, received_at=timezone.now(), description="Letter")
    assert error.value.field == "case"
    assert not case.detainee_letters.exists()


def test_a_changed_answer_is_recorded_and_checked(setup):
    case, officer = setup["case"], setup["officer"]
    when = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=10)
    advice = rights_advice_record(
        actor=officer, case=case, informed_at=when, language="JA", answer="requested", interpreter="Sworn interpreter", statement=""
    )
    assert (advice.language, advice.answer, advice.recorded_by, advice.informed_at) == ("ja", "requested", officer, when)
    entry = case.events.get(kind=CaseEvent.Kind.RIGHTS_ADVISED)
    assert entry.data == {"advice_id": str(advice.pk), "answer": "requested", "language": "ja", "objects_to_visits": False}
    assert AuditEvent.objects.get(action=AuditAction.RIGHTS_ADVICE_RECORDED).data["answer"] == "requested"
    # Naive times are read in the case's zone (WITA).
    naive = rights_advice_record(actor=officer, case=case, informed_at=dt.datetime(2025, 1, 2, 9, 0), language="en", answer="declined")
    assert naive.informed_at == dt.datetime(2025, 1, 2, 1, 0, tzinfo=dt.UTC)

    with pytest.raises(ApplicationError) as error:
        rights_advice_record(
            actor=officer,
            case=case,
            informed_at=when,
            language="",
            answer="maybe",
            objects_to_visits=True,
            nationality_known_at=when + dt.timedelta(minutes=5),
        )
    fields = [e["field"] for e in error.value.extra["errors"]]
    assert fields == ["nationality_known_at", "rights_language", "rights_answer", "rights_statement"]
    with pytest.raises(NotFound):
        rights_advice_record(actor=setup["stranger"], case=case, informed_at=when, language="en", answer="requested")
    with pytest.raises(PermissionDenied):
        rights_advice_record(actor=setup["desk"], case=case, informed_at=when, language="en", answer="requested")
    assert case.rights_advice.count() == 2
