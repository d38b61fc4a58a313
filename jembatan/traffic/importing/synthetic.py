"""Deterministic synthetic traffic in exchange format 1.0, for the benchmark and the demo.

`write_crossings_csv(path, rows=N, seed=42)` writes N crossings of a pool of about N/4
travellers (each arrives and later departs, some several times) over twelve months, with
realistic codes (checkpoints from reference data, ICAO nationality codes including `D`,
passport numbers, carriers) and names in several scripts. The same seed gives the same
file byte for byte, so benchmark runs compare like with like.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Iterator
from pathlib import Path

from jembatan.traffic.importing.format import CROSSING_COLUMNS

# (nationality, weight, surnames, given names): common names of each country, put together.
_NATIONS: list[tuple[str, int, list[str], list[str]]] = [
    ("AUS", 14, ["Smith", "Jones", "Williams", "Brown", "Wilson", "Taylor"], ["Jack", "Olivia", "Noah", "Charlotte", "James"]),
    ("CHN", 12, ["王", "李", "张", "刘", "陈", "杨"], ["秀英", "伟", "芳", "娜", "敏", "静"]),
    ("MYS", 12, ["Abdullah", "Tan", "Lim", "Ismail", "Wong"], ["Ahmad", "Siti", "Nurul", "Wei Ming", "Aisyah"]),
    ("SGP", 8, ["Tan", "Lim", "Lee", "Ng", "Ong"], ["Wei Jie", "Hui Min", "Jun Hao", "Xin Yi"]),
    ("JPN", 6, ["Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe"], ["Haruto", "Yui", "Sota", "Aoi", "Ren"]),
    ("KOR", 6, ["Kim", "Lee", "Park", "Choi", "Jung"], ["Min-jun", "Seo-yeon", "Ji-ho", "Ha-eun"]),
    ("USA", 6, ["Johnson", "Miller", "Davis", "Garcia", "Rodriguez"], ["Liam", "Emma", "Mason", "Ava", "Ethan"]),
    ("IND", 6, ["Sharma", "Patel", "Singh", "Kumar", "Gupta"], ["Aarav", "Priya", "Rohan", "Ananya", "Vikram"]),
    ("GBR", 4, ["Evans", "Thomas", "Roberts", "Walker", "Wright"], ["Oliver", "Amelia", "George", "Isla"]),
    ("D", 4, ["Müller", "Schmidt", "Schneider", "Fischer", "Weber"], ["Lukas", "Mia", "Felix", "Hannah", "Jürgen"]),
    ("FRA", 3, ["Martin", "Bernard", "Dubois", "Thomas", "Robert"], ["Gabriel", "Léa", "Louis", "Chloé"]),
    ("NLD", 3, ["de Jong", "Jansen", "de Vries", "van den Berg", "Bakker"], ["Daan", "Emma", "Sem", "Tess"]),
    ("RUS", 3, ["Иванов", "Смирнов", "Кузнецов", "Попова", "Соколова"], ["Иван", "Анна", "Дмитрий", "Мария"]),
    ("TLS", 3, ["da Silva", "Soares", "Pereira", "Ximenes", "Belo"], ["João", "Maria", "José", "Ana"]),
    ("PHL", 3, ["Santos", "Reyes", "Cruz", "Bautista", "Garcia"], ["Jose", "Maria", "Juan", "Angel"]),
    ("THA", 2, ["Saetang", "Srisuk", "Wongsa", "Chaiyaporn"], ["Somchai", "Nattaya", "Anan", "Ploy"]),
    ("SAU", 2, ["العتيبي", "القحطاني", "الغامدي", "Al-Harbi"], ["محمد", "عبد الله", "Fatimah", "Noura"]),
    ("VNM", 2, ["Nguyễn", "Trần", "Lê", "Phạm"], ["Văn An", "Thị Hoa", "Minh", "Lan"]),
    ("TUR", 1, ["Yılmaz", "Kaya", "Demir", "Şahin"], ["Mehmet", "Ayşe", "Mustafa", "Elif"]),
    ("XXA", 1, ["Rahman", "Hussain", "Ali"], ["Mohammed", "Fatima", "Omar"]),
]
_CHECKPOINTS = ["CGK", "DPS", "SUB", "KNO", "BTH", "UPG", "YIA", "HLP", "BTJ", "PDG", "PLM", "MDC", "LOP", "SOC"]
_CHECKPOINT_WEIGHTS = [30, 30, 8, 6, 8, 3, 3, 2, 1, 1, 1, 1, 2, 1]
_CARRIERS = ["GA", "SQ", "MH", "QZ", "JT", "QF", "CX", "EK", "TR", "KE", "NH", "CZ"]
_PERMITS = [
    ("visa_exempt", 30),
    ("visa_on_arrival", 35),
    ("visit", 15),
    ("limited_stay", 10),
    ("permanent_stay", 2),
    ("transit", 2),
    ("crew", 5),
    ("diplomatic", 1),
]
_ZONES = {
    "CGK": "+07:00",
    "HLP": "+07:00",
    "YIA": "+07:00",
    "SUB": "+07:00",
    "KNO": "+07:00",
    "BTH": "+07:00",
    "PDG": "+07:00",
    "PLM": "+07:00",
    "BTJ": "+07:00",
    "DPS": "+08:00",
    "UPG": "+08:00",
    "MDC": "+08:00",
    "LOP": "+08:00",
    "SOC": "+07:00",
}


def _travellers(rng: random.Random, count: int) -> list[tuple[str, ...]]:
    weights = [n[1] for n in _NATIONS]
    people: list[tuple[str, ...]] = []
    for index in range(count):
        nation, _w, surnames, given = rng.choices(_NATIONS, weights)[0]
        issuing = nation
        doc = f"{chr(65 + rng.randrange(26))}{index:08d}"
        year = rng.randrange(1940, 2018)
        month = rng.randrange(1, 13)
        day = rng.randrange(1, 29)
        dob = f"{year:04d}-{month:02d}-{day:02d}" if rng.random() > 0.01 else f"{year:04d}-00-00"
        people.append((doc, issuing, nation, rng.choice(surnames), rng.choice(given), dob, rng.choice("MF")))
    return people


def crossing_rows(
    rows: int, *, seed: int = 42, start: dt.datetime | None = None, months: int = 12, key_prefix: str = "SIMKIM"
) -> Iterator[list[str]]:
    """Yield `rows` crossings (lists in `CROSSING_COLUMNS` order): arrivals, and departures
    some days later, of a pool of `rows // 4` travellers over `months` months from `start`."""
    rng = random.Random(seed)  # noqa: S311 - deterministic synthetic data, not security
    start = start or dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    span = months * 30 * 86400
    people = _travellers(rng, max(rows // 4, 1))
    permit_types = [p[0] for p in _PERMITS]
    permit_weights = [p[1] for p in _PERMITS]
    produced = 0
    while produced < rows:
        doc, issuing, nation, surname, given, dob, sex = people[rng.randrange(len(people))]
        checkpoint = rng.choices(_CHECKPOINTS, _CHECKPOINT_WEIGHTS)[0]
        arrived = start + dt.timedelta(seconds=rng.randrange(span))
        permit = rng.choices(permit_types, permit_weights)[0]
        permit_number = f"{permit[:2].upper()}{rng.randrange(10**9):09d}" if permit in ("limited_stay", "permanent_stay", "visit") else ""
        carrier = f"{rng.choice(_CARRIERS)}{rng.randrange(1, 999)}"
        zone = _ZONES[checkpoint]
        offset = dt.timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
        for direction, moment in (
            ("ARRIVAL", arrived),
            ("DEPARTURE", arrived + dt.timedelta(days=rng.randrange(1, 60), seconds=rng.randrange(86400))),
        ):
            if produced >= rows:
                break
            local = (moment + offset).replace(tzinfo=None)
            yield [
                f"{key_prefix}-{checkpoint}-{produced:010d}",
                f"{local:%Y-%m-%dT%H:%M:%S}{zone}",
                direction,
                checkpoint,
                "P",
                doc,
                issuing,
                nation,
                surname,
                given,
                dob,
                sex,
                permit,
                permit_number,
                carrier,
            ]
            produced += 1


def write_crossings_csv(path: Path | str, *, rows: int, seed: int = 42, **kwargs: object) -> Path:
    """Write `rows` synthetic crossings to `path` (CSV, UTF-8, header row) and return it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(CROSSING_COLUMNS)
        writer.writerows(crossing_rows(rows, seed=seed, **kwargs))  # type: ignore[arg-type]
    return path
