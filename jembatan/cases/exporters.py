"""Exports of the case list (UX.md §3.9): CSV for systems, XLSX for people.

CSV: UTF-8 with BOM, RFC 4180 (CRLF), stable column names and codes, times in ISO 8601
with the offset of the place, no thousands separators, cells a spreadsheet would run as a
formula defused with a leading apostrophe. XLSX: headers and labels in the active
language, real dates and times (in the viewer's zone, named in the header), names intact.

What never leaves in an export: refugee, asylum-seeker, statelessness or trafficking flags
(a mission-facing file must not carry them, domain.md §8.4), the free-text summary (it may
say the same in words) and the immunity registry match details.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Prefetch, Q
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jembatan.audit.events import AuditAction
from jembatan.audit.services import audit_read
from jembatan.cases.lifecycle import CaseKind, CaseStatus, DetentionGround
from jembatan.cases.models import Case
from jembatan.cases.querysets import CaseQuerySet
from jembatan.core.exceptions import ApplicationError, PermissionDenied
from jembatan.missions.choices import ImmunityLevel
from jembatan.reference.models import ZONE_ABBREVIATIONS

EXPORT_CAPABILITY = "cases.export_case"
BOM = "\ufeff"
# A cell starting with one of these is read as a formula by spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FILTER_PARAMS = ("kind", "status", "nationality", "office", "date_from", "date_to", "q", "open", "overdue", "ceiling", "immunity")
FLAGS = ("open", "overdue", "ceiling", "immunity")
_TRUE, _FALSE = frozenset({"1", "on", "true", "yes"}), frozenset({"", "0", "off", "false", "no"})


def safe_cell(value: Any) -> Any:
    """Prefix text that a spreadsheet would evaluate with an apostrophe (formula injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def zone_abbreviation(zone: str, at: dt.datetime | None = None) -> str:
    if zone in ZONE_ABBREVIATIONS:
        return ZONE_ABBREVIATIONS[zone]
    return (at or dt.datetime.now(dt.UTC)).astimezone(ZoneInfo(zone)).strftime("UTC%z")


def export_filename(*, now: dt.datetime, zone: str, extension: str) -> str:
    """`jembatan-kasus-2026-11-27-1430WIB.csv`: the moment of export in the viewer's zone."""
    local = now.astimezone(ZoneInfo(zone))
    return f"jembatan-kasus-{local:%Y-%m-%d-%H%M}{zone_abbreviation(zone, now)}.{extension}"


# --- filters ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseExportFilters:
    """The case-list filters of the query string: `kind`, `status` (codes), `nationality`
    (a country code held by the person), `office` (the reporting unit, id or code),
    `date_from`/`date_to` (YYYY-MM-DD, whole days in `zone`, included), `q` (case
    number, or words of the person's names, or a document number), and the check boxes
    `open` (not in a final status), `overdue` (needing attention), `ceiling` (detentions
    nearing the 10-year ceiling) and `immunity` (flagged by the registry)."""

    zone: str = "Asia/Jakarta"
    kind: str = ""
    status: str = ""
    nationality: str = ""
    office: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    q: str = ""
    open: bool = False
    overdue: bool = False
    ceiling: bool = False
    immunity: bool = False

    @classmethod
    def from_query(cls, params: QueryDict | dict[str, str], *, zone: str) -> CaseExportFilters:
        """Parse and check the query string; a value that is not understood raises
        `ApplicationError` naming the parameter, rather than exporting more than asked."""

        def text(name: str, limit: int = 200) -> str:
            return (params.get(name) or "").strip()[:limit]

        kind, status = text("kind"), text("status")
        if kind and kind not in CaseKind.values:
            raise ApplicationError(_("Choose a kind of case from the list."), field="kind")
        if status and status not in CaseStatus.values:
            raise ApplicationError(_("Choose a status from the list."), field="status")
        nationality = text("nationality").upper()
        if nationality and not (nationality.isalpha() and len(nationality) <= 3):
            raise ApplicationError(_("Enter the nationality as a country code, for example AUS."), field="nationality")
        dates: dict[str, dt.date | None] = {}
        for name in ("date_from", "date_to"):
            raw = text(name, 20)
            try:
                dates[name] = dt.date.fromisoformat(raw) if raw else None
            except ValueError:
                raise ApplicationError(_("Enter the date as a real date, for example 2026-11-27."), field=name) from None
        if dates["date_from"] and dates["date_to"] and dates["date_to"] < dates["date_from"]:
            raise ApplicationError(_("The end date must be the same as or after the start date."), field="date_to")
        flags: dict[str, bool] = {}
        for name in FLAGS:
            raw = text(name, 10).lower()
            if raw not in _TRUE | _FALSE:
                raise ApplicationError(_("Tick the box or leave it empty."), field=name)
            flags[name] = raw in _TRUE
        return cls(
            zone=zone,
            kind=kind,
            status=status,
            nationality=nationality,
            office=text("office", 60),
            date_from=dates["date_from"],
            date_to=dates["date_to"],
            q=text("q"),
            **flags,
        )

    def apply(self, queryset: CaseQuerySet) -> CaseQuerySet:
        from jembatan.people.models import Person

        tz = ZoneInfo(self.zone)
        if self.kind:
            queryset = queryset.filter(kind=self.kind)
        if self.status:
            queryset = queryset.filter(status=self.status)
        if self.nationality:
            queryset = queryset.filter(
                Q(person__nationality_links__country__code=self.nationality)
                | Q(person__nationality_links__country__iso_equivalent=self.nationality)
            ).distinct()
        if self.office:
            if self.office.isdigit():
                queryset = queryset.filter(reporting_unit_id=int(self.office))
            else:
                queryset = queryset.filter(reporting_unit__code=self.office)
        if self.date_from:
            queryset = queryset.filter(occurred_at__gte=dt.datetime.combine(self.date_from, dt.time.min, tzinfo=tz))
        if self.date_to:
            end = dt.datetime.combine(self.date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
            queryset = queryset.filter(occurred_at__lt=end)
        if self.q:
            people = Person.objects.search(self.q).values("id")
            queryset = queryset.filter(Q(reference__iexact=self.q.replace(" ", "")) | Q(person_id__in=people))
        # The same named filters as the case list (`CaseQuerySet`).
        if self.open:
            queryset = queryset.open()
        if self.overdue:
            queryset = queryset.needing_attention()
        if self.ceiling:
            queryset = queryset.nearing_ceiling()
        if self.immunity:
            queryset = queryset.immunity_flagged()
        return queryset

    def as_data(self) -> dict[str, Any]:
        """The filters in use, as recorded in the audit event."""
        values = {
            "kind": self.kind,
            "status": self.status,
            "nationality": self.nationality,
            "office": self.office,
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
            "q": self.q,
        }
        active: dict[str, Any] = {k: v for k, v in values.items() if v}
        active.update({name: True for name in FLAGS if getattr(self, name)})
        return active


# --- selector ---------------------------------------------------------------------------


@dataclass
class CaseExport:
    """What an export holds: the row count recorded in the audit log and the cases."""

    rows: int
    cases: Iterable[Case]
    filters: CaseExportFilters = field(default_factory=CaseExportFilters)


def case_export(*, actor: Any, filters: CaseExportFilters, file_format: str) -> CaseExport:
    """The cases `actor` may see matching `filters`, oldest first, for a file; the export is
    recorded (`CASE_EXPORTED_CSV`/`_XLSX`) with the filters and the row count.

    Raises `PermissionDenied` without `cases.export_case`: the files hold personal data
    (names, date of birth, document numbers), so only roles allowed to export get them.
    """
    if not getattr(actor, "has_capability", None) or not actor.has_capability(EXPORT_CAPABILITY):
        raise PermissionDenied()
    from jembatan.people.models import IdentityDocument, Nationality

    visible = Case.objects.visible_to(actor)
    queryset = (
        filters.apply(visible)
        .select_related("person", "reporting_agency", "reporting_unit", "legal_basis", "detention_centre")
        .prefetch_related(
            Prefetch("person__nationality_links", queryset=Nationality.objects.select_related("country")),
            Prefetch("person__documents", queryset=IdentityDocument.objects.select_related("issuing_state")),
        )
        .order_by("occurred_at", "reference")
    )
    rows = queryset.count()
    action = AuditAction.CASE_EXPORTED_XLSX if file_format == "xlsx" else AuditAction.CASE_EXPORTED_CSV
    audit_read(
        actor=actor,
        action=action,
        target=("cases.case", "", f"case list ({file_format})"),
        purpose="export",
        data={"filters": filters.as_data(), "rows": rows, "format": file_format, "zone": filters.zone},
    )
    return CaseExport(rows=rows, cases=queryset.iterator(chunk_size=500), filters=filters)


# --- columns ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column: a stable `code` (CSV header), a human `label` (XLSX header), and how to
    read the value for each format."""

    code: str
    label: Any
    csv: Callable[[Case, ZoneInfo], Any]
    xlsx: Callable[[Case, ZoneInfo], Any] | None = None


def _nationalities(case: Case) -> str:
    return " ".join(link.country.code for link in case.person.nationality_links.all())


def _documents(case: Case) -> str:
    return " ".join(doc.number for doc in case.person.documents.all())


def _iso(value: dt.datetime | None, tz: ZoneInfo) -> str:
    return value.astimezone(tz).isoformat(timespec="seconds") if value else ""


def _local_naive(value: dt.datetime | None, tz: ZoneInfo) -> dt.datetime | None:
    # Spreadsheets have no time zones: the local time, the zone is named in the header.
    return value.astimezone(tz).replace(tzinfo=None) if value else None


def _case_zone(case: Case) -> ZoneInfo:
    try:
        return ZoneInfo(case.time_zone or "Asia/Jakarta")
    except (KeyError, ValueError):
        return ZoneInfo("Asia/Jakarta")


def _date(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def _label(choices: Any, value: str) -> str:
    if not value:
        return ""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _birth_xlsx(case: Case, tz: ZoneInfo) -> Any:
    # A full date is a real date; a partial one (year, or year and month) stays text.
    return case.person.birth_date or case.person.birth_date_display


COLUMNS: tuple[Column, ...] = (
    Column("reference", gettext_lazy("Case number"), lambda c, tz: c.reference),
    Column("kind", gettext_lazy("Kind"), lambda c, tz: c.kind, lambda c, tz: c.get_kind_display()),
    Column("status", gettext_lazy("Status"), lambda c, tz: c.status, lambda c, tz: c.get_status_display()),
    Column(
        "occurred_at",
        gettext_lazy("Date and time of the event"),
        lambda c, tz: _iso(c.occurred_at, _case_zone(c)),
        lambda c, tz: _local_naive(c.occurred_at, tz),
    ),
    Column("time_zone", gettext_lazy("Time zone of the place"), lambda c, tz: c.time_zone),
    Column("surname", gettext_lazy("Surname (as in the document)"), lambda c, tz: c.person.surname),
    Column("given_names", gettext_lazy("Given names (as in the document)"), lambda c, tz: c.person.given_names),
    Column("native_name", gettext_lazy("Name in native script"), lambda c, tz: c.person.native_name),
    Column("birth_date", gettext_lazy("Date of birth"), lambda c, tz: c.person.birth_date_display, _birth_xlsx),
    Column("sex", gettext_lazy("Sex"), lambda c, tz: c.person.sex, lambda c, tz: c.person.get_sex_display()),
    Column("nationalities", gettext_lazy("Nationalities"), lambda c, tz: _nationalities(c)),
    Column("document_numbers", gettext_lazy("Document numbers"), lambda c, tz: _documents(c)),
    Column(
        "reporting_agency",
        gettext_lazy("Reporting agency"),
        lambda c, tz: c.reporting_agency.code,
        lambda c, tz: c.reporting_agency.name,
    ),
    Column(
        "reporting_unit",
        gettext_lazy("Reporting office"),
        lambda c, tz: c.reporting_unit.code if c.reporting_unit else "",
        lambda c, tz: c.reporting_unit.name if c.reporting_unit else "",
    ),
    Column("legal_basis", gettext_lazy("Legal basis"), lambda c, tz: str(c.legal_basis) if c.legal_basis else ""),
    Column(
        "detention_centre",
        gettext_lazy("Detention centre"),
        lambda c, tz: c.detention_centre.code if c.detention_centre else "",
        lambda c, tz: c.detention_centre.name if c.detention_centre else "",
    ),
    Column(
        "detention_ground",
        gettext_lazy("Ground of detention"),
        lambda c, tz: c.detention_ground,
        lambda c, tz: _label(DetentionGround, c.detention_ground),
    ),
    Column(
        "detention_ceiling_on",
        gettext_lazy("Statutory ceiling"),
        lambda c, tz: _date(c.detention_ceiling_on),
        lambda c, tz: c.detention_ceiling_on,
    ),
    Column("starts_on", gettext_lazy("Start date"), lambda c, tz: _date(c.starts_on), lambda c, tz: c.starts_on),
    Column("ends_on", gettext_lazy("End date"), lambda c, tz: _date(c.ends_on), lambda c, tz: c.ends_on),
    Column("extension_count", gettext_lazy("Extensions"), lambda c, tz: c.extension_count),
    Column("requesting_agency", gettext_lazy("Requesting agency"), lambda c, tz: c.requesting_agency),
    Column("decision_number", gettext_lazy("Decision number"), lambda c, tz: c.decision_number),
    Column("overstay_days", gettext_lazy("Days of overstay"), lambda c, tz: c.overstay_days if c.overstay_days is not None else ""),
    Column(
        "charge_amount",
        gettext_lazy("Charge (IDR)"),
        lambda c, tz: int(c.charge_amount) if c.charge_amount is not None else "",
        lambda c, tz: int(c.charge_amount) if c.charge_amount is not None else None,
    ),
    Column("court", gettext_lazy("Court or investigating body"), lambda c, tz: c.court),
    Column(
        "immunity_level",
        gettext_lazy("Immunity"),
        lambda c, tz: c.immunity_level,
        lambda c, tz: _label(ImmunityLevel, c.immunity_level),
    ),
    Column(
        "recorded_at",
        gettext_lazy("Recorded at"),
        lambda c, tz: _iso(c.created_at, _case_zone(c)),
        lambda c, tz: _local_naive(c.created_at, tz),
    ),
)
# Columns whose XLSX header names the viewer's zone.
ZONED_COLUMNS = frozenset({"occurred_at", "recorded_at"})


# --- writers ----------------------------------------------------------------------------


class _Echo:
    """A file-like object whose `write` hands the line back, for streaming csv.writer."""

    def write(self, value: str) -> str:
        return value


def csv_lines(cases: Iterable[Case], *, zone: str) -> Iterator[str]:
    """The CSV file, line by line: BOM and header first; each time with its place's offset."""
    writer = csv.writer(_Echo())  # RFC 4180: quotes where needed, CRLF line ends
    tz = ZoneInfo(zone)
    yield BOM + writer.writerow([column.code for column in COLUMNS])
    for case in cases:
        yield writer.writerow([safe_cell(column.csv(case, tz)) for column in COLUMNS])


def xlsx_bytes(cases: Iterable[Case], *, zone: str) -> bytes:
    """The XLSX workbook (write-only, streamed row by row into memory). Headers in the
    active language; times are real date-times in `zone`, whose abbreviation is in the
    header. Text is never stored as a formula, so names stay exactly as written."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    tz = ZoneInfo(zone)
    abbreviation = zone_abbreviation(zone)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(_("Cases"))[:31])
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)

    def cell(value: Any, *, header: bool = False) -> WriteOnlyCell:
        one = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str) and one.data_type == "f":
            one.data_type = "s"  # text that looks like a formula stays text
        if header:
            one.font = bold
        if isinstance(value, dt.datetime):
            one.number_format = "yyyy-mm-dd hh:mm"
        elif isinstance(value, dt.date):
            one.number_format = "yyyy-mm-dd"
        return one

    headers = [f"{column.label} ({abbreviation})" if column.code in ZONED_COLUMNS else str(column.label) for column in COLUMNS]
    sheet.append([cell(text, header=True) for text in headers])
    for case in cases:
        sheet.append([cell((column.xlsx or column.csv)(case, tz)) for column in COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
