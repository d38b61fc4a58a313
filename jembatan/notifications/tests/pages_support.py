"""Shared set-up of the page, access, KPI, API and section tests (helper "consular-pages"):
an immigration office in WITA with its officer, the consular desk, two missions with their
officers, and a detention of an Australian notified to the Australian embassy."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from jembatan.accounts.models import Agency, OrgUnit, User
from jembatan.accounts.roles import Role
from jembatan.accounts.tests.factories import AgencyFactory, OrgUnitFactory
from jembatan.cases.models import Case
from jembatan.cases.tests.factories import CaseFactory
from jembatan.notifications.models import Notification
from jembatan.notifications.tests.factories import NotificationFactory, mission_agency
from jembatan.people.tests.factories import PersonFactory
from jembatan.reference.models import Country, ForeignMission
from jembatan.reference.tests.factories import CountryFactory, ForeignMissionFactory


@dataclass
class World:
    imm: Agency
    unit: OrgUnit
    other: Agency
    kemlu: Agency
    aus: Country
    jpn: Country
    embassy_aus: ForeignMission
    embassy_jpn: ForeignMission
    officer: User
    other_officer: User
    desk: User
    supervisor: User
    analyst: User
    mission_aus: User
    mission_jpn: User
    case: Case
    notification: Notification

    def new_case(self, *, nationality: str = "AUS", agency: Agency | None = None, **kwargs: Any) -> Case:
        agency = agency or self.imm
        person = PersonFactory(nationalities=[nationality], recorded_by_agency=agency)
        kwargs.setdefault("reporting_unit", self.unit if agency == self.imm else None)
        return CaseFactory(person=person, reporting_agency=agency, time_zone="Asia/Makassar", **kwargs)

    def notify(self, case: Case | None = None, **kwargs: Any) -> Notification:
        case = case or self.new_case()
        country = kwargs.pop("country", self.aus)
        mission = kwargs.pop("mission", self.embassy_aus if country == self.aus else self.embassy_jpn)
        return NotificationFactory(case=case, country=country, mission=mission, **kwargs)


@pytest.fixture
def world(db, make_user) -> World:
    aus = CountryFactory(code="AUS", name_en="Australia", name_id="Australia")
    jpn = CountryFactory(code="JPN", name_en="Japan", name_id="Jepang")
    embassy_aus = ForeignMissionFactory(
        country=aus, sending_entity="Australia", name_en="Embassy of Australia", name_id="Kedutaan Besar Australia"
    )
    embassy_jpn = ForeignMissionFactory(country=jpn, sending_entity="Japan", name_en="Embassy of Japan", name_id="Kedutaan Besar Jepang")
    imm = AgencyFactory(code="imigrasi-t", kind=Agency.Kind.IMMIGRATION, name_id="Imigrasi Bali", name_en="Bali Immigration")
    unit = OrgUnitFactory(agency=imm, code="kanim-dps-t", name_id="Kanim Denpasar", name_en="Denpasar Office", time_zone="Asia/Makassar")
    other = AgencyFactory(code="pas-t", kind=Agency.Kind.CORRECTIONS, name_id="Ditjen PAS", name_en="Corrections")
    kemlu = AgencyFactory(code="kemlu-t", kind=Agency.Kind.FOREIGN_MINISTRY, name_id="Kemlu", name_en="MFA")
    officer = make_user(username="petugas", roles=[Role.IMMIGRATION_OFFICER], agency=imm, unit=unit)
    other_officer = make_user(username="lapas", roles=[Role.CORRECTIONS_OFFICER], agency=other)
    desk = make_user(username="konsuler", roles=[Role.CONSULAR_OFFICER], agency=kemlu, full_name="Siti Rahma")
    supervisor = make_user(username="supervisor", roles=[Role.CONSULAR_SUPERVISOR], agency=kemlu)
    analyst = make_user(username="analis", roles=[Role.ANALYST], agency=kemlu)
    mission_aus = make_user(username="au.officer", roles=[Role.MISSION_OFFICER], agency=mission_agency(embassy_aus))
    mission_jpn = make_user(username="jp.officer", roles=[Role.MISSION_OFFICER], agency=mission_agency(embassy_jpn))
    person = PersonFactory(surname="WALKER", given_names="JAMES", native_name="", nationalities=["AUS"], recorded_by_agency=imm)
    case = CaseFactory(
        person=person,
        reporting_agency=imm,
        reporting_unit=unit,
        time_zone="Asia/Makassar",
        occurred_at=timezone.now() - dt.timedelta(hours=10),
    )
    notification = NotificationFactory(case=case, country=aus, mission=embassy_aus)
    return World(
        imm=imm,
        unit=unit,
        other=other,
        kemlu=kemlu,
        aus=aus,
        jpn=jpn,
        embassy_aus=embassy_aus,
        embassy_jpn=embassy_jpn,
        officer=officer,
        other_officer=other_officer,
        desk=desk,
        supervisor=supervisor,
        analyst=analyst,
        mission_aus=mission_aus,
        mission_jpn=mission_jpn,
        case=case,
        notification=notification,
    )


def dispatched(notification: Notification, *, at: dt.datetime | None = None) -> Notification:
    """Mark a notification dispatched straight in the table (tests of what comes after)."""
    Notification.objects.filter(pk=notification.pk).update(status="dispatched", dispatched_at=at or timezone.now())
    notification.refresh_from_db()
    return notification
