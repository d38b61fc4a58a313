"""`manage.py seed_demo`: agencies, units, one user per role and synthetic foreign nationals.

Idempotent: everything is found by its natural key (agency and unit codes, usernames, the
passport of each person) and only created when missing, so a second run creates nothing.
Deterministic: the persons' document numbers and dates come from `random.Random(2026)`
drawn in the order of `DEMO_PEOPLE`; add new people at the end to keep the others stable.
No real person is described: the names are common names of each country put together.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import random
import string
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from config.env import env_str
from jembatan.accounts.models import Agency, OrgUnit, User
from jembatan.accounts.roles import Role
from jembatan.audit.events import AuditAction
from jembatan.audit.services import audit_record
from jembatan.people import mrz
from jembatan.people.models import IdentityDocument, Nationality, Person, Sex
from jembatan.reference.models import Country, DetentionCentre, ForeignMission, ImmigrationOffice

DEFAULT_DEMO_PASSWORD = "Jembatan-Demo-2026!"
DEMO_USERNAME_PREFIX = "demo."


def demo_password() -> str:
    return env_str("DEMO_PASSWORD", DEFAULT_DEMO_PASSWORD)


def demo_totp_secret(username: str) -> str:
    """A fixed TOTP secret per demo user (base32 of SHA-1 of the username, 32 characters),
    so a demo can be reproduced on any machine. Demo only: anyone can compute it."""
    return base64.b32encode(hashlib.sha1(username.encode(), usedforsecurity=False).digest()).decode()


@dataclass(frozen=True)
class AgencySpec:
    code: str
    kind: str
    name_id: str
    name_en: str
    mission_country: str = ""  # ISO alpha-3 of the embassy in Jakarta this agency is


@dataclass(frozen=True)
class UnitSpec:
    code: str
    agency: str
    kind: str
    name_id: str = ""
    name_en: str = ""
    time_zone: str = "Asia/Jakarta"
    parent: str = ""
    immigration_office: str = ""  # reference.ImmigrationOffice code: names and zone come from it
    detention_centre: str = ""  # reference.DetentionCentre code


@dataclass(frozen=True)
class UserSpec:
    username: str
    role: str
    agency: str
    unit: str
    full_name: str


@dataclass(frozen=True)
class PersonSpec:
    """One synthetic person: nationalities (first is primary and issues the passport unless
    `issuing_state` says otherwise), native-script name, name as printed in the passport."""

    nationalities: tuple[str, ...]
    native_lang: str
    native_name: str
    surname: str
    given_names: str
    sex: str
    recorded_by: str
    is_refugee: bool = False
    is_asylum_seeker: bool = False
    is_stateless: bool = False
    is_trafficking_victim: bool = False
    birth_precision: str = "day"  # day, month, year
    issuing_state: str = ""
    document_type: str = IdentityDocument.DocumentType.PASSPORT
    extra: dict[str, Any] = field(default_factory=dict)


IMIGRASI, KEMLU, POLRI, PAS = "ditjen-imigrasi", "kemlu-protkons", "polri", "ditjen-pas"

DEMO_AGENCIES: tuple[AgencySpec, ...] = (
    AgencySpec(IMIGRASI, Agency.Kind.IMMIGRATION, "Direktorat Jenderal Imigrasi", "Directorate General of Immigration"),
    AgencySpec(
        KEMLU,
        Agency.Kind.FOREIGN_MINISTRY,
        "Direktorat Jenderal Protokol dan Konsuler, Kementerian Luar Negeri",
        "Directorate General of Protocol and Consular Affairs, Ministry of Foreign Affairs",
    ),
    AgencySpec(POLRI, Agency.Kind.PARTNER_AGENCY, "Kepolisian Negara Republik Indonesia", "Indonesian National Police"),
    AgencySpec(PAS, Agency.Kind.CORRECTIONS, "Direktorat Jenderal Pemasyarakatan", "Directorate General of Corrections"),
    AgencySpec("kedubes-aus", Agency.Kind.FOREIGN_MISSION, "Kedutaan Besar Australia", "Embassy of Australia", mission_country="AUS"),
    AgencySpec("kedubes-jpn", Agency.Kind.FOREIGN_MISSION, "Kedutaan Besar Jepang", "Embassy of Japan", mission_country="JPN"),
)

DEMO_UNITS: tuple[UnitSpec, ...] = (
    UnitSpec(
        "imigrasi-pusat",
        IMIGRASI,
        OrgUnit.Kind.HEADQUARTERS,
        "Kantor Pusat Direktorat Jenderal Imigrasi",
        "Directorate General of Immigration headquarters",
    ),
    UnitSpec(
        "imigrasi-dit-kerja-sama",
        IMIGRASI,
        OrgUnit.Kind.DIRECTORATE,
        "Direktorat Kerja Sama Keimigrasian",
        "Directorate of Immigration Cooperation",
        parent="imigrasi-pusat",
    ),
    UnitSpec("kanim-ngurah-rai", IMIGRASI, OrgUnit.Kind.IMMIGRATION_OFFICE, immigration_office="KANIM-NGURAH-RAI"),
    UnitSpec("kanim-denpasar", IMIGRASI, OrgUnit.Kind.IMMIGRATION_OFFICE, immigration_office="KANIM-DENPASAR"),
    UnitSpec("kanim-soekarno-hatta", IMIGRASI, OrgUnit.Kind.IMMIGRATION_OFFICE, immigration_office="KANIM-SOEKARNO-HATTA"),
    UnitSpec("kanim-jayapura", IMIGRASI, OrgUnit.Kind.IMMIGRATION_OFFICE, immigration_office="KANIM-JAYAPURA"),
    UnitSpec("rudenim-jakarta", IMIGRASI, OrgUnit.Kind.DETENTION_CENTRE, detention_centre="RDN-JKT"),
    UnitSpec("rudenim-denpasar", IMIGRASI, OrgUnit.Kind.DETENTION_CENTRE, detention_centre="RDN-DPS"),
    UnitSpec("kemlu-dit-konsuler", KEMLU, OrgUnit.Kind.DIRECTORATE, "Direktorat Konsuler", "Directorate of Consular Affairs"),
    UnitSpec(
        "kemlu-dit-fasilitas-diplomatik",
        KEMLU,
        OrgUnit.Kind.DIRECTORATE,
        "Direktorat Fasilitas Diplomatik",
        "Directorate of Diplomatic Facilities",
    ),
    UnitSpec("polda-bali", POLRI, OrgUnit.Kind.POLICE_UNIT, "Kepolisian Daerah Bali", "Bali Regional Police", "Asia/Makassar"),
    UnitSpec(
        "lapas-kerobokan",
        PAS,
        OrgUnit.Kind.PRISON,
        "Lembaga Pemasyarakatan Kelas IIA Kerobokan",
        "Kerobokan Class IIA Prison",
        "Asia/Makassar",
    ),
    UnitSpec(
        "kedubes-aus-konsuler",
        "kedubes-aus",
        OrgUnit.Kind.MISSION_SECTION,
        "Bagian Konsuler Kedutaan Besar Australia",
        "Consular Section, Embassy of Australia",
    ),
    UnitSpec(
        "kedubes-jpn-konsuler",
        "kedubes-jpn",
        OrgUnit.Kind.MISSION_SECTION,
        "Bagian Konsuler Kedutaan Besar Jepang",
        "Consular Section, Embassy of Japan",
    ),
)

DEMO_USERS: tuple[UserSpec, ...] = (
    UserSpec("demo.imigrasi", Role.IMMIGRATION_OFFICER, IMIGRASI, "kanim-ngurah-rai", "Demo Petugas Imigrasi"),
    UserSpec("demo.supervisor", Role.IMMIGRATION_SUPERVISOR, IMIGRASI, "imigrasi-pusat", "Demo Supervisor Imigrasi"),
    UserSpec("demo.lapas", Role.CORRECTIONS_OFFICER, PAS, "lapas-kerobokan", "Demo Petugas Lapas"),
    UserSpec("demo.konsuler", Role.CONSULAR_OFFICER, KEMLU, "kemlu-dit-konsuler", "Demo Petugas Konsuler"),
    UserSpec("demo.konsuler.kepala", Role.CONSULAR_SUPERVISOR, KEMLU, "kemlu-dit-konsuler", "Demo Kepala Subdirektorat Kekonsuleran"),
    UserSpec("demo.protokol", Role.PROTOCOL_OFFICER, KEMLU, "kemlu-dit-fasilitas-diplomatik", "Demo Petugas Protokol"),
    UserSpec("demo.analis", Role.ANALYST, KEMLU, "kemlu-dit-konsuler", "Demo Analis"),
    UserSpec("demo.timgabungan", Role.JOINT_TEAM_MEMBER, IMIGRASI, "imigrasi-dit-kerja-sama", "Demo Anggota Tim Gabungan"),
    UserSpec("demo.polri", Role.PARTNER_OFFICER, POLRI, "polda-bali", "Demo Petugas Polri"),
    UserSpec("demo.admin.imigrasi", Role.ADMINISTRATOR, IMIGRASI, "imigrasi-pusat", "Demo Administrator Imigrasi"),
    UserSpec("demo.admin.kemlu", Role.ADMINISTRATOR, KEMLU, "kemlu-dit-konsuler", "Demo Administrator Kemlu"),
    UserSpec("demo.auditor", Role.AUDITOR, IMIGRASI, "imigrasi-pusat", "Demo Auditor"),
    UserSpec("demo.kedubes.au", Role.MISSION_OFFICER, "kedubes-aus", "kedubes-aus-konsuler", "Demo Consular Officer, Australia"),
    UserSpec("demo.kedubes.jp", Role.MISSION_OFFICER, "kedubes-jpn", "kedubes-jpn-konsuler", "Demo Consular Officer, Japan"),
    UserSpec("demo.kedubes.au.kepala", Role.MISSION_LEAD, "kedubes-aus", "kedubes-aus-konsuler", "Demo Consular Head, Australia"),
)

M, F = Sex.MALE, Sex.FEMALE

# Names as printed in the passport's visual zone (surname, given names) and as written in
# the person's own script. The MRZ is composed from the printed names (Ü→UE, É→E, …).
DEMO_PEOPLE: tuple[PersonSpec, ...] = (
    PersonSpec(("CHN",), "zh-Hans", "王秀英", "WANG", "XIUYING", F, IMIGRASI),
    PersonSpec(("CHN",), "zh-Hans", "李伟", "LI", "WEI", M, POLRI),
    PersonSpec(("CHN",), "zh-Hans", "张丽娟", "ZHANG", "LIJUAN", F, PAS),
    PersonSpec(("RUS",), "ru", "Иван Петров", "PETROV", "IVAN", M, IMIGRASI),
    PersonSpec(("RUS", "ISR"), "ru", "Дмитрий Коган", "KOGAN", "DMITRII", M, IMIGRASI),
    PersonSpec(("UKR",), "uk", "Олена Коваленко", "KOVALENKO", "OLENA", F, POLRI),
    PersonSpec(("SAU",), "ar", "محمد عبد الله الحربي", "ALHARBI", "MOHAMMED ABDULLAH", M, IMIGRASI),
    PersonSpec(("EGY",), "ar", "أحمد حسن محمود", "MAHMOUD", "AHMED HASSAN", M, PAS),
    PersonSpec(("THA",), "th", "สมชาย ใจดี", "JAIDEE", "SOMCHAI", M, IMIGRASI),
    PersonSpec(("KOR",), "ko", "김민준", "KIM", "MINJUN", M, POLRI),
    PersonSpec(("KOR",), "ko", "이서연", "LEE", "SEOYEON", F, IMIGRASI),
    PersonSpec(("JPN",), "ja", "佐藤 花子", "SATO", "HANAKO", F, IMIGRASI),
    PersonSpec(("JPN",), "ja", "鈴木 健太", "SUZUKI", "KENTA", M, POLRI),
    PersonSpec(("JPN",), "ja", "田中 美咲", "TANAKA", "MISAKI", F, PAS),
    PersonSpec(("IND",), "hi", "राहुल शर्मा", "SHARMA", "RAHUL", M, IMIGRASI),
    PersonSpec(("BGD",), "bn", "মোহাম্মদ রহিম উদ্দিন", "UDDIN", "MOHAMMAD RAHIM", M, IMIGRASI),
    PersonSpec(("IRN",), "fa", "علی رضایی", "REZAEI", "ALI", M, IMIGRASI, is_asylum_seeker=True),
    PersonSpec(("AFG",), "fa-AF", "فاطمه احمدی", "AHMADI", "FATEMA", F, IMIGRASI, is_refugee=True, birth_precision="year"),
    PersonSpec(("GRC",), "el", "Γεώργιος Παπαδόπουλος", "PAPADOPOULOS", "GEORGIOS", M, POLRI),
    PersonSpec(("ISR",), "he", "נועה כהן", "COHEN", "NOA", F, IMIGRASI),
    PersonSpec(("GEO",), "ka", "გიორგი ბერიძე", "BERIDZE", "GIORGI", M, IMIGRASI),
    PersonSpec(("ARM",), "hy", "Արմեն Հովհաննիսյան", "HOVHANNISYAN", "ARMEN", M, PAS),
    PersonSpec(("ETH",), "am", "አበበ ከበደ", "KEBEDE", "ABEBE", M, IMIGRASI),
    PersonSpec(("MMR",), "my", "အောင်ကိုကို", "AUNG KO KO", "", M, IMIGRASI, is_trafficking_victim=True),
    PersonSpec(("KHM",), "km", "សុខ ដារ៉ា", "SOK", "DARA", M, POLRI),
    PersonSpec(("VNM",), "vi", "Nguyễn Thị Hương", "NGUYEN", "THI HUONG", F, IMIGRASI),
    PersonSpec(("VNM",), "vi", "Trần Văn Minh", "TRAN", "VAN MINH", M, PAS),
    PersonSpec(("LAO",), "lo", "ສົມພອນ ພົມມະວົງ", "PHOMMAVONG", "SOMPHONE", M, IMIGRASI),
    PersonSpec(("AUS", "GBR"), "en", "Chloe Mitchell", "MITCHELL", "CHLOE", F, IMIGRASI),
    PersonSpec(("AUS", "IRL"), "en", "Liam O'Connor", "O'CONNOR", "LIAM", M, POLRI),
    PersonSpec(("AUS",), "en", "Jessica Tran", "TRAN", "JESSICA", F, PAS),
    PersonSpec(("AUS",), "en", "Matthew James Kowalski", "KOWALSKI", "MATTHEW JAMES", M, IMIGRASI),
    PersonSpec(("D",), "de", "Jürgen Müller", "MÜLLER", "JÜRGEN", M, IMIGRASI),
    PersonSpec(("FRA", "LBN"), "ar", "كريم حداد", "HADDAD", "KARIM", M, IMIGRASI),
    PersonSpec(("FRA",), "fr", "Émilie Lefèvre", "LEFÈVRE", "ÉMILIE", F, POLRI),
    PersonSpec(("ESP",), "es", "José Luis García Fernández", "GARCÍA FERNÁNDEZ", "JOSÉ LUIS", M, IMIGRASI),
    PersonSpec(("BRA",), "pt-BR", "João Pedro Souza", "SOUZA", "JOÃO PEDRO", M, IMIGRASI),
    PersonSpec(("NLD",), "nl", "Daan de Vries", "DE VRIES", "DAAN", M, POLRI),
    PersonSpec(("GBR",), "en", "Oliver Hughes", "HUGHES", "OLIVER", M, IMIGRASI),
    PersonSpec(("USA",), "en", "Emily Rose Johnson", "JOHNSON", "EMILY ROSE", F, IMIGRASI),
    PersonSpec(("NGA",), "en", "Chinedu Okafor", "OKAFOR", "CHINEDU", M, PAS),
    PersonSpec(("TUR",), "tr", "Mehmet Yılmaz", "YILMAZ", "MEHMET", M, IMIGRASI),
    PersonSpec(("PAK",), "ur", "عثمان علی", "ALI", "USMAN", M, POLRI),
    PersonSpec(("PHL",), "fil", "Maria Cristina Santos Reyes", "REYES", "MARIA CRISTINA SANTOS", F, IMIGRASI),
    PersonSpec(("MYS",), "ms", "Nur Aisyah binti Ahmad", "NUR AISYAH BINTI AHMAD", "", F, IMIGRASI),
    PersonSpec(("LKA",), "si", "සුනිල් පෙරේරා", "PERERA", "SUNIL", M, IMIGRASI),
    PersonSpec(("NPL",), "ne", "सीता थापा", "THAPA", "SITA", F, PAS),
    PersonSpec(("MNG",), "mn", "Батбаяр Дорж", "DORJ", "BATBAYAR", M, IMIGRASI),
    PersonSpec(("SOM",), "so", "Cabdi Maxamed Xasan", "HASSAN", "ABDI MOHAMED", M, IMIGRASI, is_refugee=True, birth_precision="month"),
    PersonSpec(("SDN",), "ar", "آمنة عثمان إبراهيم", "IBRAHIM", "AMNA OSMAN", F, IMIGRASI, is_asylum_seeker=True),
    PersonSpec(
        ("XXA",),
        "ar",
        "حسن علي",
        "ALI",
        "HASSAN",
        M,
        IMIGRASI,
        is_stateless=True,
        issuing_state="D",
        document_type=IdentityDocument.DocumentType.TRAVEL_DOCUMENT,
    ),
    PersonSpec(("MEX",), "es", "Ana Sofía Hernández López", "HERNÁNDEZ LÓPEZ", "ANA SOFÍA", F, POLRI),
    PersonSpec(("ITA",), "it", "Giulia Romano", "ROMANO", "GIULIA", F, IMIGRASI),
    PersonSpec(("SGP",), "zh-Hans", "陈志明", "TAN", "CHEE MENG", M, POLRI),
    PersonSpec(("PNG",), "en", "Peter Kila", "KILA", "PETER", M, IMIGRASI),
    PersonSpec(("TLS",), "pt", "Maria da Costa Soares", "SOARES", "MARIA DA COSTA", F, IMIGRASI),
)

# Every code the demo needs in reference data (nationalities and issuing states).
DEMO_COUNTRY_CODES: frozenset[str] = frozenset(
    {code for spec in DEMO_PEOPLE for code in spec.nationalities} | {spec.issuing_state for spec in DEMO_PEOPLE if spec.issuing_state}
)
DEMO_IMMIGRATION_OFFICES = frozenset(u.immigration_office for u in DEMO_UNITS if u.immigration_office)
DEMO_DETENTION_CENTRES = frozenset(u.detention_centre for u in DEMO_UNITS if u.detention_centre)
DEMO_MISSION_COUNTRIES = frozenset(a.mission_country for a in DEMO_AGENCIES if a.mission_country)

# Issue dates are drawn before this day, so the data does not depend on when it is loaded.
REFERENCE_DAY = dt.date(2026, 1, 15)


def _document_number(rng: random.Random, issuing_state: str) -> str:
    """A plausible-looking, synthetic document number: two letters and seven digits
    (one letter and eight digits for CHN, KOR; nine digits for RUS, USA)."""
    if issuing_state in ("RUS", "USA"):
        return "".join(rng.choice(string.digits) for _ in range(9))
    if issuing_state in ("CHN", "KOR"):
        return rng.choice("EGM") + "".join(rng.choice(string.digits) for _ in range(8))
    return "".join(rng.choice(string.ascii_uppercase) for _ in range(2)) + "".join(rng.choice(string.digits) for _ in range(7))


@dataclass
class PlannedPerson:
    spec: PersonSpec
    birth: dt.date
    document_number: str
    issuing_state: str
    issued_on: dt.date
    expires_on: dt.date
    mrz_lines: tuple[str, ...]

    @property
    def birth_year(self) -> int:
        return self.birth.year

    @property
    def birth_month(self) -> int | None:
        return self.birth.month if self.spec.birth_precision in ("day", "month") else None

    @property
    def birth_day(self) -> int | None:
        return self.birth.day if self.spec.birth_precision == "day" else None


def plan_people() -> list[PlannedPerson]:
    """The demo persons with their passports, computed without touching the database."""
    rng = random.Random(2026)
    planned: list[PlannedPerson] = []
    used: set[tuple[str, str]] = set()
    for spec in DEMO_PEOPLE:
        birth = dt.date(1958, 1, 1) + dt.timedelta(days=rng.randrange(0, 48 * 365))
        issuing_state = spec.issuing_state or spec.nationalities[0]
        number = _document_number(rng, issuing_state)
        while (issuing_state, number) in used:
            number = _document_number(rng, issuing_state)
        used.add((issuing_state, number))
        issued_on = REFERENCE_DAY - dt.timedelta(days=rng.randrange(30, 9 * 365))
        years = 5 if rng.random() < 0.3 else 10
        expires_on = issued_on.replace(year=issued_on.year + years) - dt.timedelta(days=1)
        birth_raw: dt.date | str = birth
        if spec.birth_precision == "year":
            birth_raw = birth.strftime("%y") + "<<<<"
        elif spec.birth_precision == "month":
            birth_raw = birth.strftime("%y%m") + "<<"
        lines = mrz.compose_td3(
            issuing_state=issuing_state,
            surname=spec.surname,
            given_names=spec.given_names,
            document_number=number,
            nationality=spec.nationalities[0],
            birth_date=birth_raw,
            sex=spec.sex,
            expiry_date=expires_on,
        )
        planned.append(PlannedPerson(spec, birth, number, issuing_state, issued_on, expires_on, lines))
    return planned


class Command(BaseCommand):
    help = "Load demo agencies, users (one per role) and synthetic foreign nationals. Safe to run again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Run even with production settings (never do this on a system holding real data).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if str(getattr(settings, "SETTINGS_MODULE", "")).endswith(".production") and not options["allow_production"]:
            raise CommandError("Refusing to load demo data with production settings (use --allow-production to override).")
        self._ensure_reference_data()
        created: dict[str, int] = {"agencies": 0, "units": 0, "users": 0, "authenticators": 0, "persons": 0}
        with transaction.atomic():
            agencies = self._agencies(created)
            units = self._units(agencies, created)
            self._users(agencies, units, created)
            persons = self._people(agencies, created)
            audit_record(
                action=AuditAction.DEMO_DATA_LOADED,
                target=("people.person", "", "demo data"),
                data={"created": created, "demo_persons": persons, "demo_users": len(DEMO_USERS)},
            )
        summary = ", ".join(f"{n} {what}" for what, n in created.items())
        self.stdout.write(self.style.SUCCESS(f"Demo data ready; created {summary}."))
        self.stdout.write(f"Password of every demo user: {demo_password()}  (set DEMO_PASSWORD to change it for new users)")
        for spec in DEMO_USERS:
            if spec.role in (Role.ADMINISTRATOR, Role.MISSION_OFFICER, Role.MISSION_LEAD):
                self.stdout.write(f"  TOTP secret of {spec.username}: {demo_totp_secret(spec.username)}")
        self.stdout.write("Run `manage.py demo_logins` for the current 6-digit codes.")

    # --- reference data -------------------------------------------------------------

    def _ensure_reference_data(self) -> None:
        if not Country.objects.exists():
            self.stdout.write("Reference tables are empty: running load_reference_data first.")
            try:
                call_command("load_reference_data", stdout=self.stdout, stderr=self.stderr)
            except CommandError as exc:
                raise CommandError(f"Reference data is missing and load_reference_data failed: {exc}") from exc
        missing = sorted(DEMO_COUNTRY_CODES - set(Country.objects.filter(code__in=DEMO_COUNTRY_CODES).values_list("code", flat=True)))
        missing += sorted(DEMO_IMMIGRATION_OFFICES - set(ImmigrationOffice.objects.values_list("code", flat=True)))
        missing += sorted(DEMO_DETENTION_CENTRES - set(DetentionCentre.objects.values_list("code", flat=True)))
        missing += [f"embassy of {c}" for c in sorted(DEMO_MISSION_COUNTRIES) if self._embassy(c) is None]
        if missing:
            raise CommandError(f"Reference data lacks what the demo needs: {', '.join(missing)}. Run `manage.py load_reference_data`.")

    @staticmethod
    def _embassy(country_code: str) -> ForeignMission | None:
        return (
            ForeignMission.objects.in_force()
            .filter(country__code=country_code, mission_type=ForeignMission.MissionType.EMBASSY)
            .order_by("city", "pk")
            .first()
        )

    # --- agencies, units, users -------------------------------------------------------

    def _agencies(self, created: dict[str, int]) -> dict[str, Agency]:
        agencies: dict[str, Agency] = {}
        for spec in DEMO_AGENCIES:
            mission = self._embassy(spec.mission_country) if spec.mission_country else None
            agency, was_created = Agency.objects.get_or_create(
                code=spec.code, defaults={"kind": spec.kind, "name_id": spec.name_id, "name_en": spec.name_en, "mission": mission}
            )
            created["agencies"] += was_created
            agencies[spec.code] = agency
        return agencies

    def _units(self, agencies: dict[str, Agency], created: dict[str, int]) -> dict[str, OrgUnit]:
        units: dict[str, OrgUnit] = {}
        for spec in DEMO_UNITS:
            defaults: dict[str, Any] = {
                "agency": agencies[spec.agency],
                "kind": spec.kind,
                "name_id": spec.name_id,
                "name_en": spec.name_en,
                "time_zone": spec.time_zone,
                "parent": units.get(spec.parent),
            }
            place: ImmigrationOffice | DetentionCentre | None = None
            if spec.immigration_office:
                place = ImmigrationOffice.objects.get(code=spec.immigration_office)
                defaults["immigration_office"] = place
            elif spec.detention_centre:
                place = DetentionCentre.objects.get(code=spec.detention_centre)
                defaults["detention_centre"] = place
            if place is not None:
                defaults.update(name_id=place.name_id, name_en=place.name_en or place.name_id, time_zone=place.time_zone)
            unit, was_created = OrgUnit.objects.get_or_create(code=spec.code, defaults=defaults)
            created["units"] += was_created
            units[spec.code] = unit
        return units

    def _users(self, agencies: dict[str, Agency], units: dict[str, OrgUnit], created: dict[str, int]) -> None:
        from allauth.mfa.models import Authenticator
        from allauth.mfa.totp.internal.auth import TOTP

        for spec in DEMO_USERS:
            user, was_created = User.objects.get_or_create(
                username=spec.username,
                defaults={
                    "agency": agencies[spec.agency],
                    "unit": units[spec.unit],
                    "roles": [str(spec.role)],
                    "full_name": spec.full_name,
                    "email": f"{spec.username}@demo.jembatan.invalid",
                },
            )
            if was_created:
                user.set_password(demo_password())
                user.save(update_fields=["password"])
                created["users"] += 1
            if user.requires_mfa and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
                TOTP.activate(user, demo_totp_secret(spec.username))
                created["authenticators"] += 1

    # --- people -----------------------------------------------------------------------

    def _people(self, agencies: dict[str, Agency], created: dict[str, int]) -> int:
        countries = {c.code: c for c in Country.objects.filter(code__in=DEMO_COUNTRY_CODES)}
        known_codes = set(Country.objects.values_list("code", flat=True))
        planned = plan_people()
        for plan in planned:
            spec = plan.spec
            # Every MRZ the demo stores must pass the same parser intake uses.
            mrz.parse("\n".join(plan.mrz_lines), known_codes=known_codes)
            document_type = spec.document_type
            if IdentityDocument.objects.filter(
                document_type=document_type, number=plan.document_number, issuing_state=countries[plan.issuing_state]
            ).exists():
                continue
            person = Person.objects.create(
                surname=spec.surname,
                given_names=spec.given_names,
                native_name=spec.native_name,
                native_name_lang=spec.native_lang,
                sex=spec.sex,
                birth_year=plan.birth_year,
                birth_month=plan.birth_month,
                birth_day=plan.birth_day,
                is_refugee=spec.is_refugee,
                is_asylum_seeker=spec.is_asylum_seeker,
                is_stateless=spec.is_stateless,
                is_trafficking_victim=spec.is_trafficking_victim,
                recorded_by_agency=agencies[spec.recorded_by],
                is_demo=True,
            )
            for i, code in enumerate(spec.nationalities):
                Nationality.objects.create(person=person, country=countries[code], is_primary=(i == 0))
            IdentityDocument.objects.create(
                person=person,
                document_type=document_type,
                number=plan.document_number,
                issuing_state=countries[plan.issuing_state],
                issued_on=plan.issued_on,
                expires_on=plan.expires_on,
                mrz="\n".join(plan.mrz_lines),
            )
            created["persons"] += 1
        return len(planned)
