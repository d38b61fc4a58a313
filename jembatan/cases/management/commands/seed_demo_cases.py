"""`manage.py seed_demo_cases`: demo cases of every kind in every status, for the demo persons.

Run after `seed_demo` (agencies, units, users and persons). Each case is recorded the way an
officer would record it — `case_create`, then `case_transition` along the shortest path of
its lifecycle to the status wanted, with plausible dates and times in the zone of the place
— so every check of intake runs on the demo too (legal basis of the right kind and in force,
statutory ban lengths, no administrative action against a trafficking victim, the immunity
registry). Bans lapse through `ban_lapse` (by the system) and are extended through
`ban_extend`, as in production. Every case is `is_demo=True`.

Also: a detention of more than 9 years (the ceiling sweep alerts on it), a trafficking
victim with only a non-administrative case (a placement under art. 87), an exit ban
extended once and an entry ban made lifelong; and, when the missions registry exists, a
case flagged by the immunity check.

Idempotent: each demo case carries a note whose data holds its demo key; a key already
present is skipped, so a second run creates nothing. Persons are assigned deterministically
(the same plan on every database), a person who dies in one case gets no other case.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from jembatan.accounts.models import User
from jembatan.audit.events import AuditAction
from jembatan.audit.services import audit_record
from jembatan.cases.lifecycle import (
    ADMINISTRATIVE_ACTIONS,
    BAN_KINDS,
    LIFECYCLES,
    RIGHTS_ADVICE_KINDS,
    CaseKind,
    CaseStatus,
    DetentionGround,
    add_months,
    allowed_targets,
)
from jembatan.cases.models import Case, CaseEvent
from jembatan.cases.rules import last_day_of_period, overstay_assess
from jembatan.cases.timeline import case_event_record
from jembatan.people.models import Person
from jembatan.reference.models import DetentionCentre, LegalBasis

IMIGRASI, POLRI, PAS = "ditjen-imigrasi", "polri", "ditjen-pas"
REPORTERS = {IMIGRASI: "demo.imigrasi", POLRI: "demo.polri", PAS: "demo.lapas"}
SUPERVISOR = "demo.supervisor"
PROTOCOL_OFFICER = "demo.protokol"
DEMO_KEY = "demo_key"
DEMO_NOTE = "Data demo (seed_demo_cases)."

K, S = CaseKind, CaseStatus

AGENCY_FOR_KIND: dict[str, str] = {
    **dict.fromkeys(ADMINISTRATIVE_ACTIONS, IMIGRASI),
    K.DETENTION: IMIGRASI,
    K.IMMIGRATION_CRIME: IMIGRASI,
    K.CRIMINAL_CASE: POLRI,
    K.CIVIL_CASE: POLRI,
    K.DEATH: POLRI,
    K.GUARDIANSHIP: POLRI,
    K.WRECK_OR_AIR_ACCIDENT: POLRI,
    K.IMPRISONMENT: PAS,
}

# Typical days between two statuses (from, to); anything else takes a week.
DELAYS: dict[tuple[str, str], int] = {
    (S.PROPOSED, S.DECIDED): 3,
    (S.PROPOSED, S.CANCELLED): 2,
    (S.DECIDED, S.EXECUTED): 7,
    (S.DECIDED, S.OBJECTED): 5,
    (S.DECIDED, S.REVOKED): 20,
    (S.OBJECTED, S.DECIDED): 14,
    (S.OBJECTED, S.REVOKED): 10,
    (S.EXECUTED, S.CLOSED): 30,
    (S.REQUESTED, S.ACTIVE): 1,
    (S.REQUESTED, S.CANCELLED): 2,
    (S.ACTIVE, S.REVOKED): 60,
    (S.PLANNED, S.SCHEDULED): 5,
    (S.SCHEDULED, S.EXECUTED): 7,
    (S.SCHEDULED, S.PLANNED): 3,
    (S.SCHEDULED, S.CANCELLED): 4,
    (S.DETAINED, S.RELEASED): 60,
    (S.DETAINED, S.DEPORTED): 90,
    (S.DETAINED, S.TRANSFERRED_TO_PRISON): 30,
    (S.DETAINED, S.DIED): 120,
    (S.INVESTIGATION, S.PROSECUTION): 45,
    (S.INVESTIGATION, S.DROPPED): 30,
    (S.PROSECUTION, S.TRIAL): 30,
    (S.PROSECUTION, S.DROPPED): 20,
    (S.TRIAL, S.CONVICTED): 60,
    (S.TRIAL, S.ACQUITTED): 60,
    (S.OPEN, S.CLOSED): 90,
    (S.SERVING, S.RELEASED): 365,
    (S.SERVING, S.DIED): 200,
    (S.REPORTED, S.REPATRIATION_PENDING): 2,
    (S.REPORTED, S.GUARDIAN_APPOINTED): 21,
    (S.REPORTED, S.CLOSED): 14,
    (S.GUARDIAN_APPOINTED, S.CLOSED): 60,
    (S.REPATRIATION_PENDING, S.CLOSED): 10,
}

# Days ago a ban of each status began (lapsed ones: as long ago as their period ran).
BAN_AGES: dict[str, int] = {S.REQUESTED: 3, S.ACTIVE: 40, S.CANCELLED: 30, S.REVOKED: 120}

# The language the demo detainees are informed of their consular rights in, by nationality.
RIGHTS_LANGUAGES = {"JPN": "ja", "CHN": "zh", "KOR": "ko", "RUS": "ru", "FRA": "fr", "DEU": "de", "NLD": "nl", "VNM": "vi", "THA": "th"}

# Who moves a case to a status: decisions are the supervisor's, the rest the reporter's.
DECIDED_BY_SUPERVISOR = frozenset({S.DECIDED, S.REVOKED, S.ACTIVE, S.CANCELLED, S.SCHEDULED})

NOTES: dict[str, str] = {
    S.DECIDED: "Keputusan tindakan administratif keimigrasian ditetapkan.",
    S.OBJECTED: "Yang bersangkutan mengajukan keberatan kepada Menteri.",
    S.EXECUTED: "Keputusan telah dilaksanakan.",
    S.REVOKED: "Keputusan dicabut setelah peninjauan.",
    S.CANCELLED: "Usulan dibatalkan.",
    S.CLOSED: "Kasus ditutup.",
    S.ACTIVE: "Keputusan pencegahan/penangkalan berlaku.",
    S.SCHEDULED: "Tiket dan pengawalan telah dijadwalkan.",
    S.PLANNED: "Jadwal keberangkatan dibatalkan maskapai; dijadwalkan ulang.",
    S.RELEASED: "Dikeluarkan dari tempat penahanan.",
    S.DEPORTED: "Dideportasi melalui Bandara Internasional Soekarno-Hatta.",
    S.TRANSFERRED_TO_PRISON: "Diserahkan ke lembaga pemasyarakatan setelah putusan pengadilan.",
    S.DIED: "Meninggal dunia di rumah sakit rujukan.",
    S.PROSECUTION: "Berkas perkara dinyatakan lengkap (P-21).",
    S.TRIAL: "Perkara dilimpahkan ke pengadilan negeri.",
    S.CONVICTED: "Dijatuhi pidana oleh pengadilan.",
    S.ACQUITTED: "Diputus bebas oleh pengadilan.",
    S.DROPPED: "Penyidikan dihentikan (SP3).",
    S.REPATRIATION_PENDING: "Menunggu pemulangan jenazah; keluarga dihubungi melalui perwakilan.",
    S.GUARDIAN_APPOINTED: "Wali ditetapkan oleh pengadilan.",
}

SUMMARIES: dict[str, str] = {
    K.DETENTION: "Didetensi di {centre} berdasarkan Pasal 83 ayat (1) huruf {ground} UU 6/2011.",
    K.ENTRY_BAN: "Penangkalan setelah deportasi karena pelanggaran izin tinggal.",
    K.EXIT_BAN: "Permintaan pencegahan dari {requesting} terkait penyidikan.",
    K.STAY_PERMIT_ACTION: "Pembatalan izin tinggal terbatas karena bekerja tidak sesuai izin tinggal.",
    K.PLACE_PROHIBITION: "Larangan berada di wilayah Kabupaten Badung selama pemeriksaan.",
    K.RESIDENCE_OBLIGATION: "Keharusan bertempat tinggal di alamat yang ditetapkan di Denpasar.",
    K.COST_CHARGE: "Melebihi izin tinggal {days} hari; dikenai biaya beban (Pasal 78 ayat (1) UU 6/2011, PP 28/2019).",
    K.DEPORTATION: "Deportasi setelah pembatalan izin tinggal.",
    K.IMMIGRATION_CRIME: "Penyidikan dugaan tindak pidana keimigrasian oleh PPNS Imigrasi.",
    K.CRIMINAL_CASE: "Diperiksa dalam perkara pencurian dengan pemberatan di Kuta.",
    K.CIVIL_CASE: "Digugat wanprestasi sewa vila di Pengadilan Negeri Denpasar.",
    K.IMPRISONMENT: "Menjalani pidana penjara berdasarkan putusan Pengadilan Negeri Denpasar.",
    K.DEATH: "Meninggal dunia di rumah sakit; keluarga dihubungi melalui perwakilan negaranya.",
    K.GUARDIANSHIP: "Dewasa di bawah pengampuan setelah kecelakaan lalu lintas; memerlukan wali.",
    K.WRECK_OR_AIR_ACCIDENT: "Kapal wisata tenggelam di Selat Lombok; penumpang asing dievakuasi.",
}

PLACES: dict[str, str] = {
    K.CRIMINAL_CASE: "Kuta, Kabupaten Badung, Bali",
    K.CIVIL_CASE: "Pengadilan Negeri Denpasar",
    K.IMPRISONMENT: "Lembaga Pemasyarakatan Kelas IIA Kerobokan",
    K.DEATH: "RSUP Prof. dr. I.G.N.G. Ngoerah, Denpasar",
    K.GUARDIANSHIP: "Kuta, Kabupaten Badung, Bali",
    K.WRECK_OR_AIR_ACCIDENT: "Perairan Selat Lombok, Kabupaten Karangasem, Bali",
}

EXIT_BAN_REQUESTERS = (
    "Kejaksaan Agung Republik Indonesia",
    "Komisi Pemberantasan Korupsi",
    "Kepolisian Negara Republik Indonesia",
    "Badan Narkotika Nasional",
)

# Articles (law, article, paragraph) each kind rests on; crimes cycle through several.
LEGAL_BASES: dict[str, tuple[tuple[str, str, str], ...]] = {
    K.DETENTION: (("UU 6/2011", "83", "(1)"),),
    K.COST_CHARGE: (("UU 6/2011", "78", "(1)"),),
    **{kind: (("UU 6/2011", "75", "(2)"),) for kind in ADMINISTRATIVE_ACTIONS if kind != K.COST_CHARGE},
    K.IMMIGRATION_CRIME: (
        ("UU 6/2011", "119", "(1)"),
        ("UU 6/2011", "122", "(a)"),
        ("UU 6/2011", "123", "(a)"),
        ("UU 6/2011", "116", ""),
    ),
}
LEGAL_BASIS_KIND: dict[str, str] = {K.DETENTION: "detention", K.IMMIGRATION_CRIME: "crime"}


def path_to(kind: str, target: str) -> list[str]:
    """The statuses a case of `kind` passes through after its start to reach `target`
    (shortest path; a path through a death only when there is no other)."""
    lifecycle = LIFECYCLES[kind]
    if target == lifecycle.start:
        return []
    previous: dict[str, str] = {}
    queue = deque([lifecycle.start])
    seen = {lifecycle.start}
    while queue:
        status = queue.popleft()
        for following in sorted(allowed_targets(kind, status), key=lambda s: s == S.DIED):
            if following in seen:
                continue
            seen.add(following)
            previous[following] = status
            if following == target:
                path = [following]
                while path[-1] in previous and previous[path[-1]] != lifecycle.start:
                    path.append(previous[path[-1]])
                return list(reversed(path))
            queue.append(following)
    raise ValueError(f"{target} cannot be reached in a {kind} case")


@dataclass(frozen=True)
class DemoCase:
    """One demo case to record: its key, kind, the status it ends in and any variant."""

    key: str
    kind: str
    status: str
    variant: str = ""

    @property
    def path(self) -> list[str]:
        return path_to(self.kind, self.status)

    @property
    def agency(self) -> str:
        return AGENCY_FOR_KIND[self.kind]

    @property
    def ends_in_death(self) -> bool:
        return self.kind == K.DEATH or S.DIED in self.path

    @property
    def administrative(self) -> bool:
        return self.kind in ADMINISTRATIVE_ACTIONS

    def seed(self) -> int:
        return zlib.crc32(self.key.encode())


def plan_demo_cases(*, with_immunity: bool = True) -> list[DemoCase]:
    """Every kind in every status of its lifecycle, then the special cases."""
    plans = [DemoCase(f"{kind}:{status}", kind, status) for kind, lifecycle in LIFECYCLES.items() for status in lifecycle.statuses]
    plans += [
        DemoCase("detention:detained:nine-years", K.DETENTION, S.DETAINED, "long"),
        DemoCase("detention:detained:trafficking-victim", K.DETENTION, S.DETAINED, "trafficking"),
        DemoCase("exit_ban:active:extended", K.EXIT_BAN, S.ACTIVE, "extended"),
        DemoCase("entry_ban:active:lifetime", K.ENTRY_BAN, S.ACTIVE, "lifetime"),
        # Detained nationals who asked for their consulate to be notified (the notification demo).
        DemoCase("detention:detained:requested-aus", K.DETENTION, S.DETAINED, "requested-AUS"),
        DemoCase("detention:detained:requested-jpn", K.DETENTION, S.DETAINED, "requested-JPN"),
    ]
    if with_immunity:
        plans.append(DemoCase("criminal_case:investigation:immunity", K.CRIMINAL_CASE, S.INVESTIGATION, "immunity"))
    return plans


class _People:
    """Deterministic assignment of demo persons to demo cases."""

    def __init__(self, persons: list[Person]) -> None:
        self.pools: dict[str, list[Person]] = {}
        for person in persons:
            code = person.recorded_by_agency.code
            self.pools.setdefault(code, []).append(person)
        self.pointer: dict[str, int] = {}
        self.count: dict[Any, int] = {}
        self.retired: set[Any] = set()
        self.reserved: set[Any] = set()

    def reserve(self, person: Person) -> Person:
        self.reserved.add(person.pk)
        return person

    def first(self, agency: str, wanted: Callable[[Person], bool]) -> Person | None:
        return next((p for p in self.pools.get(agency, []) if wanted(p) and p.pk not in self.reserved), None)

    def take(self, plan: DemoCase, prefer: Callable[[Person], bool] | None = None) -> Person:
        pool = self.pools.get(plan.agency, [])

        def eligible(person: Person) -> bool:
            if person.pk in self.reserved or person.pk in self.retired or person.is_trafficking_victim:
                return False
            if plan.administrative and (person.is_refugee or person.is_asylum_seeker):
                return False
            return not (plan.ends_in_death and self.count.get(person.pk))

        start = self.pointer.get(plan.agency, 0)
        candidates = [pool[(start + i) % len(pool)] for i in range(len(pool))]
        chosen = next((p for p in candidates if prefer is not None and prefer(p) and eligible(p)), None)
        chosen = chosen or next((p for p in candidates if eligible(p)), None)
        if chosen is None:
            raise CommandError(f"Not enough demo persons of {plan.agency} for {plan.key}: run `manage.py seed_demo`.")
        if prefer is None:
            self.pointer[plan.agency] = (pool.index(chosen) + 1) % len(pool)
        self.count[chosen.pk] = self.count.get(chosen.pk, 0) + 1
        if plan.ends_in_death:
            self.retired.add(chosen.pk)
        return chosen


def _at(day: dt.date, zone: str, seed: int, step: int = 0) -> dt.datetime:
    """A working-hours moment of `day` in `zone` (08.00–15.59), varied by `seed`."""
    minutes = 8 * 60 + (seed // (step + 1) + 97 * step) % (8 * 60)
    return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), tzinfo=ZoneInfo(zone))


class Command(BaseCommand):
    help = "Load demo cases of every kind in every status (run after seed_demo). Safe to run again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Run even with production settings (never do this on a system holding real data).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if str(getattr(settings, "SETTINGS_MODULE", "")).endswith(".production") and not options["allow_production"]:
            raise CommandError("Refusing to load demo data with production settings (use --allow-production to override).")
        self.now = timezone.now()
        self.users = self._users()
        registry = self._registry_model()
        plans = plan_demo_cases(with_immunity=registry is not None)
        # A command, not a request: no actor to scope by. Only the demo persons are read.
        persons = list(
            Person.objects.filter(is_demo=True)
            .select_related("recorded_by_agency")
            .prefetch_related("nationality_links__country", "documents")
            .order_by("surname", "given_names", "native_name", "birth_year", "birth_month", "birth_day")
        )
        if not persons:
            raise CommandError("There are no demo persons: run `manage.py seed_demo` first.")
        self.centres = list(DetentionCentre.objects.in_force(self.now.date()).order_by("code"))
        if not self.centres:
            raise CommandError("There are no detention centres: run `manage.py load_reference_data` first.")
        people = _People(persons)
        assignment = self._assign(plans, people)
        existing = self._existing_keys()
        created: list[Case] = []
        with transaction.atomic():
            if registry is not None and "criminal_case:investigation:immunity" not in existing:
                self._ensure_registry_entry(registry, assignment["criminal_case:investigation:immunity"])
            for index, plan in enumerate(plans):
                if plan.key in existing:
                    continue
                created.append(self._record(plan, assignment[plan.key], index))
            ids = [case.pk for case in created]
            # Death cases opened from a demo case (a death reported on a detention) are demo too.
            Case.objects.filter(Q(pk__in=ids) | Q(origin_case_id__in=ids)).update(is_demo=True)
            audit_record(
                action=AuditAction.DEMO_DATA_LOADED,
                target=("cases.case", "", "demo cases"),
                data={"created": {"cases": len(created)}, "demo_cases": len(plans), "immunity_registry": registry is not None},
            )
        if registry is None:
            self.stdout.write("The missions registry is not installed: no immunity-flagged demo case.")
        self.stdout.write(
            self.style.SUCCESS(f"Demo cases ready; created {len(created)} cases ({len(plans) - len(created)} already present).")
        )

    # --- prerequisites ---------------------------------------------------------------

    def _users(self) -> dict[str, User]:
        names = {*REPORTERS.values(), SUPERVISOR}
        users = {u.username: u for u in User.objects.filter(username__in=names).select_related("agency", "unit")}
        missing = sorted(names - set(users))
        if missing:
            raise CommandError(f"Demo users missing ({', '.join(missing)}): run `manage.py seed_demo` first.")
        return users

    @staticmethod
    def _registry_model() -> Any:
        """The missions registry of accredited persons, if installed and migrated."""
        if not apps.is_installed("jembatan.missions"):
            return None
        try:
            model = apps.get_model("missions", "AccreditedPerson")
        except LookupError:
            return None
        if model._meta.db_table not in connection.introspection.table_names():
            return None
        return model

    @staticmethod
    def _existing_keys() -> set[str]:
        notes = CaseEvent.objects.filter(kind=CaseEvent.Kind.NOTE, case__is_demo=True, actor__isnull=True).values_list("data", flat=True)
        return {str(data[DEMO_KEY]) for data in notes if isinstance(data, dict) and data.get(DEMO_KEY)}

    def _assign(self, plans: list[DemoCase], people: _People) -> dict[str, Person]:
        """Who each case is about. Special persons first, then deaths (a person dies once and
        has no other case), then the rest in order."""
        assignment: dict[str, Person] = {}
        victim = people.first(IMIGRASI, lambda p: p.is_trafficking_victim)
        if victim is None:
            raise CommandError("The demo has no victim of trafficking: run `manage.py seed_demo`.")
        assignment["detention:detained:trafficking-victim"] = people.reserve(victim)
        immunity = next((p for p in plans if p.variant == "immunity"), None)
        if immunity is not None:
            holder = people.first(POLRI, lambda p: any(link.country.code == "JPN" for link in p.nationality_links.all()))
            holder = holder or people.first(POLRI, lambda p: bool(p.documents.all()))
            if holder is None:
                raise CommandError("The demo has no person of the police to flag for immunity: run `manage.py seed_demo`.")
            assignment[immunity.key] = people.reserve(holder)
        for plan in plans:
            if plan.variant.startswith("requested-"):
                code = plan.variant.removeprefix("requested-")

                def national_of(p: Person, code: str = code) -> bool:
                    return any(link.country.code == code for link in p.nationality_links.all()) and not (
                        p.is_trafficking_victim or p.is_refugee or p.is_asylum_seeker
                    )

                national = people.first(IMIGRASI, national_of)
                if national is None:
                    raise CommandError(f"The demo has no {code} national of the immigration directorate: run `manage.py seed_demo`.")
                assignment[plan.key] = people.reserve(national)
        ordered = [p for p in plans if p.key not in assignment and p.ends_in_death] + [
            p for p in plans if p.key not in assignment and not p.ends_in_death
        ]
        for plan in ordered:
            # Someone who cannot be deported (stateless) is the one still detained after 9 years.
            prefer = (lambda p: p.is_stateless) if plan.variant == "long" else None
            assignment[plan.key] = people.take(plan, prefer=prefer)
        return assignment

    def _ensure_registry_entry(self, registry: Any, person: Person) -> None:
        """Make sure the registry holds `person` (by passport), as a staff member of the
        embassy of their country, so that intake flags the case."""
        from jembatan.cases.selectors import person_immunity_matches

        if person_immunity_matches(actor=self.users[SUPERVISOR], person=person, purpose="demo data"):
            return
        from jembatan.missions.services import accredited_person_create
        from jembatan.reference.models import ForeignMission

        document = person.documents.select_related("issuing_state").first()
        link = person.nationality_links.select_related("country").first()
        if document is None or link is None:
            raise CommandError(f"Demo person {person} has no passport or nationality to register.")
        mission = (
            ForeignMission.objects.in_force(self.now.date())
            .filter(country=link.country, mission_type=ForeignMission.MissionType.EMBASSY)
            .order_by("city", "pk")
            .first()
        )
        if mission is None:
            raise CommandError(f"No embassy of {link.country.code} in reference data: run `manage.py load_reference_data`.")
        protocol = User.objects.filter(username=PROTOCOL_OFFICER).first() or self.users[SUPERVISOR]
        entry = accredited_person_create(
            actor=protocol,
            data={
                "mission": mission,
                "category": "administrative_technical",
                "rank": "Staf Administrasi",
                "surname": person.surname,
                "given_names": person.given_names,
                "native_name": person.native_name,
                "native_name_lang": person.native_name_lang,
                "sex": person.sex,
                "birth_date": person.birth_date,
                "nationality": link.country,
                "document_type": "passport",
                "document_number": document.number,
                "document_issuing_state": document.issuing_state,
                "card_number": f"KTD-DEMO-{zlib.crc32(document.number.encode()) % 100000:05d}",
                "card_valid_from": add_months(self.now.date(), -18),
                "card_valid_until": add_months(self.now.date(), 18),
            },
            audit_data={"source": "seed_demo_cases"},
        )
        registry.objects.filter(pk=entry.pk).update(is_demo=True)

    # --- one case --------------------------------------------------------------------

    def _legal_basis(self, plan: DemoCase, index: int, on: dt.date) -> LegalBasis | None:
        options = LEGAL_BASES.get(plan.kind)
        if not options:
            return None
        law, article, paragraph = options[index % len(options)]
        in_force = LegalBasis.objects.in_force(on)
        basis = in_force.filter(law=law, article=article, paragraph=paragraph).first()
        if basis is None:
            wanted = LEGAL_BASIS_KIND.get(plan.kind, "administrative_action")
            basis = in_force.filter(kind=wanted).order_by("law", "article", "paragraph").first()
        if basis is None:
            raise CommandError(f"No legal basis for {plan.kind} in force on {on}: run `manage.py load_reference_data`.")
        return basis

    def _ages(self, plan: DemoCase) -> tuple[int, list[int]]:
        """Days ago the case began, and the days between the steps of its path."""
        delays = []
        previous = LIFECYCLES[plan.kind].start
        for status in plan.path:
            delays.append(DELAYS.get((previous, status), 7))
            previous = status
        seed = plan.seed()
        if plan.variant == "long":
            return 9 * 365 + 45 + seed % 60, delays
        if plan.kind in BAN_KINDS:
            lapsing = S.LAPSED in plan.path
            if plan.variant == "extended":
                return 150, delays
            if plan.variant == "lifetime":
                return 3 * 365, delays
            if lapsing:
                return (200 if plan.kind == K.EXIT_BAN else 400) + seed % 10, delays
            return BAN_AGES.get(plan.status, 30) + seed % 10, delays
        if plan.status == S.DETAINED:
            return 15 + seed % 40, delays
        return sum(delays) + 5 + seed % 25, delays

    def _ban_period(self, plan: DemoCase, start: dt.date) -> tuple[dt.date, dt.date]:
        if plan.kind == K.EXIT_BAN:
            return start, last_day_of_period(start, months=6)
        if S.LAPSED in plan.path:
            months = 12
        elif plan.status == S.REVOKED:
            months = 24
        else:
            months = 60
        return start, last_day_of_period(start, months=months)

    def _rights_advice(self, plan: DemoCase, person: Person, occurred_at: dt.datetime, seed: int) -> dict[str, Any]:
        """The consular rights advice of a detention, arrest or imprisonment (VCCR art.
        36(1)(b)): informed within the hour, in the person's language where there is one;
        most ask for their consulate to be notified, some decline (every third, by seed)."""
        codes = [link.country.code for link in person.nationality_links.all()]
        language = next((RIGHTS_LANGUAGES[c] for c in codes if c in RIGHTS_LANGUAGES), "en")
        asks = plan.variant.startswith("requested-") or bool({"AUS", "JPN"} & set(codes)) or seed % 3 != 0
        informed_at = min(occurred_at + dt.timedelta(minutes=20 + seed % 40), self.now - dt.timedelta(minutes=5))
        return {
            "rights_informed_at": informed_at,
            "nationality_known_at": occurred_at,
            "rights_language": language,
            "rights_answer": "requested" if asks else "declined",
            "rights_interpreter": "" if language in ("en", "id") else "Juru bahasa tersumpah (demo)",
        }

    def _record(self, plan: DemoCase, person: Person, index: int) -> Case:
        from jembatan.cases.bans import ban_extend, ban_lapse, ban_validate
        from jembatan.cases.services import case_create, case_transition

        reporter = self.users[REPORTERS[plan.agency]]
        supervisor = self.users[SUPERVISOR]
        seed = plan.seed()
        age, delays = self._ages(plan)
        centre = self.centres[index % len(self.centres)] if plan.kind == K.DETENTION else None
        zone = centre.time_zone if centre is not None else (reporter.unit.time_zone if reporter.unit else "Asia/Jakarta")
        today = self.now.astimezone(ZoneInfo(zone)).date()
        start_day = today - dt.timedelta(days=age)
        occurred_at = _at(start_day, zone, seed)
        ground = DetentionGround.values[index % len(DetentionGround.values)]
        requesting = EXIT_BAN_REQUESTERS[index % len(EXIT_BAN_REQUESTERS)] if plan.kind == K.EXIT_BAN else "Direktorat Jenderal Imigrasi"
        days_over = 5 + seed % 50
        data: dict[str, Any] = {
            "occurred_at": occurred_at,
            "time_zone": zone,
            "legal_basis": self._legal_basis(plan, index, start_day),
            "summary": SUMMARIES[plan.kind].format(
                centre=centre.name_id if centre else "", ground=ground, requesting=requesting, days=days_over
            ),
            "place_description": PLACES.get(plan.kind, ""),
        }
        if plan.kind == K.DETENTION:
            data.update(detention_centre=centre, detention_ground=ground)
            if plan.variant == "trafficking":
                data.update(
                    detention_ground=DetentionGround.NO_VALID_TRAVEL_DOCUMENT,
                    summary="Korban perdagangan orang: ditempatkan di Rudenim terpisah dari deteni lain sambil menunggu "
                    "pemulangan (Pasal 87 UU 6/2011); tidak dikenai tindakan administratif (Pasal 86).",
                )
            elif plan.variant == "long":
                data["summary"] = (
                    "Tanpa kewarganegaraan dan tanpa dokumen perjalanan yang sah: deportasi tidak dapat dilaksanakan "
                    "karena tidak ada negara yang menerima. Didetensi di " + (centre.name_id if centre else "Rudenim") + "."
                )
        if plan.kind in BAN_KINDS:
            activation = start_day + dt.timedelta(days=1)
            starts_on, ends_on = self._ban_period(plan, activation if S.ACTIVE in plan.path else start_day + dt.timedelta(days=10))
            ban_validate(plan.kind, starts_on, ends_on)
            data.update(starts_on=starts_on, ends_on=ends_on, requesting_agency=requesting)
        if plan.kind == K.COST_CHARGE:
            assessment = overstay_assess(days_over=days_over, on=start_day)
            data.update(overstay_days=days_over, charge_amount=assessment.charge_amount)
        if plan.kind == K.DEPORTATION:
            data["starts_on"] = start_day + dt.timedelta(days=sum(delays[:2]) or 10)
        if plan.kind in ADMINISTRATIVE_ACTIONS and S.DECIDED in plan.path:
            data["decision_number"] = f"IMI.{start_day.year}/TAK/{seed % 10000:04d}"
        if plan.kind in (K.IMMIGRATION_CRIME, K.CRIMINAL_CASE, K.CIVIL_CASE, K.IMPRISONMENT):
            in_court = plan.kind in (K.CIVIL_CASE, K.IMPRISONMENT) or any(s in plan.path for s in (S.TRIAL, S.CONVICTED, S.ACQUITTED))
            if in_court:
                data["court"] = "Pengadilan Negeri Denpasar"
            elif plan.kind == K.IMMIGRATION_CRIME:
                data["court"] = "PPNS Kantor Imigrasi Kelas I Khusus TPI Ngurah Rai"
            else:
                data["court"] = "Direktorat Reserse Kriminal Umum Polda Bali"
        if plan.kind in RIGHTS_ADVICE_KINDS:
            data.update(self._rights_advice(plan, person, occurred_at, seed))
        if plan.variant == "immunity":
            data["summary"] = "Terlibat kecelakaan lalu lintas di Kuta; mengaku sebagai staf kedutaan."
            data["place_description"] = "Jalan Raya Kuta, Kabupaten Badung, Bali"

        case = case_create(actor=reporter, person=person, kind=plan.kind, data=data)
        case_event_record(case=case, kind=CaseEvent.Kind.NOTE, actor=None, summary=DEMO_NOTE, data={DEMO_KEY: plan.key})

        moment = occurred_at
        for step, (status, delay) in enumerate(zip(plan.path, delays, strict=True), start=1):
            if status == S.LAPSED:
                ban_lapse(case=case, today=today)
                case.refresh_from_db()
                continue
            if plan.kind in BAN_KINDS and status == S.ACTIVE:
                moment = _at(case.starts_on or moment.date(), zone, seed, step)
            else:
                moment = _at(moment.astimezone(ZoneInfo(zone)).date() + dt.timedelta(days=delay), zone, seed, step)
            moment = min(moment, self.now - dt.timedelta(minutes=5))
            actor = supervisor if status in DECIDED_BY_SUPERVISOR else reporter
            case = case_transition(actor=actor, case=case, to_status=status, note=NOTES.get(status, ""), occurred_at=moment)
        if plan.variant == "extended":
            case = ban_extend(
                actor=supervisor,
                case=case,
                new_end=last_day_of_period((case.ends_on or today) + dt.timedelta(days=1), months=6),
                reason="Permintaan perpanjangan dari Kejaksaan Agung: penyidikan belum selesai.",
            )
        elif plan.variant == "lifetime":
            case = ban_extend(
                actor=supervisor,
                case=case,
                new_end=None,
                reason="Terlibat jaringan peredaran narkotika internasional; dinilai membahayakan keamanan negara.",
            )
        if plan.status != case.status:
            raise CommandError(f"Demo case {plan.key} ended as {case.status}, not {plan.status}.")
        return case
