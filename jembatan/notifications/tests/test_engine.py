"""The notification engine end to end on recorded cases: decisions with their reason and rule
version, notifications per mission with their deadline, the timeline, the audit log, the
desk's alerts, reassessment when the person asks, idempotence, routing and the cut-off."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone

from jembatan.accounts.models import Agency, Alert
from jembatan.accounts.roles import Role
from jembatan.accounts.tests.factories import AgencyFactory, OrgUnitFactory
from jembatan.audit.events import AuditAction
from jembatan.audit.models import AuditEvent
from jembatan.cases.lifecycle import CaseKind
from jembatan.cases.models import CaseEvent
from jembatan.cases.services import case_create, case_event_report, case_transition
from jembatan.notifications import engine
from jembatan.notifications.models import (
    CountryPolicy,
    Notification,
    NotificationDecision,
    NotificationStatus,
    Outcome,
    Reason,
)
from jembatan.notifications.policies import consular_policies_load, policy_change
from jembatan.notifications.routing import district_covers, missions_for
from jembatan.notifications.services import rights_advice_record
from jembatan.people.tests.factories import PersonFactory
from jembatan.reference.models import ForeignMission, LegalBasis
from jembatan.reference.tests.factories import CountryFactory, DetentionCentreFactory, ForeignMissionFactory

WITA = ZoneInfo("Asia/Makassar")
WIT = ZoneInfo("Asia/Jayapura")


def _mission(code: str, kind: str = "embassy", city: str = "Jakarta Selatan", province: str = "DKI Jakarta", **extra) -> ForeignMission:
    return ForeignMissionFactory(
        country=CountryFactory(code=code),
        sending_entity=f"State {code}",
        mission_type=kind,
        city=city,
        province=province,
        name_en=f"{kind} of {code} in {city}",
        **extra,
    )


@pytest.fixture
def world(db, make_user):
    for code in ("AUS", "BRN", "PHL", "JPN", "GBR", "AFG", "FJI", "KIR", "TUV", "IDN", "CHE"):
        CountryFactory(code=code, name_en=f"Country {code}")
    consular_policies_load()
    imm = AgencyFactory(code="imigrasi", kind=Agency.Kind.IMMIGRATION)
    bali = OrgUnitFactory(agency=imm, code="kanim-denpasar", time_zone="Asia/Makassar")
    papua = OrgUnitFactory(agency=imm, code="kanim-jayapura", time_zone="Asia/Jayapura")
    kemlu = AgencyFactory(code="kemlu", kind=Agency.Kind.FOREIGN_MINISTRY)
    world = SimpleNamespace(
        imm=imm,
        officer=make_user(username="officer", roles=[Role.IMMIGRATION_OFFICER], agency=imm, unit=bali),
        papua_officer=make_user(username="officer.papua", roles=[Role.IMMIGRATION_OFFICER], agency=imm, unit=papua),
        desk=make_user(username="desk", roles=[Role.CONSULAR_OFFICER], agency=kemlu),
        supervisor=make_user(username="desk.lead", roles=[Role.CONSULAR_SUPERVISOR], agency=kemlu),
        denpasar=DetentionCentreFactory(code="RDN-DPS", province="Bali", time_zone="Asia/Makassar"),
        jayapura=DetentionCentreFactory(code="RDN-JAP", province="Papua", time_zone="Asia/Jayapura"),
        basis=LegalBasis.objects.create(
            law="UU 6/2011", article="83", paragraph="(1)", kind="detention", summary_en="x", summary_id="x", valid_from=dt.date(2011, 5, 5)
        ),
        aus_embassy=_mission("AUS"),
        aus_bali=_mission(
            "AUS",
            "consulate_general",
            "Denpasar",
            "Bali",
            consular_district="Consular district: Bali, Nusa Tenggara Barat and Nusa Tenggara Timur (per consulate web page)",
        ),
        jpn_embassy=_mission("JPN"),
        gbr_embassy=_mission("GBR"),
        afg_embassy=_mission("AFG"),
        phl_embassy=_mission("PHL"),
        fji_abroad=_mission("FJI", city="Canberra", province="(abroad)", is_resident=False),
        che_embassy=_mission("CHE"),
    )
    return world


def _detain(world, nationalities, *, answer="requested", officer=None, centre=None, hours_ago=5, **person):
    officer = officer or world.officer
    someone = PersonFactory(nationalities=nationalities, recorded_by_agency=world.imm, **person)
    now = timezone.now().replace(microsecond=0)
    return case_create(
        actor=officer,
        person=someone,
        kind=CaseKind.DETENTION,
        data={
            "occurred_at": now - dt.timedelta(hours=hours_ago),
            "detention_ground": "a",
            "detention_centre": centre or world.denpasar,
            "legal_basis": world.basis,
            "rights_informed_at": now - dt.timedelta(hours=hours_ago - 1),
            "rights_language": "en",
            "rights_answer": answer,
        },
    )


def _decisions(case):
    return list(NotificationDecision.objects.filter(case=case).order_by("decided_at"))


def test_a_mandatory_detention_is_notified_to_the_consulate_of_the_district(world):
    case = _detain(world, ["AUS"], answer="declined")

    assert engine.assess_pending() >= 1

    (decision,) = _decisions(case)
    policy = CountryPolicy.objects.get(country__code="AUS")
    assert (decision.outcome, decision.reason, decision.trigger, decision.country.code) == ("notify", "mandatory", "detention", "AUS")
    assert decision.policy == policy
    assert decision.rule_version.startswith("rules ")
    assert policy.rule_version in decision.rule_version
    assert decision.case_event.kind == CaseEvent.Kind.CREATED
    (notification,) = Notification.objects.filter(decision=decision)
    assert notification.mission == world.aus_bali  # Bali is in the Denpasar consulate's district
    assert notification.reference == f"NK-{timezone.localdate().year}-000001"
    assert (notification.status, notification.basis, notification.via_protecting_power) == ("to_check", "mandatory", False)
    assert notification.event_at == case.occurred_at
    assert notification.due_at == case.occurred_at + dt.timedelta(hours=24)
    assert notification.time_zone == "Asia/Makassar"
    assert notification.person == case.person
    assert not notification.automatic
    entry = case.events.get(kind=CaseEvent.Kind.NOTIFICATION_DECIDED)
    assert notification.reference in entry.summary
    assert entry.actor is None
    audit = AuditEvent.objects.get(action=AuditAction.NOTIFICATION_DECIDED)
    assert audit.data["decisions"][0]["reason"] == "mandatory"
    assert audit.data["decisions"][0]["rule_version"] == decision.rule_version
    alert = Alert.objects.get(recipient=world.desk)
    assert notification.reference in alert.title
    assert alert.url == f"/notifications/{notification.pk}/"
    assert Alert.objects.filter(recipient=world.supervisor).exists()
    assert not Alert.objects.filter(recipient=world.officer).exists()


def test_assessing_twice_decides_once(world):
    case = _detain(world, ["JPN"])
    engine.assess_pending()
    engine.assess_pending()
    created = case.events.get(kind=CaseEvent.Kind.CREATED)
    assert engine.assess_case_event(created.pk) == _decisions(case)[:1]
    assert Notification.objects.filter(case=case).count() == 1
    assert case.events.filter(kind=CaseEvent.Kind.NOTIFICATION_DECIDED).count() == 1
    assert Alert.objects.filter(recipient=world.desk).count() == 1
    assert not engine.pending_entries().exists()


def test_a_decline_then_a_request_reassesses_the_detention(world):
    case = _detain(world, ["JPN"], answer="declined")
    engine.assess_pending()
    (declined,) = _decisions(case)
    assert (declined.outcome, declined.reason) == ("not_notified", "declined")
    assert not Notification.objects.exists()
    entry = case.events.get(kind=CaseEvent.Kind.NOTIFICATION_DECIDED)
    assert "declined" in entry.summary

    asked_at = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=30)
    rights_advice_record(actor=world.officer, case=case, informed_at=asked_at, language="ja", answer="requested", interpreter="JFT")
    engine.assess_pending()

    latest = _decisions(case)[-1]
    assert (latest.outcome, latest.reason, latest.trigger) == ("notify", "requested", "detention")
    assert latest.case_event.kind == CaseEvent.Kind.RIGHTS_ADVISED
    (notification,) = Notification.objects.filter(case=case)
    assert notification.mission == world.jpn_embassy  # no Japanese consulate covers Bali here
    assert notification.event_at == asked_at
    assert notification.due_at == asked_at + dt.timedelta(hours=72)
    # Asking again changes nothing: nothing is waiting any more.
    rights_advice_record(actor=world.officer, case=case, informed_at=timezone.now(), language="ja", answer="requested")
    engine.assess_pending()
    assert Notification.objects.filter(case=case).count() == 1
    assert _decisions(case)[-1].reason == Reason.NOT_NOTIFIABLE


def test_a_refugee_who_has_not_asked_is_held_back_and_the_timeline_stays_neutral(world):
    case = _detain(world, ["AFG"], answer="no_answer", is_refugee=True)
    engine.assess_pending()
    (decision,) = _decisions(case)
    assert (decision.outcome, decision.reason) == ("held_back", "protected_person")
    assert not Notification.objects.exists()
    summary = case.events.get(kind=CaseEvent.Kind.NOTIFICATION_DECIDED).summary.lower()
    for word in ("refugee", "asylum", "protect", "pengungsi", "suaka"):
        assert word not in summary
    assert not Alert.objects.exists()


def test_a_dual_national_gets_one_decision_per_state(world):
    case = _detain(world, ["AUS", "GBR"], answer="declined")
    engine.assess_pending()
    decisions = {d.country.code: d for d in _decisions(case)}
    assert (decisions["AUS"].outcome, decisions["GBR"].outcome) == ("notify", "not_notified")
    assert [n.mission for n in Notification.objects.filter(case=case)] == [world.aus_bali]


def test_an_indonesian_dual_national_and_a_stateless_person_are_not_notified(world):
    local = _detain(world, ["AUS", "IDN"])
    stateless = _detain(world, [], is_stateless=True)
    engine.assess_pending()
    # (The request recorded at intake has nothing to reopen: it is marked not notifiable.)
    assert [(d.country.code, d.reason) for d in _decisions(local) if d.country] == [("AUS", "local_national")]
    assert {(d.country, d.reason) for d in _decisions(stateless)} == {(None, "stateless"), (None, "not_notifiable")}
    assert not Notification.objects.exists()


def test_no_resident_mission_the_protecting_power_or_none(world):
    policy_change(actor=world.supervisor, country="KIR", valid_from=dt.date(2020, 1, 1), protecting_power="CHE")
    abroad = _detain(world, ["FJI"])
    protected = _detain(world, ["KIR"])
    nowhere = _detain(world, ["TUV"])
    engine.assess_pending()
    to_fiji = Notification.objects.get(case=abroad)
    assert (to_fiji.mission, to_fiji.via_protecting_power) == (world.fji_abroad, False)
    to_kiribati = Notification.objects.get(case=protected)
    assert (to_kiribati.mission, to_kiribati.via_protecting_power) == (world.che_embassy, True)
    to_tuvalu = Notification.objects.get(case=nowhere)
    assert to_tuvalu.mission is None
    alert = Alert.objects.get(recipient=world.desk, title__contains=to_tuvalu.reference)
    assert alert.level == Alert.Level.URGENT
    assert "another channel" in alert.body
    assert "no mission on record" in nowhere.events.get(kind=CaseEvent.Kind.NOTIFICATION_DECIDED).summary


def test_the_deadline_counts_from_the_event_in_any_zone(world):
    # Detained at 10.00 WIT in Jayapura by the Jayapura office: due 24 h later, shown in WIT.
    event = timezone.now().astimezone(WIT).replace(minute=0, second=0, microsecond=0) - dt.timedelta(hours=6)
    case = _detain(world, ["PHL"], officer=world.papua_officer, centre=world.jayapura, hours_ago=2)
    case.occurred_at = event
    case.save(update_fields=["occurred_at"])
    engine.assess_pending()
    notification = Notification.objects.get(case=case)
    assert notification.time_zone == "Asia/Jayapura"
    assert notification.due_at == event + dt.timedelta(hours=24)
    assert notification.due_at.astimezone(WIT).hour == event.hour
    assert notification.mission == world.phl_embassy


def test_article_37_death_and_later_events(world):
    case = _detain(world, ["JPN"], answer="declined")
    engine.assess_pending()
    case_event_report(actor=world.officer, case=case, kind=CaseEvent.Kind.TRANSFER, detention_centre=world.jayapura)
    case_event_report(actor=world.officer, case=case, kind=CaseEvent.Kind.DEATH, summary="Heart failure")
    engine.assess_pending()
    transfer = NotificationDecision.objects.get(case=case, trigger="transfer")
    assert (transfer.outcome, transfer.reason) == ("not_notified", "declined")
    death_case = case.follow_up_cases.get(kind=CaseKind.DEATH)
    (death,) = _decisions(death_case)
    assert (death.outcome, death.reason, death.trigger) == (Outcome.NOTIFY, "article_37", "death")
    # The death entry on the detention is not notified a second time.
    assert not NotificationDecision.objects.filter(case=case, trigger="death").exists()
    assert Notification.objects.filter(case=death_case).count() == 1


def test_deportation_is_notified_and_a_civil_case_is_not(world):
    case = _detain(world, ["AUS"])
    case_transition(actor=world.officer, case=case, to_status="deported")
    civil = case_create(
        actor=world.officer,
        person=PersonFactory(nationalities=["AUS"], recorded_by_agency=world.imm),
        kind=CaseKind.CIVIL_CASE,
        data={"occurred_at": timezone.now() - dt.timedelta(hours=1), "place_description": "Denpasar"},
    )
    engine.assess_pending()
    assert NotificationDecision.objects.filter(case=case, trigger="deportation", outcome="notify").exists()
    assert not NotificationDecision.objects.filter(case=civil).exists()
    assert not engine.pending_entries().exists()


def test_only_entries_after_the_cutoff_are_assessed(world, settings):
    old = _detain(world, ["AUS"])
    settings.NOTIFICATIONS_ASSESS_SINCE = (timezone.now() + dt.timedelta(seconds=1)).isoformat()
    assert engine.assess_pending() == 0
    assert not NotificationDecision.objects.filter(case=old).exists()
    settings.NOTIFICATIONS_ASSESS_SINCE = "2000-01-01"
    assert engine.assess_pending() >= 1


def test_automatic_dispatch_goes_out_in_the_same_transaction(world, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    policy_change(actor=world.supervisor, country="CHE", valid_from=dt.date(2020, 1, 1), automatic_dispatch=True)
    case = _detain(world, ["CHE"])
    engine.assess_pending()
    notification = Notification.objects.get(case=case)
    assert notification.automatic
    assert notification.status == NotificationStatus.DISPATCHED
    assert not Alert.objects.filter(title__contains=notification.reference).exists()


def test_routing_by_consular_district():
    assert district_covers("Consular district: Bali, Nusa Tenggara Barat and Nusa Tenggara Timur", "Nusa Tenggara Timur")
    assert district_covers("Bali, Nusa Tenggara, Sulawesi, Maluku, Papua", "Sulawesi Selatan")
    assert not district_covers("District not verified", "Bali")
    assert not district_covers("Jawa Timur, Kalimantan Timur", "Jawa Tengah")


def test_missions_for_prefers_the_district_consulate(world):
    aus = world.aus_embassy.country
    assert missions_for(aus, province="Nusa Tenggara Barat") == ([world.aus_bali], False)
    assert missions_for(aus, province="Jawa Barat") == ([world.aus_embassy], False)
    assert missions_for(aus) == ([world.aus_embassy], False)


def test_the_job_is_periodic():
    assert settings.JOBS_PERIODIC["notifications.assess"] == ("jembatan.notifications.engine.assess_pending_job", 30)
