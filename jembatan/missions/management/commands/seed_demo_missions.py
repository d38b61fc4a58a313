"""`manage.py seed_demo_missions`: a synthetic registry of accredited persons for demos.

Sixteen persons at the embassies of Australia and Japan, two of their consulates, an
honorary consulate and two international organisations, with families, an expired card,
an inactive record, a card that ends soon and every immunity level. No real person is
described: the names are common names put together, and every number is invented.

Idempotent: each person is found by their identity-card number and only created when
missing, so a second run creates nothing. Needs the reference data (`load_reference_data`).

Building a demo case that matches the registry (the cases demo uses these; the same
values are in `DEMO_MATCHES` below):

- **By document** — a detention of BRENNAN THOMAS JAMES, male, born 1977-11-02,
  nationality AUS, diplomatic passport **DA4701124** issued by **AUS** (family member of
  a diplomatic agent at the Embassy of Australia: full immunity, card valid). The MRZ
  may carry the number with fillers (`DA4701124`) or the officer may type "DA 470 1124":
  both match.
- **By name and date of birth** — a detention of HIROSHI YAMAMOTO (any name order), born
  **1988-12-03**, nationality JPN, holding an ordinary passport **TR8830412** (JPN) that
  is not in the registry: matches YAMAMOTO HIROSHI, administrative and technical staff at
  the Embassy of Japan, full immunity, card expired on 2025-12-31 (`card_valid` False).
- **Inactive, by document only** — MCALLISTER ROBERT JOHN, diplomatic passport
  **DA4655010** (AUS), left the post in 2025: matched by that passport only.

Other synthetic passports: BRENNAN SARAH LOUISE DA4701123 (AUS), BRENNAN OLIVIA GRACE
DA4701125 (AUS), NGUYEN DAVID MINH SA2203456 (AUS), PATEL PRIYA PA9812340 (AUS), COLLINS
MEGAN ELIZABETH DA4702210 (AUS), TAKAHASHI KENJI DJ1045871 (JPN), TAKAHASHI YUMI DJ1045872
(JPN), YAMAMOTO HIROSHI DJ2200419 (JPN), NAKAMURA AYAKA DJ2210983 (JPN), MORI TAKESHI
TR5533120 (JPN), SUSANTO BUDI X5518830 (IDN), WIJAYA HENDRA X7730215 (IDN), ERIKSSON ANNA MARIA UN0048812 (UNO),
SANTOS MIGUEL ANTONIO P4419027B (PHL).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from jembatan.audit.events import AuditAction
from jembatan.audit.services import audit_record
from jembatan.missions.models import AccreditedPerson, Category, DocumentType
from jembatan.missions.querysets import document_number_normalise
from jembatan.missions.services import accredited_person_create
from jembatan.reference.models import Country, ForeignMission

# Placeholder for "today + 21 days", so one card always ends within the home panel's 30 days
# on the day the demo is loaded.
SOON = dt.date.min


@dataclass(frozen=True)
class MissionRef:
    country: str = ""
    organisation: str = ""  # the start of `sending_entity`, for an international organisation
    mission_type: str = ForeignMission.MissionType.EMBASSY
    city: str = ""


@dataclass(frozen=True)
class DemoAccredited:
    mission: MissionRef
    category: str
    surname: str
    given_names: str
    sex: str
    birth_date: dt.date
    nationality: str
    document_type: str
    document_number: str
    issuing_state: str
    card_number: str
    card_valid_from: dt.date
    card_valid_until: dt.date
    rank: str = ""
    native_name: str = ""
    native_name_lang: str = ""
    principal_card: str = ""
    immunity_level: str = ""  # empty: derived from the category
    is_active: bool = True
    notes: str = ""


AUS_EMBASSY = MissionRef(country="AUS")
AUS_DENPASAR = MissionRef(country="AUS", mission_type=ForeignMission.MissionType.CONSULATE_GENERAL, city="Denpasar")
JPN_EMBASSY = MissionRef(country="JPN")
JPN_SURABAYA = MissionRef(country="JPN", mission_type=ForeignMission.MissionType.CONSULATE_GENERAL, city="Surabaya")
AUT_HONORARY = MissionRef(country="AUT", mission_type=ForeignMission.MissionType.HONORARY_CONSULATE, city="Surabaya")
UNHCR = MissionRef(organisation="UNHCR", mission_type=ForeignMission.MissionType.INTERNATIONAL_ORGANISATION)
ASEAN = MissionRef(organisation="ASEAN Secretariat", mission_type=ForeignMission.MissionType.INTERNATIONAL_ORGANISATION)

D = dt.date
DP, SP, PP, LP = DocumentType.DIPLOMATIC_PASSPORT, DocumentType.SERVICE_PASSPORT, DocumentType.PASSPORT, DocumentType.LAISSEZ_PASSER

# Staff before their families (a family member names the principal's card).
DEMO_ACCREDITED: tuple[DemoAccredited, ...] = (
    DemoAccredited(AUS_EMBASSY, Category.DIPLOMATIC_AGENT, "BRENNAN", "SARAH LOUISE", "F", D(1979, 5, 14), "AUS", DP, "DA4701123", "AUS",
                   "KD-2024-00117", D(2024, 2, 1), D(2029, 1, 31), rank="Counsellor (Political)"),
    DemoAccredited(AUS_EMBASSY, Category.FAMILY_OF_DIPLOMATIC_AGENT, "BRENNAN", "THOMAS JAMES", "M", D(1977, 11, 2), "AUS", DP, "DA4701124",
                   "AUS", "KD-2024-00118", D(2024, 2, 1), D(2029, 1, 31), rank="Spouse", principal_card="KD-2024-00117"),
    DemoAccredited(AUS_EMBASSY, Category.FAMILY_OF_DIPLOMATIC_AGENT, "BRENNAN", "OLIVIA GRACE", "F", D(2012, 3, 8), "AUS", DP, "DA4701125",
                   "AUS", "KD-2024-00119", D(2024, 2, 1), D(2029, 1, 31), rank="Child", principal_card="KD-2024-00117"),
    DemoAccredited(AUS_EMBASSY, Category.ADMINISTRATIVE_TECHNICAL, "NGUYEN", "DAVID MINH", "M", D(1985, 9, 21), "AUS", SP, "SA2203456", "AUS",
                   "KD-2025-00342", D(2025, 3, 1), SOON, rank="Information technology officer",
                   notes="Card renewal requested by the embassy's note."),
    DemoAccredited(AUS_EMBASSY, Category.SERVICE_STAFF, "PATEL", "PRIYA", "F", D(1990, 1, 30), "AUS", PP, "PA9812340", "AUS",
                   "KD-2025-00401", D(2025, 4, 15), D(2029, 4, 14), rank="Residence chef"),
    DemoAccredited(AUS_EMBASSY, Category.DIPLOMATIC_AGENT, "MCALLISTER", "ROBERT JOHN", "M", D(1971, 8, 5), "AUS", DP, "DA4655010", "AUS",
                   "KD-2022-00051", D(2022, 7, 1), D(2025, 6, 30), rank="First Secretary", is_active=False,
                   notes="Left the post on 30 June 2025; card returned."),
    DemoAccredited(AUS_DENPASAR, Category.CONSULAR_OFFICER, "COLLINS", "MEGAN ELIZABETH", "F", D(1982, 7, 19), "AUS", DP, "DA4702210", "AUS",
                   "KK-2024-00031", D(2024, 9, 1), D(2029, 8, 31), rank="Consul"),
    DemoAccredited(JPN_EMBASSY, Category.DIPLOMATIC_AGENT, "TAKAHASHI", "KENJI", "M", D(1975, 2, 11), "JPN", DP, "DJ1045871", "JPN",
                   "KD-2023-00211", D(2023, 9, 1), D(2029, 8, 31), rank="Counsellor", native_name="高橋 健二", native_name_lang="ja"),
    DemoAccredited(JPN_EMBASSY, Category.FAMILY_OF_DIPLOMATIC_AGENT, "TAKAHASHI", "YUMI", "F", D(1978, 6, 25), "JPN", DP, "DJ1045872", "JPN",
                   "KD-2023-00212", D(2023, 9, 1), D(2029, 8, 31), rank="Spouse", native_name="高橋 由美", native_name_lang="ja",
                   principal_card="KD-2023-00211"),
    DemoAccredited(JPN_EMBASSY, Category.ADMINISTRATIVE_TECHNICAL, "YAMAMOTO", "HIROSHI", "M", D(1988, 12, 3), "JPN", SP, "DJ2200419", "JPN",
                   "KD-2024-00305", D(2024, 1, 1), D(2025, 12, 31), rank="Attaché (communications)", native_name="山本 博",
                   native_name_lang="ja", notes="Card expired; renewal pending at the Directorate of Diplomatic Facilities."),
    DemoAccredited(JPN_SURABAYA, Category.CONSULAR_OFFICER, "NAKAMURA", "AYAKA", "F", D(1986, 4, 17), "JPN", DP, "DJ2210983", "JPN",
                   "KK-2025-00077", D(2025, 5, 1), D(2029, 4, 30), rank="Vice-Consul", native_name="中村 彩花", native_name_lang="ja"),
    DemoAccredited(JPN_EMBASSY, Category.SERVICE_STAFF, "MORI", "TAKESHI", "M", D(1970, 10, 9), "JPN", PP, "TR5533120", "JPN",
                   "KD-2022-00190", D(2022, 11, 1), D(2029, 10, 31), rank="Driver", native_name="森 武", native_name_lang="ja"),
    DemoAccredited(JPN_EMBASSY, Category.SERVICE_STAFF, "SUSANTO", "BUDI", "M", D(1983, 7, 2), "IDN", PP, "X5518830", "IDN",
                   "KD-2024-00377", D(2024, 6, 1), D(2029, 5, 31), rank="Driver (locally engaged)", immunity_level="none",
                   notes="Indonesian national engaged locally: no immunity (VCDR art. 38(2)); decided by protocol."),
    DemoAccredited(AUT_HONORARY, Category.HONORARY_CONSUL, "WIJAYA", "HENDRA", "M", D(1966, 3, 22), "IDN", PP, "X7730215", "IDN",
                   "KH-2023-00012", D(2023, 6, 1), D(2029, 5, 31), rank="Honorary Consul",
                   notes="Indonesian national: immunity for official acts only (VCCR art. 71)."),
    DemoAccredited(UNHCR, Category.INTERNATIONAL_ORGANISATION_OFFICIAL, "ERIKSSON", "ANNA MARIA", "F", D(1981, 10, 30), "SWE", LP, "UN0048812",
                   "UNO", "KO-2024-00044", D(2024, 4, 1), D(2029, 3, 31), rank="Protection Officer"),
    DemoAccredited(ASEAN, Category.INTERNATIONAL_ORGANISATION_OFFICIAL, "SANTOS", "MIGUEL ANTONIO", "M", D(1979, 1, 12), "PHL", PP,
                   "P4419027B", "PHL", "KO-2023-00019", D(2023, 8, 1), D(2029, 7, 31), rank="Assistant Director",
                   immunity_level="official_acts", notes="Level set under the ASEAN Secretariat host-country agreement."),
)  # fmt: skip

# What a demo case needs to trigger each kind of match (see the module docstring).
DEMO_MATCHES: dict[str, dict[str, Any]] = {
    "document": {"surname": "BRENNAN", "given_names": "THOMAS JAMES", "birth_date": D(1977, 11, 2), "nationality": "AUS",
                 "document_number": "DA4701124", "issuing_state": "AUS"},
    "name_and_birth_date": {"surname": "YAMAMOTO", "given_names": "HIROSHI", "birth_date": D(1988, 12, 3), "nationality": "JPN",
                            "document_number": "TR8830412", "issuing_state": "JPN"},
    "inactive_by_document": {"surname": "MCALLISTER", "given_names": "ROBERT JOHN", "birth_date": D(1971, 8, 5), "nationality": "AUS",
                             "document_number": "DA4655010", "issuing_state": "AUS"},
}  # fmt: skip


def find_mission(ref: MissionRef) -> ForeignMission | None:
    missions = ForeignMission.objects.in_force().filter(mission_type=ref.mission_type)
    missions = missions.filter(country__code=ref.country) if ref.country else missions.filter(sending_entity__istartswith=ref.organisation)
    if ref.city:
        missions = missions.filter(city__iexact=ref.city)
    return missions.order_by("city", "pk").first()


class Command(BaseCommand):
    help = "Load a synthetic registry of accredited persons (Australia, Japan and a few others). Safe to run again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Run even with production settings (never do this on a system holding real data).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if str(getattr(settings, "SETTINGS_MODULE", "")).endswith(".production") and not options["allow_production"]:
            raise CommandError("Refusing to load demo data with production settings (use --allow-production to override).")
        missions = {spec.mission: find_mission(spec.mission) for spec in DEMO_ACCREDITED}
        for required in (AUS_EMBASSY, JPN_EMBASSY):
            if missions[required] is None:
                raise CommandError("Reference data lacks the embassies of Australia and Japan. Run `manage.py load_reference_data` first.")
        codes = {spec.nationality for spec in DEMO_ACCREDITED} | {spec.issuing_state for spec in DEMO_ACCREDITED}
        countries = {c.code: c for c in Country.objects.filter(code__in=codes)}
        soon = timezone.localdate() + dt.timedelta(days=21)
        created, skipped = 0, []
        with transaction.atomic():
            for spec in DEMO_ACCREDITED:
                card = document_number_normalise(spec.card_number)
                if AccreditedPerson.objects.filter(card_number_normalised=card).exists():
                    continue
                mission = missions[spec.mission]
                if mission is None or spec.nationality not in countries or spec.issuing_state not in countries:
                    skipped.append(f"{spec.surname} {spec.given_names}")
                    continue
                principal = None
                if spec.principal_card:
                    principal = AccreditedPerson.objects.get(card_number_normalised=document_number_normalise(spec.principal_card))
                person = accredited_person_create(
                    actor=None,
                    data={
                        "mission": mission,
                        "category": spec.category,
                        "principal": principal,
                        "rank": spec.rank,
                        "surname": spec.surname,
                        "given_names": spec.given_names,
                        "native_name": spec.native_name,
                        "native_name_lang": spec.native_name_lang,
                        "sex": spec.sex,
                        "birth_date": spec.birth_date,
                        "nationality": countries[spec.nationality],
                        "document_type": spec.document_type,
                        "document_number": spec.document_number,
                        "document_issuing_state": countries[spec.issuing_state],
                        "card_number": spec.card_number,
                        "card_valid_from": spec.card_valid_from,
                        "card_valid_until": soon if spec.card_valid_until == SOON else spec.card_valid_until,
                        "immunity_level": spec.immunity_level,
                        "notes": spec.notes,
                        "is_active": spec.is_active,
                    },
                    audit_data={"demo": True},
                )
                AccreditedPerson.objects.filter(pk=person.pk).update(is_demo=True)
                created += 1
            audit_record(
                action=AuditAction.DEMO_DATA_LOADED,
                target=("missions.accreditedperson", "", "demo registry"),
                data={"created": created, "demo_accredited_persons": len(DEMO_ACCREDITED), "skipped": skipped},
            )
        self.stdout.write(self.style.SUCCESS(f"Demo registry ready; created {created} accredited persons."))
        for name in skipped:
            self.stdout.write(self.style.WARNING(f"  skipped {name}: its mission or country is not in the reference data"))
        match = DEMO_MATCHES["document"]
        self.stdout.write(
            f"A detention of {match['surname']} {match['given_names']} with passport {match['document_number']} "
            f"({match['issuing_state']}) matches the registry."
        )
