"""Shared set-up of the portal tests: two missions (Australia and Japan) with an officer and
a lead each, the consular desk and its supervisor, an administrator, an immigration office
with its supervisor, and detentions of nationals of both countries notified to their
embassies (facts computed by the dispatch module, as at a real dispatch)."""

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
from jembatan.people.tests.factories import IdentityDocumentFactory, PersonFactory
from jembatan.reference.models import Country, DetentionCentre, ForeignMission
from jembatan.reference.tests.factories import CountryFactory, DetentionCentreFactory, ForeignMissionFactory


@dataclass
class Portal:
    imm: Agency
    unit: OrgUnit
    kemlu: Agency
    aus: Country
    jpn: Country
    embassy_aus: ForeignMission
    embassy_jpn: ForeignMission
    rudenim: DetentionCentre
    immigration_supervisor: User
    desk: User
    supervisor: User
    admin: User
    au: User
    au_lead: User
    jp: User
    jp_lead: User

    def case(self, *, nationality: str = "AUS", surname: str = "WALKER", given_names: str = "JAMES", **person: Any) -> Case:
        p = PersonFactory(surname=surname, given_names=given_names, nationalities=[nationality], recorded_by_agency=self.imm, **person)
        return CaseFactory(
            person=p,
            reporting_agency=self.imm,
            reporting_unit=self.unit,
            detention_centre=self.rudenim,
            time_zone="Asia/Makassar",
            occurred_at=timezone.now() - dt.timedelta(hours=10),
        )

    def notify(self, case: Case | None = None, *, country: Country | None = None, sent: bool = True, **kwargs: Any) -> Notification:
        """A notification to the embassy of `country` (default: the case person's first
        nationality), dispatched now unless `sent=False`."""
        from jembatan.notifications.dispatch import notification_facts

        case = case or self.case()
        if country is None:
            country = case.person.nationality_links.first().country
        mission = self.embassy_aus if country.code == "AUS" else self.embassy_jpn
        n = NotificationFactory(case=case, country=country, mission=mission, **kwargs)
        if sent:
            n.facts = notification_facts(n)
            n.status = "dispatched"
            n.dispatched_at = timezone.now()
            n.save(update_fields=["facts", "status", "dispatched_at"])
        return n


@pytest.fixture
def portal(db, make_user) -> Portal:
    aus = CountryFactory(code="AUS", name_en="Australia", name_id="Australia")
    jpn = CountryFactory(code="JPN", name_en="Japan", name_id="Jepang")
    embassy_aus = ForeignMissionFactory(
        country=aus, sending_entity="Australia", name_en="Embassy of Australia", name_id="Kedutaan Besar Australia"
    )
    embassy_jpn = ForeignMissionFactory(country=jpn, sending_entity="Japan", name_en="Embassy of Japan", name_id="Kedutaan Besar Jepang")
    imm = AgencyFactory(code="imigrasi-p", kind=Agency.Kind.IMMIGRATION, name_id="Imigrasi", name_en="Immigration")
    unit = OrgUnitFactory(agency=imm, code="kanim-dps-p", name_id="Kanim Denpasar", name_en="Denpasar Office", time_zone="Asia/Makassar")
    kemlu = AgencyFactory(code="kemlu-p", kind=Agency.Kind.FOREIGN_MINISTRY, name_id="Kemlu", name_en="MFA")
    rudenim = DetentionCentreFactory(code="RDN-DPS-P", name_id="Rudenim Denpasar", name_en="Denpasar Immigration Detention Centre")
    au_agency = mission_agency(embassy_aus)
    jp_agency = mission_agency(embassy_jpn)
    return Portal(
        imm=imm,
        unit=unit,
        kemlu=kemlu,
        aus=aus,
        jpn=jpn,
        embassy_aus=embassy_aus,
        embassy_jpn=embassy_jpn,
        rudenim=rudenim,
        immigration_supervisor=make_user(username="imm.sup", roles=[Role.IMMIGRATION_SUPERVISOR], agency=imm, unit=unit),
        desk=make_user(username="konsuler", roles=[Role.CONSULAR_OFFICER], agency=kemlu, full_name="Siti Rahma"),
        supervisor=make_user(username="konsuler.kepala", roles=[Role.CONSULAR_SUPERVISOR], agency=kemlu),
        admin=make_user(username="admin.kemlu", roles=[Role.ADMINISTRATOR], agency=kemlu),
        au=make_user(username="au.officer", roles=[Role.MISSION_OFFICER], agency=au_agency, full_name="Jane Consul"),
        au_lead=make_user(username="au.lead", roles=[Role.MISSION_LEAD], agency=au_agency),
        jp=make_user(username="jp.officer", roles=[Role.MISSION_OFFICER], agency=jp_agency),
        jp_lead=make_user(username="jp.lead", roles=[Role.MISSION_LEAD], agency=jp_agency),
    )


__all__ = ["IdentityDocumentFactory", "Portal", "portal"]
