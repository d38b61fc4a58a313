"""`reference_data_load`: pycountry and the compiled CSVs into the reference tables.

Idempotent: rows are matched on their natural key (code; for missions the sending State,
type and city; for legal bases law, article and paragraph), created when new, updated only
when a value differs, and never touched when an administrator corrected them
(`locally_corrected`). Each file is checked completely before anything is written; a file
with any bad row is refused whole, and each file is written in its own transaction, so a
file is either fully loaded or not at all. One audit event records the run.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib.metadata
import io
import re
from collections.abc import Callable, Collection
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pycountry
from django.conf import settings
from django.db import DatabaseError, models, transaction
from simple_history.utils import bulk_create_with_history

from jembatan.audit.events import AuditAction
from jembatan.audit.services import audit_record
from jembatan.reference.models import (
    ZONE_ABBREVIATIONS,
    Checkpoint,
    Confidence,
    Country,
    DetentionCentre,
    ForeignMission,
    ImmigrationOffice,
    LegalBasis,
    TimeZoneName,
)
from jembatan.reference.services import naming

# UU 63/2024 (third amendment of UU 6/2011) was signed and took effect on 17 October 2024.
UU_63_2024_IN_FORCE = dt.date(2024, 10, 17)
# The 18 offices marked "new office" in immigration_offices.csv were inaugurated on
# 26 January 2026 (data/README.md §4).
NEW_OFFICES_INAUGURATED = dt.date(2026, 1, 26)

OFFICE_CLASSES = frozenset(
    {"I Khusus TPI", "I Khusus Non TPI", "I TPI", "I Non TPI", "II TPI", "II Non TPI", "III TPI", "III Non TPI", "unknown"}
)

TABLE_NAMES = ("countries", "immigration_offices", "detention_centres", "checkpoints", "missions", "legal_bases")

ICAO_FILE = "icao_special_codes.csv"


@dataclass
class TableCounts:
    """What one run did to one table."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0  # corrected by an administrator: left alone
    refused: int = 0  # rows of a refused file: nothing written

    def add(self, other: TableCounts) -> None:
        for name in ("created", "updated", "unchanged", "skipped", "refused"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass(frozen=True)
class LoadProblem:
    """Why a file (row None) or one of its rows was refused. Rows count the header as row 1."""

    file: str
    row: int | None
    reason: str

    def __str__(self) -> str:
        return f"{self.file}, row {self.row}: {self.reason}" if self.row else f"{self.file}: {self.reason}"


@dataclass
class LoadReport:
    data_dir: str
    tables: dict[str, TableCounts] = field(default_factory=dict)
    problems: list[LoadProblem] = field(default_factory=list)
    refused_files: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.refused_files

    def as_dict(self) -> dict[str, Any]:
        return {
            "data_dir": self.data_dir,
            "tables": {name: asdict(counts) for name, counts in self.tables.items()},
            "refused_files": self.refused_files,
            # Enough to act on; the command prints them all.
            "problems": [str(p) for p in self.problems[:100]],
            "problem_count": len(self.problems),
        }


class _RowError(Exception):
    """One row cannot be loaded; the message says why."""


class _FileError(Exception):
    """The file as a whole cannot be read."""


class _Context:
    """What row parsers need besides the row: the countries already in the table."""

    def __init__(self) -> None:
        self._countries: dict[str, tuple[int, str]] | None = None

    def countries(self) -> dict[str, tuple[int, str]]:
        if self._countries is None:
            self._countries = {code: (pk, name_id) for code, pk, name_id in Country.objects.values_list("code", "id", "name_id")}
        return self._countries


# --- Field helpers ------------------------------------------------------------------------


def _text(row: dict[str, Any], column: str) -> str:
    return (row.get(column) or "").strip()


def _required(row: dict[str, Any], column: str) -> str:
    value = _text(row, column)
    if not value:
        raise _RowError(f"{column} is empty")
    return value


def _confidence(row: dict[str, Any]) -> str:
    value = _text(row, "confidence").lower()
    if value not in Confidence.values:
        raise _RowError(f"unknown confidence {value!r} (use high, medium or low)")
    return value


def _time_zone(row: dict[str, Any]) -> str:
    zone = _text(row, "iana_tz")
    if zone not in TimeZoneName.values:
        raise _RowError(f"unknown time zone {zone!r} in iana_tz (use Asia/Jakarta, Asia/Makassar or Asia/Jayapura)")
    abbreviation = _text(row, "time_zone")
    if abbreviation and abbreviation != ZONE_ABBREVIATIONS[zone]:
        raise _RowError(f"time_zone {abbreviation!r} does not match iana_tz {zone!r} ({ZONE_ABBREVIATIONS[zone]})")
    return zone


def _iso_country(code: str) -> Any:
    try:
        return pycountry.countries.get(alpha_3=code)
    except (KeyError, LookupError):
        return None


def _check_lengths(model: type[models.Model], values: dict[str, Any]) -> None:
    for name, value in values.items():
        max_length = getattr(model._meta.get_field(name), "max_length", None)
        if max_length and isinstance(value, str) and len(value) > max_length:
            raise _RowError(f"{name} is longer than {max_length} characters")


# --- Row parsers: CSV row → model field values (attnames) --------------------------------


def _parse_icao(row: dict[str, Any], ctx: _Context) -> dict[str, Any]:
    code = _required(row, "code").upper()
    if not re.fullmatch(r"[A-Z]{1,3}", code):
        raise _RowError(f"code {code!r} must be 1 to 3 letters")
    if _iso_country(code) is not None:
        raise _RowError(f"code {code} is an ISO 3166-1 country code; the ISO row already covers it")
    iso = _text(row, "iso3166_alpha3_equivalent").upper()
    if iso and _iso_country(iso) is None:
        raise _RowError(f"unknown ISO 3166-1 code {iso!r} in iso3166_alpha3_equivalent")
    meaning = _required(row, "meaning")
    return {
        "code": code,
        "kind": Country.Kind.ICAO.value,
        "alpha2": "",
        "numeric": "",
        "iso_equivalent": iso,
        "name_en": meaning,
        "name_id": naming.ICAO_NAMES_ID.get(code, meaning),
        "source": _text(row, "source"),
        "confidence": _confidence(row),
        "valid_from": None,
        "valid_to": None,
    }


def _parse_office(row: dict[str, Any], ctx: _Context) -> dict[str, Any]:
    code = _required(row, "code")
    name_id, is_new = naming.office_name_id(_required(row, "name_id"))
    office_class = _text(row, "class")
    if office_class not in OFFICE_CLASSES:
        raise _RowError(f"unknown office class {office_class!r}")
    office_class = "" if office_class == "unknown" else office_class
    return {
        "code": code,
        "name_id": name_id,
        "name_en": naming.office_name_en(name_id, office_class),
        "office_class": office_class,
        "city": _required(row, "city"),
        "province": _required(row, "province"),
        "time_zone": _time_zone(row),
        "source": _text(row, "source"),
        "confidence": _confidence(row),
        "valid_from": NEW_OFFICES_INAUGURATED if is_new else None,
        "valid_to": None,
    }


def _parse_detention_centre(row: dict[str, Any], ctx: _Context) -> dict[str, Any]:
    name_id = _required(row, "name_id")
    return {
        "code": _required(row, "code"),
        "name_id": name_id,
        "name_en": naming.detention_centre_name_en(name_id),
        "city": _required(row, "city"),
        "province": _required(row, "province"),
        "time_zone": _time_zone(row),
        "source": _text(row, "source"),
        "confidence": _confidence(row),
        "valid_from": None,
        "valid_to": None,
    }


def _parse_checkpoint(row: dict[str, Any], ctx: _Context) -> dict[str, Any]:
    kind = _text(row, "kind")
    if kind not in Checkpoint.Kind.values:
        raise _RowError(f"unknown checkpoint kind {kind!r} (use airport, seaport or land_border)")
    name_id, name_en = naming.checkpoint_names(_required(row, "name"), kind)
    return {
        "code": _required(row, "code"),
        "kind": kind,
        "name_id": name_id,
        "name_en": name_en,
        "city": _required(row, "city"),
        "province": _required(row, "province"),
        "time_zone": _time_zone(row),
        "source": _text(row, "source"),
        "confidence": _confidence(row),
        "valid_from": None,
        "valid_to": None,
    }


def _parse_mission(row: dict[str, Any], ctx: _Context) -> dict[str, Any]:
    iso = _text(row, "country_iso3").upper()
    country_id: int | None = None
    country_name_id: str | None = None
    if iso:
        found = ctx.countries().get(iso)
        if found is None:
            raise _RowError(f"unknown country code {iso!r} in country_iso3")
        country_id, stored_name_id = found
        country_name_id = naming.country_short_name_id(iso, stored_name_id)
    sending_entity = _required(row, "country_name_en")
    mission_type = _text(row, "mission_type")
    if mission_type not in ForeignMission.MissionType.values:
        raise _RowError(f"unknown mission type {mission_type!r} (use one of: {', '.join(ForeignMission.MissionType.values)})")
    city = _required(row, "city")
    province = _required(row, "province")
    name_id, name_en = naming.mission_names(
        sending_entity=sending_entity, mission_type=mission_type, city=city, country_name_id=country_name_id
    )
    return {
        "country_id": country_id,
        "sending_entity": sending_entity,
        "mission_type": mission_type,
        "city": city,
        "province": province,
        "is_resident": not province.startswith("Outside Indonesia"),
        "consular_district": _text(row, "consular_district_note"),
        "name_id": name_id,
        "name_en": name_en,
        "source": _text(row, "source"),
        "confidence": _confidence(row),
        "valid_from": None,
        "valid_to": None,
    }


def _parse_legal_basis(row: dict[str, Any], ctx: _Context) -> dict[str, Any]:
    law = _required(row, "law")
    kind = _text(row, "kind")
    if kind not in LegalBasis.Kind.values:
        raise _RowError(f"unknown kind {kind!r} (use one of: {', '.join(LegalBasis.Kind.values)})")
    valid_from = valid_to = None
    if "(original text, superseded)" in law:
        valid_to = UU_63_2024_IN_FORCE - dt.timedelta(days=1)
    elif "as amended by UU 63/2024" in law:
        valid_from = UU_63_2024_IN_FORCE
    return {
        "law": law,
        "article": _required(row, "article"),
        "paragraph": _text(row, "paragraph"),
        "kind": kind,
        "summary_en": _required(row, "summary_en"),
        "summary_id": _required(row, "summary_id"),
        "max_penalty": _text(row, "max_penalty"),
        "source": _text(row, "source"),
        "confidence": _confidence(row),
        "valid_from": valid_from,
        "valid_to": valid_to,
    }


@dataclass(frozen=True)
class _FileSpec:
    table: str
    filename: str
    model: type[models.Model]
    columns: tuple[str, ...]
    key: tuple[str, ...]
    parse: Callable[[dict[str, Any], _Context], dict[str, Any]]


_ZONE_COLUMNS = ("time_zone", "iana_tz", "source", "confidence")
FILES = (
    _FileSpec(
        "countries", ICAO_FILE, Country, ("code", "meaning", "iso3166_alpha3_equivalent", "source", "confidence"), ("code",), _parse_icao
    ),
    _FileSpec(
        "immigration_offices",
        "immigration_offices.csv",
        ImmigrationOffice,
        ("code", "name_id", "class", "city", "province", *_ZONE_COLUMNS),
        ("code",),
        _parse_office,
    ),
    _FileSpec(
        "detention_centres",
        "immigration_detention_centres.csv",
        DetentionCentre,
        ("code", "name_id", "city", "province", *_ZONE_COLUMNS),
        ("code",),
        _parse_detention_centre,
    ),
    _FileSpec(
        "checkpoints",
        "immigration_checkpoints.csv",
        Checkpoint,
        ("code", "name", "kind", "city", "province", *_ZONE_COLUMNS),
        ("code",),
        _parse_checkpoint,
    ),
    _FileSpec(
        "missions",
        "foreign_missions_in_indonesia.csv",
        ForeignMission,
        ("country_iso3", "country_name_en", "mission_type", "city", "province", "consular_district_note", "source", "confidence"),
        ("sending_entity", "mission_type", "city"),
        _parse_mission,
    ),
    _FileSpec(
        "legal_bases",
        "legal_bases.csv",
        LegalBasis,
        ("law", "article", "paragraph", "kind", "summary_en", "summary_id", "max_penalty", "source", "confidence"),
        ("law", "article", "paragraph"),
        _parse_legal_basis,
    ),
)


# --- Reading and writing ------------------------------------------------------------------


def _read_csv(path: Path, columns: tuple[str, ...]) -> list[tuple[int, dict[str, Any]]]:
    if not path.is_file():
        raise _FileError("file not found")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _FileError(f"not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [c for c in columns if c not in (reader.fieldnames or [])]
    if missing:
        raise _FileError(f"missing column(s) in the header row: {', '.join(missing)}")
    rows: list[tuple[int, dict[str, Any]]] = []
    try:
        for raw in reader:
            rows.append((reader.line_num, raw))
    except csv.Error as exc:
        raise _FileError(f"not a readable CSV file (row {reader.line_num}: {exc})") from exc
    return rows


def _upsert(model: type[models.Model], key: tuple[str, ...], rows: list[dict[str, Any]], reason: str) -> TableCounts:
    """Create, update or leave each row; the caller holds the transaction."""
    counts = TableCounts()
    existing = {tuple(getattr(obj, f) for f in key): obj for obj in model._default_manager.all()}
    new_rows: list[models.Model] = []
    for values in rows:
        natural_key = tuple(values[f] for f in key)
        obj = existing.get(natural_key)
        if obj is None:
            new_rows.append(model(**values))
            counts.created += 1
        elif obj.locally_corrected:  # type: ignore[attr-defined]
            counts.skipped += 1
        else:
            changed = [name for name, value in values.items() if getattr(obj, name) != value]
            if not changed:
                counts.unchanged += 1
                continue
            for name in changed:
                setattr(obj, name, values[name])
            obj._change_reason = reason  # type: ignore[attr-defined]
            obj.save(update_fields=[model._meta.get_field(name).name for name in changed] + ["updated_at"])
            counts.updated += 1
    if new_rows:
        # One INSERT per batch for the rows and one for their first history version.
        bulk_create_with_history(new_rows, model, batch_size=500, default_change_reason=reason)
    return counts


def _write(
    report: LoadReport, table: str, filename: str, model: type[models.Model], key: tuple[str, ...], rows: list[dict[str, Any]]
) -> None:
    try:
        with transaction.atomic():
            counts = _upsert(model, key, rows, f"Loaded from {filename}")
    except DatabaseError as exc:
        _refuse(
            report, table, filename, [LoadProblem(filename, None, f"the database refused the rows ({exc}); nothing was written")], len(rows)
        )
        return
    report.tables[table].add(counts)


def _refuse(report: LoadReport, table: str, filename: str, problems: list[LoadProblem], row_count: int) -> None:
    report.problems.extend(problems)
    report.refused_files.append(filename)
    report.tables[table].refused += row_count


def _load_file(spec: _FileSpec, data_dir: Path, ctx: _Context, report: LoadReport) -> None:
    try:
        raw_rows = _read_csv(data_dir / spec.filename, spec.columns)
    except _FileError as exc:
        _refuse(report, spec.table, spec.filename, [LoadProblem(spec.filename, None, str(exc))], 0)
        return
    problems: list[LoadProblem] = []
    parsed: list[dict[str, Any]] = []
    seen: dict[tuple[Any, ...], int] = {}
    for row_number, raw in raw_rows:
        try:
            if raw.get(None):  # type: ignore[call-overload]  # csv.DictReader puts extra values under None
                raise _RowError("the row has more values than the header has columns")
            values = spec.parse(raw, ctx)
            _check_lengths(spec.model, values)
        except _RowError as exc:
            problems.append(LoadProblem(spec.filename, row_number, str(exc)))
            continue
        natural_key = tuple(values[f] for f in spec.key)
        if natural_key in seen:
            label = " / ".join(str(v) for v in natural_key)
            problems.append(LoadProblem(spec.filename, row_number, f"duplicates row {seen[natural_key]} ({label})"))
            continue
        seen[natural_key] = row_number
        parsed.append(values)
    if problems:
        _refuse(report, spec.table, spec.filename, problems, len(raw_rows))
        return
    _write(report, spec.table, spec.filename, spec.model, spec.key, parsed)


def _iso_country_rows() -> list[dict[str, Any]]:
    source = f"ISO 3166-1 via pycountry {importlib.metadata.version('pycountry')}"
    return [
        {
            "code": c.alpha_3,
            "kind": Country.Kind.ISO.value,
            "alpha2": c.alpha_2,
            "numeric": c.numeric,
            "iso_equivalent": "",
            "name_en": c.name,
            "name_id": naming.country_name_id(c),
            "source": source,
            "confidence": Confidence.HIGH.value,
            "valid_from": None,
            "valid_to": None,
        }
        for c in sorted(pycountry.countries, key=lambda c: c.alpha_3)
    ]


def _ensure_required_icao_codes(report: LoadReport) -> None:
    """XXA, XXB, XXC, XXX, UTO, D, EUE and UNO must exist even if the ICAO file lacks them."""
    present = set(Country.objects.filter(code__in=naming.REQUIRED_ICAO_CODES).values_list("code", flat=True))
    rows = [
        {
            "code": code,
            "kind": Country.Kind.ICAO.value,
            "alpha2": "",
            "numeric": "",
            "iso_equivalent": iso,
            "name_en": meaning,
            "name_id": naming.ICAO_NAMES_ID[code],
            "source": f"ICAO Doc 9303 Part 3 (built into Jembatan: {ICAO_FILE} had no row for this code)",
            "confidence": Confidence.HIGH.value,
            "valid_from": None,
            "valid_to": None,
        }
        for code, (meaning, iso) in naming.REQUIRED_ICAO_CODES.items()
        if code not in present
    ]
    if rows:
        _write(report, "countries", "built-in ICAO codes", Country, ("code",), rows)


def reference_data_load(*, data_dir: str | Path | None = None, tables: Collection[str] | None = None, actor: Any = None) -> LoadReport:
    """Load the reference tables (all, or those named in `tables`) and audit the run.

    Countries come from pycountry plus `icao_special_codes.csv`; the other tables from
    their CSV in `data_dir` (default `settings.REFERENCE_DATA_DIR`). Missions refer to
    countries, so countries are loaded first.
    """
    directory = Path(data_dir or settings.REFERENCE_DATA_DIR)
    selected = [t for t in TABLE_NAMES if tables is None or t in tables]
    report = LoadReport(data_dir=str(directory), tables={t: TableCounts() for t in selected})
    ctx = _Context()
    if "countries" in selected:
        _write(report, "countries", "pycountry", Country, ("code",), _iso_country_rows())
    for spec in FILES:
        if spec.table in selected:
            _load_file(spec, directory, ctx, report)
            if spec.filename == ICAO_FILE:
                _ensure_required_icao_codes(report)
    with transaction.atomic():
        audit_record(
            action=AuditAction.REFERENCE_LOADED,
            target=("reference.load", "", f"Reference data from {directory.name or directory}"),
            actor=actor,
            data=report.as_dict(),
        )
    return report
