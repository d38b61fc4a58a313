"""`manage.py seed_demo_traffic`: crossings and stay permits for the demo persons, and
background traffic, loaded through the real import pipeline (CSV files in var/demo-traffic/).

* Every demo person holding a passport (`seed_demo`) gets a travel history, chosen by its
  position in document-number order: visitors who came and went, residents with a limited
  stay permit (ITAS), travellers in the country on a valid permit, and **overstayers** —
  entered on a visa on arrival or a visit permit that expired with no departure: three
  under the 60-day threshold (cost charge) and three over it (deportation and entry ban),
  which the overstay list and its proposed actions show.
* Background: `--background` synthetic crossings (default 5,000) over the last twelve
  months, so the statistics have something to show.

Idempotent: source keys are fixed (`DEMO-…`), so a second run loads nothing new, and the
dates are anchored on the day of the first run (read back from the ledger), so a later run
produces the very same rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import zlib
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from jembatan.people.models import IdentityDocument
from jembatan.traffic.importing.format import CROSSING_COLUMNS, PERMIT_COLUMNS
from jembatan.traffic.importing.pipeline import ImportOptions, import_file
from jembatan.traffic.importing.synthetic import crossing_rows
from jembatan.traffic.models import ImportBatch

CROSSINGS_FILE = "demo-crossings.csv"
PERMITS_FILE = "demo-permits.csv"
BACKGROUND_FILE = "demo-background-crossings.csv"
WIB = dt.timezone(dt.timedelta(hours=7))
# (days since arrival, permit type, permit length in days): overstays of 10, 25, 45 days
# (charge) and 75, 120, 200 days (deportation), counted from the anchor day.
OVERSTAYS = [
    (40, "visa_on_arrival", 30),
    (55, "visa_on_arrival", 30),
    (75, "visa_on_arrival", 30),
    (135, "visit", 60),
    (180, "visit", 60),
    (260, "visit", 60),
]
CHECKPOINTS = ["CGK", "DPS", "SUB", "KNO", "BTH", "YIA"]


class Command(BaseCommand):
    help = "Load demo crossings and stay permits (overstayers included) through the import pipeline. Idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--background", type=int, default=5000, help="Synthetic background crossings (default 5,000).")
        parser.add_argument("--allow-production", action="store_true", help="Run even with production settings.")

    def handle(self, *args: Any, **options: Any) -> None:
        if str(getattr(settings, "SETTINGS_MODULE", "")).endswith(".production") and not options["allow_production"]:
            raise CommandError("Refusing to load demo data with production settings (use --allow-production to override).")
        folder = Path(settings.DATA_DIR) / "demo-traffic"
        folder.mkdir(parents=True, exist_ok=True)
        anchor = self._anchor()
        documents = list(
            IdentityDocument.objects.filter(person__is_demo=True, document_type=IdentityDocument.DocumentType.PASSPORT)
            .select_related("person", "issuing_state")
            .order_by("number")
        )
        crossings, permits = self._history(documents, anchor)
        self._write(folder / CROSSINGS_FILE, CROSSING_COLUMNS, crossings)
        self._write(folder / PERMITS_FILE, PERMIT_COLUMNS, permits)
        start = dt.datetime.combine(anchor - dt.timedelta(days=365), dt.time(), tzinfo=dt.UTC)
        background = [
            row
            for row in crossing_rows(options["background"], seed=2026, start=start, months=12, key_prefix="DEMO-BG")
            if row[1] < _iso(anchor)
        ]
        self._write(folder / BACKGROUND_FILE, CROSSING_COLUMNS, background)
        for kind, name in (("permits", PERMITS_FILE), ("crossings", CROSSINGS_FILE), ("crossings", BACKGROUND_FILE)):
            result = import_file(kind=kind, path=folder / name, options=ImportOptions(force=True))
            batch = result.batch
            self.stdout.write(
                f"{name}: {batch.rows_loaded} loaded, {batch.rows_updated} updated, {batch.rows_duplicate} already there, {batch.rows_rejected} rejected"
            )
        self.stdout.write(
            f"{len(documents)} demo travellers, {sum(1 for p in permits if p[0].startswith('DEMO-OVR'))} of them overstaying (anchor {anchor})."
        )

    def _anchor(self) -> dt.date:
        first = ImportBatch.objects.filter(file_name=CROSSINGS_FILE).order_by("started_at").first()
        return timezone.localdate(first.started_at) if first else timezone.localdate()

    def _write(self, path: Path, columns: tuple[str, ...], rows: list[list[str]]) -> None:
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(columns)
            writer.writerows(rows)

    def _history(self, documents: list[IdentityDocument], anchor: dt.date) -> tuple[list[list[str]], list[list[str]]]:
        rng = random.Random(2026)  # noqa: S311 - deterministic demo data, not security
        crossings: list[list[str]] = []
        permits: list[list[str]] = []
        overstays = iter(OVERSTAYS)
        for index, document in enumerate(documents):
            person = document.person
            if person.is_refugee or person.is_asylum_seeker:
                continue
            state = document.issuing_state.code
            nationality = person.nationality_links.select_related("country").order_by("pk").first()
            nat = nationality.country.code if nationality else state
            birth = f"{person.birth_year or 0:04d}-{person.birth_month or 0:02d}-{person.birth_day or 0:02d}"
            sex = person.sex if person.sex in ("M", "F", "X") else "X"
            ident = [document.number, state, nat, person.surname, person.given_names, birth, sex]
            checkpoint = CHECKPOINTS[index % len(CHECKPOINTS)]
            key = f"{state}-{document.number}"
            plan = index % 4
            overstay = next(overstays, None) if plan == 0 else None
            if overstay is not None:
                days_ago, permit_type, length = overstay
                arrived = anchor - dt.timedelta(days=days_ago)
                crossings.append(_crossing(f"DEMO-OVR-{key}-A", arrived, "ARRIVAL", checkpoint, ident, permit_type, rng))
                permits.append(
                    _permit(f"DEMO-OVR-{key}", permit_type, ident, arrived, arrived + dt.timedelta(days=length - 1), "expired", rng)
                )
            elif plan in (0, 1):
                # A visitor who came and went, twice.
                for trip in range(2):
                    arrived = anchor - dt.timedelta(days=300 - 150 * trip + rng.randrange(20))
                    crossings.append(_crossing(f"DEMO-VIS-{key}-{trip}A", arrived, "ARRIVAL", checkpoint, ident, "visa_exempt", rng))
                    crossings.append(
                        _crossing(
                            f"DEMO-VIS-{key}-{trip}D",
                            arrived + dt.timedelta(days=8 + rng.randrange(10)),
                            "DEPARTURE",
                            checkpoint,
                            ident,
                            "visa_exempt",
                            rng,
                        )
                    )
            elif plan == 2:
                # A resident on a limited stay permit (ITAS), in the country.
                arrived = anchor - dt.timedelta(days=200 + rng.randrange(100))
                crossings.append(_crossing(f"DEMO-RES-{key}-A", arrived, "ARRIVAL", checkpoint, ident, "limited_stay", rng))
                permits.append(_permit(f"DEMO-RES-{key}", "limited_stay", ident, arrived, arrived + dt.timedelta(days=364), "active", rng))
            else:
                # A visitor in the country now, on a valid visit permit.
                arrived = anchor - dt.timedelta(days=5 + rng.randrange(20))
                crossings.append(_crossing(f"DEMO-NOW-{key}-A", arrived, "ARRIVAL", checkpoint, ident, "visit", rng))
                permits.append(_permit(f"DEMO-NOW-{key}", "visit", ident, arrived, arrived + dt.timedelta(days=59), "active", rng))
        return crossings, permits


def _iso(day: dt.date) -> str:
    return f"{day:%Y-%m-%d}"


def _crossing(key: str, day: dt.date, direction: str, checkpoint: str, ident: list[str], permit_type: str, rng: random.Random) -> list[str]:
    moment = dt.datetime.combine(day, dt.time(6 + rng.randrange(16), rng.randrange(60)), tzinfo=WIB)
    number, state, nationality, surname, given, birth, sex = ident
    permit_number = f"{permit_type[:2].upper()}{zlib.crc32(key.encode()) % 10**9:09d}" if permit_type in ("limited_stay", "visit") else ""
    return [
        key,
        moment.isoformat(),
        direction,
        checkpoint,
        "P",
        number,
        state,
        nationality,
        surname,
        given,
        birth,
        sex,
        permit_type,
        permit_number,
        f"GA{rng.randrange(100, 999)}",
    ]


def _permit(key: str, permit_type: str, ident: list[str], issued: dt.date, expires: dt.date, status: str, rng: random.Random) -> list[str]:
    number, state, nationality, surname, given, birth, _sex = ident
    return [
        key,
        f"{permit_type[:2].upper()}{rng.randrange(10**9):09d}",
        permit_type,
        number,
        state,
        nationality,
        surname,
        given,
        birth,
        _iso(issued),
        _iso(expires),
        "",
        "Bali",
        status,
    ]
