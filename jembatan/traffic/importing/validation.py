"""Row validation for exchange format 1.0: one function per file kind, fast enough for
national volumes (a few microseconds a row: set and dict look-ups, C-level parsing, caches
for the values that repeat such as dates of birth and names).

A row is either accepted (a tuple ready for the database) or rejected with the column at
fault and a reason in English and Indonesian (`Rejection`). The first problem found in a
row decides its reason; the order of checks is the order of the columns.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from anyascii import anyascii

from jembatan.traffic.importing.format import (
    CROSSING_COLUMNS,
    CROSSING_LENGTHS,
    DIRECTIONS,
    DOCUMENT_TYPES,
    PERMIT_COLUMNS,
    PERMIT_LENGTHS,
    SEXES,
)

_WORDS = re.compile(r"[a-z0-9]+")
_DOCUMENT_NUMBER = re.compile(r"[A-Z0-9]{1,20}")
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_CACHE_LIMIT = 200_000
_EARLIEST = dt.datetime(1990, 1, 1, tzinfo=dt.UTC)
_LATEST_SLACK = dt.timedelta(days=2)
# Statistics are by the calendar month of western Indonesia (aggregates.STATISTICS_ZONE,
# UTC+7 without daylight saving).
_WIB = dt.timedelta(hours=7)

# Reasons: (English, Indonesian). Placeholders are filled with `%`-formatting.
REASONS: dict[str, tuple[str, str]] = {
    "columns": (
        "The row has %(found)s columns; format 1.0 has %(expected)s.",
        "Baris memiliki %(found)s kolom; format 1.0 memiliki %(expected)s.",
    ),
    "required": ("%(field)s is empty; it is required.", "%(field)s kosong; kolom ini wajib diisi."),
    "too_long": ("%(field)s is longer than %(limit)s characters.", "%(field)s lebih dari %(limit)s karakter."),
    "datetime": (
        "%(field)s is not an ISO 8601 date and time with a UTC offset (e.g. 2026-03-14T08:12:55+07:00).",
        "%(field)s bukan tanggal dan waktu ISO 8601 dengan selisih UTC (mis. 2026-03-14T08:12:55+07:00).",
    ),
    "datetime_range": ("%(field)s is before 1990 or in the future.", "%(field)s sebelum tahun 1990 atau di masa depan."),
    "direction": ("direction must be ARRIVAL or DEPARTURE.", "direction harus ARRIVAL atau DEPARTURE."),
    "checkpoint": (
        "checkpoint_code %(value)s is not an immigration checkpoint in the reference data.",
        "checkpoint_code %(value)s bukan tempat pemeriksaan imigrasi dalam data referensi.",
    ),
    "document_type": (
        "document_type %(value)s is not a known ICAO document type.",
        "document_type %(value)s bukan jenis dokumen ICAO yang dikenal.",
    ),
    "document_number": (
        "document_number must be 1 to 20 capital letters or digits.",
        "document_number harus 1 sampai 20 huruf kapital atau angka.",
    ),
    "country": (
        "%(field)s %(value)s is not an ICAO country or nationality code.",
        "%(field)s %(value)s bukan kode negara atau kewarganegaraan ICAO.",
    ),
    "date": ("%(field)s is not a date YYYY-MM-DD.", "%(field)s bukan tanggal YYYY-MM-DD."),
    "birth_date": (
        "%(field)s is not a date YYYY-MM-DD (00 for an unknown day or month) in the past.",
        "%(field)s bukan tanggal YYYY-MM-DD (00 untuk hari atau bulan yang tidak diketahui) di masa lalu.",
    ),
    "sex": ("sex must be M, F or X.", "sex harus M, F atau X."),
    "permit_type": ("permit_type %(value)s is not one of: %(allowed)s.", "permit_type %(value)s bukan salah satu dari: %(allowed)s."),
    "status": ("status %(value)s is not one of: %(allowed)s.", "status %(value)s bukan salah satu dari: %(allowed)s."),
    "expiry": ("expires_on is before issued_on.", "expires_on sebelum issued_on."),
    "duplicate_in_batch": (
        "source_key %(value)s appears earlier in the same batch.",
        "source_key %(value)s sudah muncul sebelumnya dalam batch yang sama.",
    ),
    "encoding": ("The row is not valid UTF-8 text.", "Baris bukan teks UTF-8 yang sah."),
}


@dataclass(frozen=True)
class Rejection:
    """Why a row was refused: the column at fault (blank for the whole row) and a reason."""

    field: str
    code: str
    params: tuple[tuple[str, str], ...] = ()

    @property
    def reason_en(self) -> str:
        return REASONS[self.code][0] % dict(self.params)

    @property
    def reason_id(self) -> str:
        return REASONS[self.code][1] % dict(self.params)

    @property
    def reason(self) -> str:
        """Both languages, English first: what the ledger and the CSV report show."""
        return f"{self.reason_en} / {self.reason_id}"


def reject(field: str, code: str, **params: object) -> Rejection:
    return Rejection(field=field, code=code, params=tuple((k, str(v)) for k, v in {"field": field, **params}.items()))


def name_key(surname: str, given_names: str) -> str:
    """The same key as `people.querysets.person_search_key(surname, given_names)`: lower-case
    ASCII words of every name, in any script (kept in step by a test)."""
    text = f"{surname} {given_names}"
    if not text.isascii():
        text = anyascii(text)
    return " ".join(_WORDS.findall(text.lower()))


class _Caches:
    def __init__(self) -> None:
        self.names: dict[tuple[str, str], str] = {}
        self.births: dict[str, tuple[int, int | None, int | None] | None] = {}

    def name(self, surname: str, given: str) -> str:
        key = (surname, given)
        found = self.names.get(key)
        if found is None:
            if len(self.names) > _CACHE_LIMIT:
                self.names.clear()
            found = self.names[key] = name_key(surname, given)
        return found

    def birth(self, text: str) -> tuple[int, int | None, int | None] | None:
        try:
            return self.births[text]
        except KeyError:
            if len(self.births) > _CACHE_LIMIT:
                self.births.clear()
            value = self.births[text] = _parse_birth(text)
            return value


def _parse_birth(text: str) -> tuple[int, int | None, int | None] | None:
    """`YYYY-MM-DD` with `00` for an unknown month or day (an unknown month forces an
    unknown day); None when malformed, impossible or in the future."""
    match = _DATE.fullmatch(text)
    if not match:
        return None
    year, month, day = (int(part) for part in match.groups())
    if year < 1880 or month > 12 or (month == 0 and day != 0):
        return None
    if month and day:
        try:
            born = dt.date(year, month, day)
        except ValueError:
            return None
        if born > dt.date.today() + dt.timedelta(days=1):  # noqa: DTZ011 - a date of birth has no zone
            return None
    elif year > dt.date.today().year:  # noqa: DTZ011
        return None
    return year, month or None, day or None


def _parse_date(text: str) -> dt.date | None:
    if not _DATE.fullmatch(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


class CrossingValidator:
    """Validates crossing rows against the reference codes given at construction.

    `check(row)` returns the database tuple
    `(source_key, crossed_at_utc, direction, checkpoint_code, document_type,
    document_number, issuing_state, nationality, surname, given_names, name_key,
    birth_year, birth_month, birth_day, sex, permit_type, permit_number, carrier)` or a
    `Rejection`. The months of accepted rows accumulate in `partition_months` (UTC months,
    first day: the PostgreSQL partitions) and `statistics_months` (WIB months:
    `aggregates.refresh_monthly`); the pipeline empties them per chunk.
    """

    columns = CROSSING_COLUMNS

    def __init__(self, *, checkpoints: Iterable[str], countries: Iterable[str], permit_types: Iterable[str], now: dt.datetime) -> None:
        self.checkpoints = frozenset(checkpoints)
        self.countries = frozenset(countries)
        self.permit_types = frozenset(permit_types)
        self.permit_list = ", ".join(sorted(self.permit_types))
        self.latest = now + _LATEST_SLACK
        self.caches = _Caches()
        self.partition_months: set[tuple[int, int]] = set()
        self.statistics_months: set[tuple[int, int]] = set()

    def check(self, row: list[str]) -> tuple[object, ...] | Rejection:  # noqa: C901, PLR0911, PLR0912
        if len(row) != 15:
            return reject("", "columns", found=len(row), expected=15)
        (
            key,
            crossed,
            direction,
            checkpoint,
            doc_type,
            doc_number,
            issuing,
            nationality,
            surname,
            given,
            birth,
            sex,
            permit_type,
            permit_number,
            carrier,
        ) = row
        if not key:
            return reject("source_key", "required")
        if len(key) > 64:
            return reject("source_key", "too_long", limit=64)
        try:
            moment = dt.datetime.fromisoformat(crossed)
        except ValueError:
            return reject("crossed_at", "datetime")
        if moment.tzinfo is None or len(crossed) < 16 or crossed[10] not in "Tt ":
            return reject("crossed_at", "datetime")
        moment = moment.astimezone(dt.UTC)
        if moment < _EARLIEST or moment > self.latest:
            return reject("crossed_at", "datetime_range")
        code = DIRECTIONS.get(direction)
        if code is None:
            return reject("direction", "direction")
        if checkpoint not in self.checkpoints:
            return reject("checkpoint_code", "checkpoint", value=checkpoint[:20])
        if doc_type not in DOCUMENT_TYPES:
            return reject("document_type", "document_type", value=doc_type[:4])
        if not _DOCUMENT_NUMBER.fullmatch(doc_number):
            return reject("document_number", "document_number")
        if issuing not in self.countries:
            return reject("issuing_state", "country", value=issuing[:4])
        if nationality not in self.countries:
            return reject("nationality", "country", value=nationality[:4])
        if not surname:
            return reject("surname", "required")
        if len(surname) > 120:
            return reject("surname", "too_long", limit=120)
        if len(given) > 200:
            return reject("given_names", "too_long", limit=200)
        if "\ufffd" in surname or "\ufffd" in given:
            return reject("surname", "encoding")
        born = self.caches.birth(birth)
        if born is None:
            return reject("date_of_birth", "birth_date")
        if sex not in SEXES:
            return reject("sex", "sex")
        if permit_type not in self.permit_types:
            return reject("permit_type", "permit_type", value=permit_type[:24], allowed=self.permit_list)
        if len(permit_number) > 40:
            return reject("permit_number", "too_long", limit=40)
        if len(carrier) > 20:
            return reject("carrier", "too_long", limit=20)
        self.partition_months.add((moment.year, moment.month))
        local = moment + _WIB
        self.statistics_months.add((local.year, local.month))
        return (
            key,
            moment,
            code,
            checkpoint,
            doc_type,
            doc_number,
            issuing,
            nationality,
            surname,
            given,
            self.caches.name(surname, given),
            born[0],
            born[1],
            born[2],
            sex,
            permit_type,
            permit_number,
            carrier,
        )


class PermitValidator:
    """Validates stay-permit rows; `check(row)` returns the database tuple
    `(source_key, permit_number, permit_type, document_number, issuing_state, nationality,
    surname, given_names, name_key, birth_year, birth_month, birth_day, issued_on,
    expires_on, sponsor, province, status)` and the issue month, or a `Rejection`."""

    columns = PERMIT_COLUMNS

    def __init__(self, *, countries: Iterable[str], permit_types: Iterable[str], statuses: Iterable[str]) -> None:
        self.countries = frozenset(countries)
        self.permit_types = frozenset(permit_types)
        self.permit_list = ", ".join(sorted(self.permit_types))
        self.statuses = frozenset(statuses)
        self.status_list = ", ".join(sorted(self.statuses))
        self.caches = _Caches()

    def check(self, row: list[str]) -> tuple[object, ...] | Rejection:  # noqa: C901, PLR0911, PLR0912
        if len(row) != len(PERMIT_COLUMNS):
            return reject("", "columns", found=len(row), expected=len(PERMIT_COLUMNS))
        (key, number, permit_type, doc_number, issuing, nationality, surname, given, birth, issued, expires, sponsor, province, status) = (
            row
        )
        for field, value in (("source_key", key), ("permit_number", number), ("surname", surname)):
            if not value:
                return reject(field, "required")
        for field, value in (
            ("source_key", key),
            ("permit_number", number),
            ("surname", surname),
            ("given_names", given),
            ("sponsor", sponsor),
            ("province", province),
        ):
            if len(value) > PERMIT_LENGTHS[field]:
                return reject(field, "too_long", limit=PERMIT_LENGTHS[field])
        if permit_type not in self.permit_types:
            return reject("permit_type", "permit_type", value=permit_type[:24], allowed=self.permit_list)
        if not _DOCUMENT_NUMBER.fullmatch(doc_number):
            return reject("document_number", "document_number")
        if issuing not in self.countries:
            return reject("issuing_state", "country", value=issuing[:4])
        if nationality not in self.countries:
            return reject("nationality", "country", value=nationality[:4])
        born = self.caches.birth(birth)
        if born is None:
            return reject("date_of_birth", "birth_date")
        issued_on = _parse_date(issued)
        if issued_on is None:
            return reject("issued_on", "date")
        expires_on = _parse_date(expires)
        if expires_on is None:
            return reject("expires_on", "date")
        if expires_on < issued_on:
            return reject("expires_on", "expiry")
        if status not in self.statuses:
            return reject("status", "status", value=status[:12], allowed=self.status_list)
        if "\ufffd" in surname or "\ufffd" in given:
            return reject("surname", "encoding")
        return (
            key,
            number,
            permit_type,
            doc_number,
            issuing,
            nationality,
            surname,
            given,
            self.caches.name(surname, given),
            born[0],
            born[1],
            born[2],
            issued_on,
            expires_on,
            sponsor,
            province,
            status,
        )


__all__ = ["CROSSING_LENGTHS", "CrossingValidator", "PermitValidator", "Rejection", "name_key", "reject"]
