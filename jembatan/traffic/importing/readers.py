"""Streaming readers of exchange-format files: CSV (UTF-8, header row, comma) or Parquet
with the same columns. Memory stays constant whatever the file size: CSV is read through
the `csv` module over a buffered text stream, Parquet one record batch at a time.

Rows come out as lists of strings in the format's column order, numbered as a spreadsheet
numbers them (the header is row 1, the first record row 2). `bytes_read` tells how far into
the file the reader is, for progress and ETA.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from django.utils.translation import gettext as _

from jembatan.core.exceptions import ApplicationError

_HASH_BLOCK = 1 << 20
PARQUET_MAGIC = b"PAR1"

csv.field_size_limit(1 << 20)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(_HASH_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def is_parquet(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(4) == PARQUET_MAGIC


class _CountingReader(io.RawIOBase):
    """A raw byte stream that counts what was read (the text layer reads ahead in blocks)."""

    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = self.handle.readinto(buffer)  # type: ignore[attr-defined]
        self.count += n or 0
        return n or 0

    def close(self) -> None:
        self.handle.close()
        super().close()


def _column_order(header: Sequence[str], columns: Sequence[str]) -> list[int] | None:
    """Indexes of `columns` in `header` (None when they are already in order)."""
    names = [name.strip().lower() for name in header]
    missing = [column for column in columns if column not in names]
    if missing:
        raise ApplicationError(
            _("The file lacks the column(s) %(columns)s of format 1.0 (see docs/traffic-format.md).") % {"columns": ", ".join(missing)},
            field="file",
        )
    order = [names.index(column) for column in columns]
    return None if order == list(range(len(columns))) and len(names) == len(columns) else order


class RowSource:
    """The records of one file. `rows(skip)` yields `(row_number, values)` after skipping
    the first `skip` records (a resumed import)."""

    def __init__(self, path: Path, columns: Sequence[str]) -> None:
        self.path = path
        self.columns = tuple(columns)
        self.size = path.stat().st_size
        self.parquet = is_parquet(path)
        self._counter: _CountingReader | None = None
        self._parquet_fraction = 0.0

    @property
    def bytes_read(self) -> int:
        if self.parquet:
            return int(self.size * self._parquet_fraction)
        return min(self._counter.count, self.size) if self._counter else 0

    def rows(self, skip: int = 0) -> Iterator[tuple[int, list[str]]]:
        return self._parquet_rows(skip) if self.parquet else self._csv_rows(skip)

    def _csv_rows(self, skip: int) -> Iterator[tuple[int, list[str]]]:
        self._counter = _CountingReader(self.path.open("rb"))
        buffered = io.BufferedReader(self._counter, buffer_size=1 << 16)
        # Invalid UTF-8 becomes U+FFFD; validation rejects such a row (names are checked).
        text = io.TextIOWrapper(buffered, encoding="utf-8-sig", errors="replace", newline="")
        try:
            reader = csv.reader(text)
            header = next(reader, None)
            if header is None:
                raise ApplicationError(_("The file is empty: it has no header row."), field="file")
            order = _column_order(header, self.columns)
            number = 1
            for _skipped in range(skip):
                if next(reader, None) is None:
                    return
                number += 1
            if order is None:
                for row in reader:
                    number += 1
                    yield number, row
            else:
                width = len(header)
                for row in reader:
                    number += 1
                    yield number, ([row[i] for i in order] if len(row) == width else row)
        finally:
            text.close()

    def _parquet_rows(self, skip: int) -> Iterator[tuple[int, list[str]]]:
        try:
            import pyarrow.parquet as pq
        except ImportError:  # pragma: no cover - pyarrow is a base requirement
            raise ApplicationError(_("Parquet files need the pyarrow package."), field="file") from None
        handle = pq.ParquetFile(self.path)
        _column_order(handle.schema_arrow.names, self.columns)
        total = max(handle.metadata.num_rows, 1)
        number = 1
        done = 0
        for batch in handle.iter_batches(batch_size=65_536, columns=list(self.columns)):
            if done + batch.num_rows <= skip:
                done += batch.num_rows
                number += batch.num_rows
                continue
            columns = [_as_text(batch.column(i).to_pylist()) for i in range(len(self.columns))]
            for values in zip(*columns, strict=True):
                done += 1
                number += 1
                if done <= skip:
                    continue
                yield number, list(values)
            self._parquet_fraction = done / total


def _as_text(values: list[Any]) -> list[str]:
    """Parquet values as the CSV would write them: None → "", dates and times in ISO 8601."""
    out: list[str] = []
    for value in values:
        if value is None:
            out.append("")
        elif isinstance(value, str):
            out.append(value)
        elif isinstance(value, (dt.datetime, dt.date)):
            out.append(value.isoformat())
        else:
            out.append(str(value))
    return out
