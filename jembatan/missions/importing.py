"""Import of the registry from a CSV file (docs/accredited-persons-import.md).

All or nothing: the whole file is checked by running the import inside a transaction
that is rolled back, so the preview applies exactly the rules the real import applies
(the model's `clean`, the services). If any row has a problem, nothing is written and
every problem is reported with its row number (the header is row 1), its column and
what to do. Rows are upserted: found by card number, or by document number and issuing
state when the row has no card number; a row that changes nothing writes nothing, so
importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from jembatan.audit.events import AuditAction
from jembatan.audit.services import audit_record
from jembatan.core.exceptions import ApplicationError
from jembatan.missions.choices import ImmunityLevel
from jembatan.missions.models import FAMILY_CATEGORIES, AccreditedPerson, Category, DocumentType
from jembatan.missions.querysets import document_number_normalise, issuing_state_normalise
from jembatan.missions.services import accredited_person_create, accredited_person_update
from jembatan.people.models import Sex
from jembatan.reference.models import Country, ForeignMission

MAX_ROWS = 5000
MAX_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class Column:
    name: str
    required: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("mission_country"),
    Column("mission_organisation"),
    Column("mission_type"),
    Column("mission_city"),
    Column("category", required=True),
    Column("principal"),
    Column("rank"),
    Column("surname", required=True),
    Column("given_names"),
    Column("native_name"),
    Column("native_name_lang"),
    Column("sex"),
    Column("birth_date"),
    Column("nationality", required=True),
    Column("document_type"),
    Column("document_number"),
    Column("document_issuing_state"),
    Column("card_number"),
    Column("card_valid_from"),
    Column("card_valid_until"),
    Column("immunity_level"),
    Column("notes"),
    Column("is_active"),
)
COLUMN_NAMES = tuple(c.name for c in COLUMNS)
REQUIRED_COLUMNS = tuple(c.name for c in COLUMNS if c.required)

# Model field → the CSV column a problem with it is reported on.
FIELD_COLUMN = {"mission": "mission_country", "principal": "principal"}

_TRUE = {"yes", "y", "true", "1", "ya"}
_FALSE = {"no", "n", "false", "0", "tidak"}


@dataclass(frozen=True)
class RowProblem:
    """One problem with one cell (or the whole file, row 0) in words the user can act on."""

    row: int
    column: str
    template: Promise | str
    params: Mapping[str, Any] | None = None

    @property
    def message(self) -> str:
        """The message in the active language."""
        text = str(self.template)
        return text % dict(self.params) if self.params else text

    def message_in(self, language: str) -> str:
        with translation.override(language):
            return self.message


@dataclass
class ImportPlan:
    """What checking a file found: the rows, the problems and the counts the import would
    produce (or did produce, when applied)."""

    filename: str
    sha256: str
    total_rows: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def rows_with_problems(self) -> int:
        return len({p.row for p in self.problems if p.row > 1})

    @property
    def rows_ready(self) -> int:
        if any(p.row <= 1 for p in self.problems):
            return 0
        return self.total_rows - self.rows_with_problems

    def add(self, row: int, column: str, template: Promise | str, /, **params: Any) -> None:
        self.problems.append(RowProblem(row, column, template, params or None))


class ImportRejected(ApplicationError):
    """The file has problems; `plan.problems` lists them. Nothing was written."""

    code = "import_rejected"
    default_message = _("The file has problems. Nothing was imported.")

    def __init__(self, plan: ImportPlan) -> None:
        self.plan = plan
        super().__init__()


@dataclass
class _Row:
    number: int
    cells: dict[str, str]
    data: dict[str, Any] = field(default_factory=dict)
    principal_ref: str = ""
    key: tuple[str, Any] | None = None


def _decode(content: bytes, plan: ImportPlan) -> list[_Row] | None:
    if len(content) > MAX_BYTES:
        plan.add(0, "", _("The file is larger than 2 MB. Split it into smaller files"))
        return None
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        plan.add(0, "", _("Save the file as CSV UTF-8 (comma delimited) and upload it again"))
        return None
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        plan.add(0, "", _("The file is empty. Use the template and add one row per person"))
        return None
    header = [h.strip().lower() for h in header]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    for name in missing:
        plan.add(1, name, _("The file has no column %(column)s. Use the column names of the template"), column=name)
    for name in header:
        if name and name not in COLUMN_NAMES:
            plan.add(1, name, _("Column %(column)s is not one the import knows. Remove it or correct its name"), column=name)
    if len(set(header)) != len(header):
        plan.add(1, "", _("A column name appears twice in the first row. Keep each column once"))
    if plan.problems:
        return None
    rows: list[_Row] = []
    try:
        for number, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue
            if len(values) > len(header):
                plan.add(number, "", _("The row has more cells than the first row has columns. Check for an extra comma"))
                continue
            cells = {name: (values[i].strip() if i < len(values) else "") for i, name in enumerate(header)}
            rows.append(_Row(number, {name: cells.get(name, "") for name in COLUMN_NAMES}))
            if len(rows) > MAX_ROWS:
                plan.add(0, "", _("The file has more than %(max)s rows. Split it into smaller files"), max=MAX_ROWS)
                return None
    except csv.Error:
        plan.add(0, "", _("The file is not a readable CSV file. Save it as CSV UTF-8 and upload it again"))
        return None
    if not rows:
        plan.add(0, "", _("The file has no rows under the column names. Add one row per person"))
        return None
    return rows


def _date(row: _Row, column: str, plan: ImportPlan) -> dt.date | None:
    value = row.cells[column]
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        plan.add(row.number, column, _("Enter the date as YYYY-MM-DD, for example 1984-03-27"))
        return None


def _country(row: _Row, column: str, plan: ImportPlan, countries: dict[str, Country], *, required: bool = False) -> Country | None:
    code = issuing_state_normalise(row.cells[column])
    if not code:
        if required:
            plan.add(row.number, column, _("Enter the three-letter code of the country, for example AUS"))
        return None
    country = countries.get(code)
    if country is None:
        plan.add(
            row.number, column, _("%(code)s is not a country code Jembatan knows. Use the ISO or ICAO code, for example AUS"), code=code
        )
    return country


def _choice(row: _Row, column: str, plan: ImportPlan, choices: list[tuple[str, Any]], *, required: bool = False) -> str:
    value = row.cells[column].strip().lower()
    if not value:
        if required:
            plan.add(row.number, column, _("Enter the %(column)s code. The codes are listed in the import guide"), column=column)
        return ""
    codes = {str(code).lower(): str(code) for code, _label in choices}
    if value not in codes:
        plan.add(
            row.number,
            column,
            _("%(value)s is not a code of column %(column)s. Use one of: %(codes)s"),
            value=row.cells[column],
            column=column,
            codes=", ".join(str(code) for code, _label in choices),
        )
        return ""
    return codes[value]


def _mission(row: _Row, plan: ImportPlan, countries: dict[str, Country]) -> ForeignMission | None:
    country_code = issuing_state_normalise(row.cells["mission_country"])
    organisation = row.cells["mission_organisation"]
    mission_type = row.cells["mission_type"].lower()
    city = row.cells["mission_city"]
    if not country_code and not organisation:
        plan.add(
            row.number,
            "mission_country",
            _("Enter mission_country (code of the sending State) or, for an international organisation, mission_organisation"),
        )
        return None
    if mission_type and mission_type not in ForeignMission.MissionType.values:
        plan.add(
            row.number,
            "mission_type",
            _("%(value)s is not a code of column mission_type. Use one of: %(codes)s"),
            value=row.cells["mission_type"],
            codes=", ".join(ForeignMission.MissionType.values),
        )
        return None
    missions = ForeignMission.objects.in_force()
    if country_code:
        country = countries.get(country_code)
        if country is None:
            plan.add(
                row.number,
                "mission_country",
                _("%(code)s is not a country code Jembatan knows. Use the ISO code, for example AUS"),
                code=country_code,
            )
            return None
        missions = missions.filter(country=country)
        mission_type = mission_type or ForeignMission.MissionType.EMBASSY
    else:
        missions = missions.filter(sending_entity__iexact=organisation)
        mission_type = mission_type or ForeignMission.MissionType.INTERNATIONAL_ORGANISATION
    missions = missions.filter(mission_type=mission_type)
    if city:
        missions = missions.filter(city__iexact=city)
    found = list(missions[:2])
    column = "mission_country" if country_code else "mission_organisation"
    if not found:
        plan.add(
            row.number, column, _("No mission in the reference data matches this row's mission columns. Check the country, type and city")
        )
        return None
    if len(found) > 1:
        plan.add(row.number, "mission_city", _("More than one mission matches. Enter mission_city to say which"))
        return None
    return found[0]


def _parse(rows: list[_Row], plan: ImportPlan) -> None:
    """Turn each row's cells into model values, reporting format problems."""
    countries = {c.code: c for c in Country.objects.all()}
    seen: dict[tuple[str, Any], int] = {}
    for row in rows:
        before = len(plan.problems)
        data: dict[str, Any] = {}
        data["mission"] = _mission(row, plan, countries)
        data["category"] = _choice(row, "category", plan, Category.choices, required=True)
        data["rank"] = row.cells["rank"]
        data["surname"] = row.cells["surname"]
        if not data["surname"]:
            plan.add(row.number, "surname", _("Enter the surname as in the passport"))
        data["given_names"] = row.cells["given_names"]
        data["native_name"] = row.cells["native_name"]
        data["native_name_lang"] = row.cells["native_name_lang"][:16]
        data["sex"] = (_choice(row, "sex", plan, Sex.choices) or Sex.UNSPECIFIED).upper()
        data["birth_date"] = _date(row, "birth_date", plan)
        data["nationality"] = _country(row, "nationality", plan, countries, required=True)
        data["document_type"] = _choice(row, "document_type", plan, DocumentType.choices)
        data["document_number"] = row.cells["document_number"]
        data["document_issuing_state"] = _country(row, "document_issuing_state", plan, countries)
        data["card_number"] = row.cells["card_number"]
        data["card_valid_from"] = _date(row, "card_valid_from", plan)
        data["card_valid_until"] = _date(row, "card_valid_until", plan)
        data["immunity_level"] = _choice(row, "immunity_level", plan, ImmunityLevel.choices)
        data["notes"] = row.cells["notes"]
        active = row.cells["is_active"].lower()
        if active and active not in _TRUE | _FALSE:
            plan.add(row.number, "is_active", _("Enter yes or no"))
        data["is_active"] = active not in _FALSE
        row.data = data
        row.principal_ref = document_number_normalise(row.cells["principal"])
        if data["category"] in FAMILY_CATEGORIES and not row.principal_ref:
            plan.add(
                row.number, "principal", _("Enter the card number (or document number) of the staff member this family member belongs to")
            )
        card = document_number_normalise(data["card_number"])
        document = document_number_normalise(data["document_number"])
        if card:
            row.key = ("card", card)
        elif document and data["document_issuing_state"] is not None:
            row.key = ("document", (data["document_issuing_state"].pk, document))
        elif len(plan.problems) == before:
            plan.add(
                row.number,
                "card_number",
                _("Enter a card_number, or a document_number with its document_issuing_state, so the row can be found on the next import"),
            )
        if row.key is not None:
            if row.key in seen:
                plan.add(
                    row.number,
                    "card_number" if row.key[0] == "card" else "document_number",
                    _("Row %(other)s has the same person. Keep one row per person"),
                    other=seen[row.key],
                )
            else:
                seen[row.key] = row.number


def _existing(row: _Row) -> AccreditedPerson | None:
    """The registry row this CSV row updates: by card number, else by document."""
    data = row.data
    card = document_number_normalise(data["card_number"])
    if card:
        found = AccreditedPerson.objects.filter(card_number_normalised=card).first()
        if found is not None:
            return found
    document = document_number_normalise(data["document_number"])
    issuer = data["document_issuing_state"]
    if document and issuer is not None:
        found = AccreditedPerson.objects.filter(document_number_normalised=document, document_issuing_state=issuer).first()
        # A new card for someone already registered under this document: update them,
        # unless they hold another card (then the row describes someone else).
        if found is not None and (not card or not found.card_number_normalised):
            return found
    return None


def _principal(ref: str) -> AccreditedPerson | None:
    rows = list(AccreditedPerson.objects.filter(Q(card_number_normalised=ref) | Q(document_number_normalised=ref))[:2])
    return rows[0] if len(rows) == 1 else None


def _record_validation_error(row: _Row, error: ValidationError, plan: ImportPlan) -> None:
    if not hasattr(error, "error_dict"):
        for item in error.error_list:
            plan.add(row.number, "", item.message, **(item.params or {}))
        return
    for field_name, items in error.error_dict.items():
        column = FIELD_COLUMN.get(field_name, field_name if field_name in COLUMN_NAMES else "")
        for item in items:
            plan.add(row.number, column, item.message, **(item.params or {}))


def _run(*, actor: Any, content: bytes, filename: str, apply: bool) -> ImportPlan:
    plan = ImportPlan(filename=filename, sha256=hashlib.sha256(content).hexdigest())
    rows = _decode(content, plan)
    if rows is None:
        return plan
    plan.total_rows = len(rows)
    _parse(rows, plan)
    bad_rows = {p.row for p in plan.problems}
    # Staff before their families, so a family member can name a principal from the same file.
    ordered = sorted(rows, key=lambda r: (r.data.get("category") in FAMILY_CATEGORIES, r.number))
    audit_extra = {"import_sha256": plan.sha256[:16]}
    with transaction.atomic():
        for row in ordered:
            if row.number in bad_rows:
                continue
            data = dict(row.data)
            if row.principal_ref:
                principal = _principal(row.principal_ref)
                if principal is None:
                    plan.add(
                        row.number,
                        "principal",
                        _("No staff member with card or document number %(number)s is in the registry or in this file"),
                        number=row.cells["principal"],
                    )
                    continue
                data["principal"] = principal
            else:
                data["principal"] = None
            try:
                with transaction.atomic():
                    existing = _existing(row)
                    if existing is None:
                        accredited_person_create(actor=actor, data=data, audit_data={**audit_extra, "row": row.number})
                        plan.created += 1
                    else:
                        _person, changed = accredited_person_update(
                            actor=actor, accredited_person=existing, data=data, audit_data={**audit_extra, "row": row.number}
                        )
                        plan.updated += changed
                        plan.unchanged += not changed
            except ValidationError as error:
                _record_validation_error(row, error, plan)
            except ApplicationError as error:
                plan.add(row.number, "", error.message)
        plan.problems.sort(key=lambda p: (p.row, COLUMN_NAMES.index(p.column) if p.column in COLUMN_NAMES else -1))
        if plan.ok and apply:
            audit_record(
                action=AuditAction.ACCREDITED_PERSON_IMPORTED,
                target=("missions.accreditedperson", "", filename[:200] or "import"),
                actor=actor,
                data={
                    "filename": filename,
                    "sha256": plan.sha256,
                    "rows": plan.total_rows,
                    "created": plan.created,
                    "updated": plan.updated,
                    "unchanged": plan.unchanged,
                    "imported_at": timezone.now().isoformat(),
                },
            )
            plan.applied = True
        else:
            transaction.set_rollback(True)
    return plan


def accredited_import_check(*, actor: Any, content: bytes, filename: str = "") -> ImportPlan:
    """Check a CSV file and count what importing it would do; writes nothing.

    The import runs in a transaction that is always rolled back, so every rule of the
    real import is applied. `plan.problems` lists every problem, by row and column.
    """
    return _run(actor=actor, content=content, filename=filename, apply=False)


def accredited_import_apply(*, actor: Any, content: bytes, filename: str = "") -> ImportPlan:
    """Import a CSV file into the registry, all or nothing.

    Checks the file again (never trusts an earlier check) and raises `ImportRejected`
    (nothing written) if any row has a problem. Otherwise creates and updates the rows,
    each with its own audit event, and records `ACCREDITED_PERSON_IMPORTED` with the
    file's SHA-256 and the counts.
    """
    plan = _run(actor=actor, content=content, filename=filename, apply=True)
    if not plan.ok:
        raise ImportRejected(plan)
    return plan
