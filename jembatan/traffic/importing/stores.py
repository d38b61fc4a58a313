"""Set-based writers of validated traffic rows, one per database (STYLE rule 15).

Each `write` call runs inside the caller's transaction and returns how many rows were new.
Nothing here saves a model instance row by row.

PostgreSQL, crossings: the chunk's keys are `COPY`ed (binary) into a temporary staging
table whose `id` defaults to the crossings' sequence, then one set-based merge records the
keys never seen and returns their ids::

    WITH k AS (INSERT INTO traffic_crossingkey SELECT source_key, id FROM stage
               ORDER BY ord ON CONFLICT (source_key) DO NOTHING RETURNING crossing_id)
    SELECT stage.ord, stage.id FROM stage JOIN k ON k.crossing_id = stage.id

and only those rows are `COPY`ed (binary) into the partitioned table: a row already loaded
(in this chunk, this file or any earlier load) never reaches it, and the crossings are
written once, by the database's fastest path, instead of staged and copied again. Monthly
partitions are created on demand (`ensure_partitions`); rows of a month that had landed in
the DEFAULT partition are moved into the new partition before it is attached.

SQLite: `executemany` into a temporary staging table, duplicates deleted by an indexed
probe of the key table, then `INSERT … SELECT` and the new keys, all in the chunk's one
(IMMEDIATE) transaction.

Initial load: when the store is empty and the file is large, the crossings' primary key
and secondary indexes (and on PostgreSQL the key table's primary key) are dropped before
loading, chunks go in by `COPY` alone, and everything is rebuilt once at the end
(`ensure_indexes`; a key repeated across chunks keeps its first row) — several times
cheaper than maintaining the indexes row by row. A crash leaves them missing; the resumed
import (or any later one) finishes the job. docs/benchmarks.md has the measurements.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, connection, transaction

from jembatan.traffic.models import Crossing, StayPermit

CROSSING_TABLE = Crossing._meta.db_table
KEY_TABLE = "traffic_crossingkey"
DEFAULT_PARTITION = f"{CROSSING_TABLE}_default"
PERMIT_TABLE = StayPermit._meta.db_table
# Partitions follow the statistics month (Asia/Jakarta, WIB), so a month's figures read
# exactly one partition.
PARTITION_ZONE = ZoneInfo("Asia/Jakarta")

# Advisory-lock keys (PostgreSQL): one import of a file at a time; ids handed out and
# committed one chunk or push at a time, so they grow in commit order (the change feed).
IMPORT_LOCK = 0x4A42_5452_0001
IDS_LOCK = 0x4A42_5452_0002

CROSSING_COLUMNS: tuple[str, ...] = (
    "source_key",
    "crossed_at",
    "direction",
    "checkpoint_code",
    "document_type",
    "document_number",
    "issuing_state",
    "nationality",
    "surname",
    "given_names",
    "name_key",
    "birth_year",
    "birth_month",
    "birth_day",
    "sex",
    "permit_type",
    "permit_number",
    "carrier",
)
_CROSSING_PG_TYPES = ["text", "timestamptz", *["text"] * 8, "text", "int2", "int2", "int2", *["text"] * 4]

PERMIT_COLUMNS: tuple[str, ...] = (
    "source_key",
    "permit_number",
    "permit_type",
    "document_number",
    "issuing_state",
    "nationality",
    "surname",
    "given_names",
    "name_key",
    "birth_year",
    "birth_month",
    "birth_day",
    "issued_on",
    "expires_on",
    "sponsor",
    "province",
    "status",
)
_PERMIT_PG_TYPES = [*["text"] * 9, "int2", "int2", "int2", "date", "date", "text", "text", "text"]
# A permit row for a known source_key replaces these facts when they changed (a later
# extract reports a cancellation, an extension, a conversion); identity fields stay.
PERMIT_MUTABLE = ("status", "expires_on", "sponsor", "province", "permit_type", "permit_number")


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _cols(columns: Iterable[str], prefix: str = "") -> str:
    return ", ".join(f"{prefix}{_q(c)}" for c in columns)


def partition_name(month: tuple[int, int]) -> str:
    return f"{CROSSING_TABLE}_p{month[0]:04d}{month[1]:02d}"


def _month_bounds(month: tuple[int, int]) -> tuple[dt.datetime, dt.datetime]:
    year, number = month
    start = dt.datetime(year, number, 1, tzinfo=PARTITION_ZONE)
    following = dt.datetime(year + number // 12, number % 12 + 1, 1, tzinfo=PARTITION_ZONE)
    return start, following


# --- indexes ------------------------------------------------------------------------------


def _index_sql() -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) for the crossings' secondary indexes, as the model
    declares them (operator classes included on PostgreSQL)."""
    editor = connection.schema_editor(collect_sql=True)
    statements = []
    for index in Crossing._meta.indexes:
        assert index.name is not None
        sql = str(index.create_sql(Crossing, editor)).replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS", 1)
        statements.append((index.name, sql))
    return statements


def _pk_sql() -> tuple[str, str] | None:
    """The partitioned table's primary key (PostgreSQL), rebuilt like an index after an
    initial load: ids come from one sequence, so nothing can break it meanwhile."""
    if not is_postgres():
        return None
    name = f"{CROSSING_TABLE}_pkey"
    return name, f"ALTER TABLE {_q(CROSSING_TABLE)} ADD CONSTRAINT {_q(name)} PRIMARY KEY (id, crossed_at)"


KEY_PK = f"{KEY_TABLE}_pkey"


def key_index_missing() -> bool:
    """True while an initial load on PostgreSQL runs without the key table's primary key
    (or was interrupted): pushes must wait, the next import finishes the job."""
    if not is_postgres():
        return False
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, KEY_TABLE)
    return not any(spec["primary_key"] for spec in constraints.values())


def missing_indexes() -> list[str]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, CROSSING_TABLE)
    present = {name for name, spec in constraints.items() if spec["index"] or spec["primary_key"]}
    missing = [name for name, _sql in _index_sql() if name not in present]
    pk = _pk_sql()
    if pk and not any(spec["primary_key"] for spec in constraints.values()):
        missing.insert(0, pk[0])
    if key_index_missing():
        missing.insert(0, KEY_PK)
    return missing


def drop_indexes(*, keys: bool = False) -> None:
    """Drop the crossings' secondary indexes and primary key (PostgreSQL) for an initial
    load; with `keys`, the key table's primary key too (PostgreSQL, empty store only)."""
    with connection.cursor() as cursor:
        for name, _sql in _index_sql():
            cursor.execute(f"DROP INDEX IF EXISTS {_q(name)}")
        if pk := _pk_sql():
            cursor.execute(f"ALTER TABLE {_q(CROSSING_TABLE)} DROP CONSTRAINT IF EXISTS {_q(pk[0])}")
        if keys and is_postgres():
            cursor.execute(f"ALTER TABLE {KEY_TABLE} DROP CONSTRAINT IF EXISTS {_q(KEY_PK)}")


def _restore_key_index(cursor: Any) -> int:
    """Give the key table its primary key back after an initial load; a `source_key` the
    file held more than once keeps its first row (lowest id), the others are removed from
    both tables. Returns how many were removed."""
    add_pk = f"ALTER TABLE {KEY_TABLE} ADD CONSTRAINT {_q(KEY_PK)} PRIMARY KEY (source_key)"
    try:
        with transaction.atomic():
            cursor.execute(add_pk)
        return 0
    except IntegrityError:
        pass
    cursor.execute("SET LOCAL work_mem = '256MB'")
    cursor.execute(
        "CREATE TEMP TABLE traffic_duplicate_ids ON COMMIT DROP AS SELECT crossing_id FROM ("  # noqa: S608 - names from code
        f"SELECT crossing_id, row_number() OVER (PARTITION BY source_key ORDER BY crossing_id) AS n FROM {KEY_TABLE}) ranked WHERE n > 1"  # noqa: S608
    )
    cursor.execute(f"DELETE FROM {_q(CROSSING_TABLE)} WHERE id IN (SELECT crossing_id FROM traffic_duplicate_ids)")  # noqa: S608
    removed = cursor.rowcount
    cursor.execute(f"DELETE FROM {KEY_TABLE} WHERE crossing_id IN (SELECT crossing_id FROM traffic_duplicate_ids)")  # noqa: S608
    cursor.execute(add_pk)
    return removed


def ensure_indexes() -> tuple[list[str], int]:
    """Build the primary keys and secondary indexes that are missing (after an initial
    load, or after a crash during one); returns their names and how many duplicate rows
    the key table's restoration removed."""
    missing = missing_indexes()
    if not missing:
        return [], 0
    statements = list(_index_sql())
    if pk := _pk_sql():
        statements.insert(0, pk)
    removed = 0
    with connection.cursor() as cursor:
        if is_postgres():
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        if KEY_PK in missing:
            removed = _restore_key_index(cursor)
        for name, sql in statements:
            if name in missing:
                cursor.execute(sql)
    return missing, removed


def keys_empty() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {KEY_TABLE} LIMIT 1")  # noqa: S608
        return cursor.fetchone() is None


def crossings_empty() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {_q(CROSSING_TABLE)} LIMIT 1")  # noqa: S608 - table name from _meta
        return cursor.fetchone() is None


# --- partitions (PostgreSQL) --------------------------------------------------------------


def existing_partitions() -> set[str]:
    if not is_postgres():
        return set()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s",
            [CROSSING_TABLE],
        )
        return {row[0] for row in cursor.fetchall()}


def ensure_partitions(months: Iterable[tuple[int, int] | dt.date], known: set[str] | None = None) -> list[str]:
    """Create the monthly partitions of `months` that do not exist yet (PostgreSQL; a no-op
    on SQLite) and return their names. Rows of such a month already in the DEFAULT
    partition move into the new partition. Call under `IDS_LOCK`, in a transaction."""
    if not is_postgres():
        return []
    known = existing_partitions() if known is None else known
    created = []
    with connection.cursor() as cursor:
        for month in sorted({(m.year, m.month) if isinstance(m, dt.date) else m for m in months}):
            name = partition_name(month)
            if name in known:
                continue
            start, end = _month_bounds(month)
            table, default = _q(name), _q(DEFAULT_PARTITION)
            cursor.execute(f"CREATE TABLE {table} (LIKE {_q(CROSSING_TABLE)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
            cursor.execute(
                f"WITH moved AS (DELETE FROM {default} WHERE crossed_at >= %s AND crossed_at < %s RETURNING *) "  # noqa: S608
                f"INSERT INTO {table} SELECT * FROM moved",
                [start, end],
            )
            cursor.execute(f"ALTER TABLE {_q(CROSSING_TABLE)} ATTACH PARTITION {table} FOR VALUES FROM (%s) TO (%s)", [start, end])
            known.add(name)
            created.append(name)
    return created


def lock_ids() -> None:
    """Serialise id allocation and commit (transaction-level lock; PostgreSQL only: SQLite
    transactions are serial already)."""
    if is_postgres():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IDS_LOCK])


# --- writers ------------------------------------------------------------------------------


class CrossingWriter:
    """Writes validated crossing tuples (`validation.CrossingValidator.check`) for one batch."""

    def __init__(self, batch_id: int, *, initial_load: bool = False) -> None:
        self.batch_id = batch_id
        self.postgres = is_postgres()
        self.initial_load = initial_load and self.postgres
        self._sequence = ""
        self._staged = False
        self.partitions: set[str] | None = None

    def _stage_table(self, cursor: Any) -> None:
        if self._staged:
            return
        if self.postgres:
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [CROSSING_TABLE])
            sequence = self._sequence = cursor.fetchone()[0]
            cursor.execute(
                "CREATE TEMP TABLE IF NOT EXISTS traffic_stage_key ("
                f"ord int4 NOT NULL, source_key text NOT NULL, id bigint NOT NULL DEFAULT nextval('{sequence}'::regclass)) ON COMMIT DELETE ROWS"
            )
        else:
            cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS traffic_stage_crossing ({', '.join(CROSSING_COLUMNS)})")
        self._staged = True

    def write(self, rows: Sequence[tuple[Any, ...]], months: Iterable[tuple[int, int]] = ()) -> int:
        """Load the new rows among `rows` and record their keys; returns how many were new."""
        if not rows:
            return 0
        lock_ids()
        if self.postgres:
            if self.partitions is None:
                self.partitions = existing_partitions()
            ensure_partitions(months, known=self.partitions)
        with connection.cursor() as cursor:
            self._stage_table(cursor)
            return self._write_postgres(cursor, rows) if self.postgres else self._write_sqlite(cursor, rows)

    def _write_initial(self, cursor: Any, rows: Sequence[tuple[Any, ...]]) -> int:
        """Initial load (empty store, key table without its index): keys and rows go in by
        COPY alone; a key repeated within the chunk is skipped here, one repeated across
        chunks when the key index is restored (`ensure_indexes`)."""
        seen: set[str] = set()
        fresh = []
        for row in rows:
            if row[0] not in seen:
                seen.add(row[0])
                fresh.append(row)
        # A block of ids in one statement (contiguous: IDS_LOCK is held, and nothing else
        # writes crossings during an initial load; the primary key, rebuilt at the end,
        # would refuse a clash).
        cursor.execute("SELECT setval(%s::regclass, nextval(%s::regclass) + %s - 1)", [self._sequence, self._sequence, len(fresh)])
        last = cursor.fetchone()[0]
        ids = range(last - len(fresh) + 1, last + 1)
        with cursor.copy(f"COPY {KEY_TABLE} (source_key, crossing_id) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(["text", "int8"])
            for crossing_id, row in zip(ids, fresh, strict=True):
                copy.write_row((row[0], crossing_id))
        batch_id = self.batch_id
        with cursor.copy(f"COPY {_q(CROSSING_TABLE)} (id, {_cols(CROSSING_COLUMNS)}, batch_id) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(["int8", *_CROSSING_PG_TYPES, "int8"])
            write_row = copy.write_row
            for crossing_id, row in zip(ids, fresh, strict=True):
                write_row((crossing_id, *row, batch_id))
        return len(fresh)

    def _write_postgres(self, cursor: Any, rows: Sequence[tuple[Any, ...]]) -> int:
        if self.initial_load:
            return self._write_initial(cursor, rows)
        # Enough memory for the planner to join the chunk's keys with the new ones in memory.
        cursor.execute("SET LOCAL work_mem = '64MB'")
        # 1. The chunk's keys, in file order, into the staging table: each gets an id from
        #    the crossings' sequence (under IDS_LOCK, so ids follow commit order).
        with cursor.copy("COPY traffic_stage_key (ord, source_key) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(["int4", "text"])
            write_row = copy.write_row
            for index, row in enumerate(rows):
                write_row((index, row[0]))
        # 2. The set-based merge: only keys never seen (in this chunk, this file or any
        #    earlier load) are recorded, and come back with their id.
        cursor.execute(
            f"WITH k AS (INSERT INTO {KEY_TABLE} (source_key, crossing_id) "  # noqa: S608 - names from code
            "SELECT source_key, id FROM traffic_stage_key ORDER BY ord ON CONFLICT (source_key) DO NOTHING RETURNING crossing_id) "
            "SELECT s.ord, s.id FROM traffic_stage_key s JOIN k ON k.crossing_id = s.id ORDER BY s.ord"
        )
        fresh = cursor.fetchall()
        cursor.execute("TRUNCATE traffic_stage_key")
        if not fresh:
            return 0
        # 3. Those rows, and only those, go straight into the (partitioned) table by COPY.
        batch_id = self.batch_id
        with cursor.copy(f"COPY {_q(CROSSING_TABLE)} (id, {_cols(CROSSING_COLUMNS)}, batch_id) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(["int8", *_CROSSING_PG_TYPES, "int8"])
            write_row = copy.write_row
            for index, crossing_id in fresh:
                write_row((crossing_id, *rows[index], batch_id))
        return len(fresh)

    def _write_sqlite(self, cursor: Any, rows: Sequence[tuple[Any, ...]]) -> int:
        # Keep the first row of each source_key in the chunk; SQLite stores times as naive
        # UTC text, as Django does.
        seen: set[str] = set()
        unique = []
        for row in rows:
            if row[0] not in seen:
                seen.add(row[0])
                moment = row[1]
                unique.append((row[0], moment.replace(tzinfo=None).isoformat(" "), *row[2:]))
        cursor.execute("DELETE FROM traffic_stage_crossing")
        cursor.executemany(f"INSERT INTO traffic_stage_crossing VALUES ({', '.join('?' * len(CROSSING_COLUMNS))})", unique)  # noqa: S608
        cursor.execute(
            f"DELETE FROM traffic_stage_crossing WHERE EXISTS (SELECT 1 FROM {KEY_TABLE} k WHERE k.source_key = traffic_stage_crossing.source_key)"  # noqa: S608
        )
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {_q(CROSSING_TABLE)}")  # noqa: S608
        before = cursor.fetchone()[0]
        cursor.execute(
            f"INSERT INTO {_q(CROSSING_TABLE)} ({_cols(CROSSING_COLUMNS)}, batch_id) "  # noqa: S608
            f"SELECT {', '.join(CROSSING_COLUMNS)}, %s FROM traffic_stage_crossing ORDER BY rowid",
            [self.batch_id],
        )
        loaded = cursor.rowcount
        cursor.execute(
            f"INSERT INTO {KEY_TABLE} (source_key, crossing_id) SELECT source_key, id FROM {_q(CROSSING_TABLE)} WHERE id > %s",  # noqa: S608
            [before],
        )
        return loaded


class PermitWriter:
    """Writes validated stay-permit tuples: new `source_key`s are inserted; a known one whose
    mutable facts (`PERMIT_MUTABLE`) differ is updated; an identical one is a duplicate."""

    def __init__(self, batch_id: int) -> None:
        self.batch_id = batch_id
        self.postgres = is_postgres()
        self._staged = False

    def write(self, rows: Sequence[tuple[Any, ...]]) -> tuple[int, int]:
        """Returns (inserted, updated)."""
        if not rows:
            return 0, 0
        # The last row of a source_key in the chunk wins (the newest facts come last).
        latest: dict[str, tuple[Any, ...]] = {}
        for row in rows:
            latest[row[0]] = row
        unique = list(latest.values())
        with connection.cursor() as cursor:
            if not self._staged:
                if self.postgres:
                    cursor.execute(
                        "CREATE TEMP TABLE IF NOT EXISTS traffic_stage_permit (source_key text, permit_number text, permit_type text, "
                        "document_number text, issuing_state text, nationality text, surname text, given_names text, name_key text, "
                        "birth_year int2, birth_month int2, birth_day int2, issued_on date, expires_on date, sponsor text, "
                        "province text, status text) ON COMMIT DELETE ROWS"
                    )
                else:
                    cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS traffic_stage_permit ({', '.join(PERMIT_COLUMNS)})")
                self._staged = True
            if self.postgres:
                with cursor.copy(f"COPY traffic_stage_permit ({_cols(PERMIT_COLUMNS)}) FROM STDIN (FORMAT BINARY)") as copy:
                    copy.set_types(_PERMIT_PG_TYPES)
                    for row in unique:
                        copy.write_row(row)
            else:
                cursor.execute("DELETE FROM traffic_stage_permit")
                cursor.executemany(
                    f"INSERT INTO traffic_stage_permit VALUES ({', '.join('?' * len(PERMIT_COLUMNS))})",  # noqa: S608
                    [(*row[:12], row[12].isoformat(), row[13].isoformat(), *row[14:]) for row in unique],
                )
            table = _q(PERMIT_TABLE)
            changed = " OR ".join(f"{table}.{_q(c)} <> s.{_q(c)}" for c in PERMIT_MUTABLE)
            cursor.execute(
                f"UPDATE {table} SET {', '.join(f'{_q(c)} = s.{_q(c)}' for c in PERMIT_MUTABLE)}, batch_id = %s "  # noqa: S608
                f"FROM traffic_stage_permit s WHERE {table}.source_key = s.source_key AND ({changed})",
                [self.batch_id],
            )
            updated = cursor.rowcount
            cursor.execute(
                f"INSERT INTO {table} ({_cols(PERMIT_COLUMNS)}, batch_id) SELECT {_cols(PERMIT_COLUMNS, 's.')}, %s "  # noqa: S608
                f"FROM traffic_stage_permit s WHERE NOT EXISTS (SELECT 1 FROM {table} p WHERE p.source_key = s.source_key)",
                [self.batch_id],
            )
            inserted = cursor.rowcount
            if self.postgres:
                cursor.execute("TRUNCATE traffic_stage_permit")
        return inserted, updated
