"""Fixtures for the reference tests: the real compiled CSVs, or small copies of them."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings

from jembatan.accounts.roles import Role
from jembatan.reference.services import reference_data_load

DATA_DIR = Path(settings.BASE_DIR) / "jembatan" / "reference" / "data"


def read_rows(filename: str) -> tuple[list[str], list[dict[str, str]]]:
    with (DATA_DIR / filename).open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def write_rows(directory: Path, filename: str, header: list[str], rows: list[dict[str, str]]) -> Path:
    path = directory / filename
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def data_copy(tmp_path: Path) -> Callable[..., Path]:
    """`data_copy("legal_bases.csv", ..., keep=lambda row: ...)`: a temp data dir holding copies of
    the named real files (optionally only the rows `keep` accepts)."""

    def _copy(*filenames: str, keep: Callable[[dict[str, str]], bool] | None = None) -> Path:
        for filename in filenames:
            header, rows = read_rows(filename)
            write_rows(tmp_path, filename, header, [r for r in rows if keep is None or keep(r)])
        return tmp_path

    return _copy


@pytest.fixture
def load_tables(db):
    """`load_tables("detention_centres", ...)` loads those tables from the real CSVs."""

    def _load(*tables: str, data_dir: Path | None = None):
        report = reference_data_load(data_dir=data_dir or DATA_DIR, tables=tables)
        assert report.ok, report.problems
        return report

    return _load


@pytest.fixture
def officer(make_user):
    return make_user(roles=[Role.IMMIGRATION_OFFICER])


@pytest.fixture
def administrator(make_user):
    """An administrator (TOTP enrolled) who may enter the Django admin.

    `is_staff` is set by hand here; in the running system the accounts app must set it for
    administrators (see the reference app's report to the lead).
    """
    user = make_user(roles=[Role.ADMINISTRATOR])
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


@pytest.fixture
def auditor(make_user):
    """Signed in, but without `reference.view_reference`."""
    return make_user(roles=[Role.AUDITOR])
