"""Test data for the import pipeline: the reference codes it validates against, and files
in exchange format 1.0 written to a temporary folder.

Use in a test module: `from jembatan.traffic.tests.import_support import traffic_reference  # noqa: F401`.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path

import pytest
from django.db import connection

from jembatan.accounts.models import Agency, ApiClient
from jembatan.reference.models import Checkpoint
from jembatan.reference.tests.factories import CountryFactory
from jembatan.traffic.importing.format import CROSSING_COLUMNS, PERMIT_COLUMNS
from jembatan.traffic.importing.synthetic import crossing_rows

CHECKPOINTS = ["CGK", "DPS", "SUB", "KNO", "BTH", "UPG", "YIA", "HLP", "BTJ", "PDG", "PLM", "MDC", "LOP", "SOC"]
COUNTRIES = [
    "AUS",
    "CHN",
    "MYS",
    "SGP",
    "JPN",
    "KOR",
    "USA",
    "IND",
    "GBR",
    "D",
    "FRA",
    "NLD",
    "RUS",
    "TLS",
    "PHL",
    "THA",
    "SAU",
    "VNM",
    "TUR",
    "XXA",
]


@pytest.fixture
def traffic_reference(db: None) -> None:
    """The checkpoints and ICAO codes the synthetic traffic uses."""
    for code in CHECKPOINTS:
        Checkpoint.objects.get_or_create(
            code=code,
            defaults={
                "kind": Checkpoint.Kind.AIRPORT,
                "name_en": f"Airport {code}",
                "name_id": f"Bandara {code}",
                "city": "Kota",
                "province": "Provinsi",
                "time_zone": "WIB",
            },
        )
    for code in COUNTRIES:
        CountryFactory(code=code)


def write_csv(path: Path, rows: Iterable[Sequence[object]], columns: Sequence[str] = CROSSING_COLUMNS) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)
    return path


def synthetic(rows: int, *, seed: int = 7, key_prefix: str = "T") -> list[list[str]]:
    return list(crossing_rows(rows, seed=seed, key_prefix=key_prefix))


def crossing(key: str = "K-1", **overrides: str) -> list[str]:
    """One valid crossing row, with fields replaced by `overrides`."""
    base = {
        "source_key": key,
        "crossed_at": "2026-03-14T08:12:55+07:00",
        "direction": "ARRIVAL",
        "checkpoint_code": "CGK",
        "document_type": "P",
        "document_number": "X1234567",
        "issuing_state": "AUS",
        "nationality": "AUS",
        "surname": "Walker",
        "given_names": "James",
        "date_of_birth": "1985-03-14",
        "sex": "M",
        "permit_type": "visa_on_arrival",
        "permit_number": "",
        "carrier": "GA717",
    }
    base.update(overrides)
    return [base[column] for column in CROSSING_COLUMNS]


def permit(key: str = "P-1", **overrides: str) -> list[str]:
    base = {
        "source_key": key,
        "permit_number": "IT2026000001",
        "permit_type": "limited_stay",
        "document_number": "X1234567",
        "issuing_state": "AUS",
        "nationality": "AUS",
        "surname": "Walker",
        "given_names": "James",
        "date_of_birth": "1985-03-14",
        "issued_on": "2026-01-10",
        "expires_on": "2027-01-09",
        "sponsor": "PT Contoh",
        "province": "Bali",
        "status": "active",
    }
    base.update(overrides)
    return [base[column] for column in PERMIT_COLUMNS]


def write_permits(path: Path, rows: Iterable[Sequence[object]]) -> Path:
    return write_csv(path, rows, PERMIT_COLUMNS)


def api_client(permissions: list[str]) -> tuple[ApiClient, str]:
    agency, _created = Agency.objects.get_or_create(
        code="imigrasi-test", defaults={"kind": Agency.Kind.IMMIGRATION, "name_id": "Imigrasi", "name_en": "Immigration"}
    )
    token, prefix, token_hash = ApiClient.new_token()
    client = ApiClient.objects.create(
        agency=agency, name=f"SIMKIM {prefix}", token_prefix=prefix, token_hash=token_hash, permissions=permissions
    )
    return client, token


def partition_counts() -> dict[str, int]:
    """Rows per partition of the crossings table (PostgreSQL)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent "
            "WHERE p.relname = 'traffic_crossing' ORDER BY c.relname"
        )
        names = [row[0] for row in cursor.fetchall()]
        counts = {}
        for name in names:
            cursor.execute(f'SELECT count(*) FROM "{name}"')  # noqa: S608 - names from the catalogue
            counts[name] = cursor.fetchone()[0]
    return counts
