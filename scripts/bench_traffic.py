"""`make bench`: the traffic import against the database's own raw load, in one run.

    BENCH_ROWS=1000000 (default) | 10000000        rows of synthetic crossings (seed 42)
    DATABASE_URL=postgres://root@127.0.0.1:5432/x  PostgreSQL (a fresh database `<x>_bench`
                                                   is created on that server); SQLite
                                                   otherwise (a fresh var/bench/bench.sqlite3)
    BENCH_LOOKUPS=1000                             whereabouts lookups timed
    BENCH_APPEND=1 (default)                       append the results to docs/benchmarks.md

Steps: (1) generate the CSV (or reuse it: same rows, same seed, same bytes), (2) migrate
a fresh database and load the reference data, (3) raw load of the file into a table with
the real table's columns and indexes (PostgreSQL `COPY … FORMAT csv` streaming the file;
SQLite `executemany` in one transaction), (4) our import (`import_file`, validation and
de-duplication on, into the real table, partitioned on PostgreSQL) in a child process whose
peak RSS is its own `getrusage(RUSAGE_SELF).ru_maxrss`, (5) p50/p95 of whereabouts lookups by
document over the loaded table (`selectors.whereabouts_for`, the hot path of
`whereabouts_by_document` without the audit write), (6) the results into
docs/benchmarks.md with the machine and the date.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DIR = ROOT / "var" / "bench"
DOCS = ROOT / "docs" / "benchmarks.md"
SEED = 42

RAW_TABLE = "bench_raw_crossing"
FILE_COLUMNS = (
    "source_key, crossed_at, direction, checkpoint_code, document_type, document_number, issuing_state, nationality, "
    "surname, given_names, date_of_birth, sex, permit_type, permit_number, carrier"
)
# The real table's columns as far as the file has them, and the same three indexes: the
# primary key, the document index and the (date of birth, name) index.
RAW_DDL_POSTGRES = [
    f"DROP TABLE IF EXISTS {RAW_TABLE}",
    f"""CREATE TABLE {RAW_TABLE} (id bigserial PRIMARY KEY, source_key varchar(64) NOT NULL, crossed_at timestamptz NOT NULL,
        direction varchar(10) NOT NULL, checkpoint_code varchar(20) NOT NULL, document_type varchar(2) NOT NULL,
        document_number varchar(20) NOT NULL, issuing_state varchar(3) NOT NULL, nationality varchar(3) NOT NULL,
        surname varchar(120) NOT NULL, given_names varchar(200) NOT NULL, date_of_birth varchar(10) NOT NULL,
        sex varchar(1) NOT NULL, permit_type varchar(24) NOT NULL, permit_number varchar(40) NOT NULL, carrier varchar(20) NOT NULL)""",
    f"CREATE INDEX bench_raw_document ON {RAW_TABLE} (document_number, issuing_state, crossed_at)",
    f"CREATE INDEX bench_raw_name ON {RAW_TABLE} (date_of_birth, surname varchar_pattern_ops)",
]
RAW_DDL_SQLITE = [
    f"DROP TABLE IF EXISTS {RAW_TABLE}",
    f"""CREATE TABLE {RAW_TABLE} (id integer PRIMARY KEY AUTOINCREMENT, source_key varchar(64) NOT NULL, crossed_at datetime NOT NULL,
        direction varchar(10) NOT NULL, checkpoint_code varchar(20) NOT NULL, document_type varchar(2) NOT NULL,
        document_number varchar(20) NOT NULL, issuing_state varchar(3) NOT NULL, nationality varchar(3) NOT NULL,
        surname varchar(120) NOT NULL, given_names varchar(200) NOT NULL, date_of_birth varchar(10) NOT NULL,
        sex varchar(1) NOT NULL, permit_type varchar(24) NOT NULL, permit_number varchar(40) NOT NULL, carrier varchar(20) NOT NULL)""",
    f"CREATE INDEX bench_raw_document ON {RAW_TABLE} (document_number, issuing_state, crossed_at)",
    f"CREATE INDEX bench_raw_name ON {RAW_TABLE} (date_of_birth, surname)",
]


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").replace("_", "").replace(",", "")
    return int(value) if value else default


def bench_database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        parsed = urlparse(url)
        name = (parsed.path.lstrip("/") or "jembatan") + "_bench"
        return urlunparse(parsed._replace(path="/" + name))
    return f"sqlite:///{BENCH_DIR / 'bench.sqlite3'}"


def _manage(*args: str, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)  # noqa: S603 - our own interpreter and manage.py


def fresh_database(url: str, env: dict[str, str]) -> None:
    if url.startswith("sqlite"):
        path = Path(urlparse(url).path)
        for suffix in ("", "-wal", "-shm", ".traffic-import.lock"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    else:
        import psycopg

        parsed = urlparse(url)
        admin = urlunparse(parsed._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as conn:
            name = parsed.path.lstrip("/")
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    _manage("migrate", "--noinput", "-v0", env=env)
    _manage("load_reference_data", env=env)


def generate(rows: int) -> Path:
    from jembatan.traffic.importing.synthetic import write_crossings_csv

    path = BENCH_DIR / f"crossings-{rows}-seed{SEED}.csv"
    if not path.exists():
        started = time.perf_counter()
        write_crossings_csv(path.with_suffix(".tmp"), rows=rows, seed=SEED)
        path.with_suffix(".tmp").rename(path)
        print(f"generated {path.name} ({path.stat().st_size / 1e6:,.0f} MB) in {time.perf_counter() - started:.1f} s", flush=True)
    return path


def raw_load(path: Path) -> float:
    """Seconds to load the file into the raw table (indexes in place)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for statement in RAW_DDL_POSTGRES:
                cursor.execute(statement)
            cursor.execute("CHECKPOINT")
            started = time.perf_counter()
            with (
                cursor.copy(
                    f"COPY {RAW_TABLE} ({FILE_COLUMNS}) FROM STDIN (FORMAT csv, HEADER true, FORCE_NOT_NULL (given_names, permit_number, carrier))"
                ) as copy,
                path.open("rb") as handle,
            ):
                while block := handle.read(1 << 20):
                    copy.write(block)
            return time.perf_counter() - started
        import csv

        for statement in RAW_DDL_SQLITE:
            cursor.execute(statement)
    raw = connection.connection
    started = time.perf_counter()
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        raw.execute("BEGIN")
        raw.executemany(f"INSERT INTO {RAW_TABLE} ({FILE_COLUMNS}) VALUES ({', '.join('?' * 15)})", reader)  # noqa: S608
        raw.execute("COMMIT")
    return time.perf_counter() - started


def child_import(path: str) -> None:
    """Runs in the child process: our import, timings as JSON on the last line."""
    import django

    django.setup()
    from jembatan.traffic.importing.pipeline import ImportOptions, import_file

    started = time.perf_counter()
    result = import_file(kind="crossings", path=path, options=ImportOptions())
    seconds = time.perf_counter() - started
    batch = result.batch
    print(
        json.dumps(
            {
                "seconds": seconds,
                "timings": result.timings,
                "rows": batch.rows_total,
                "loaded": batch.rows_loaded,
                "duplicate": batch.rows_duplicate,
                "rejected": batch.rows_rejected,
                "indexes_built": result.indexes_built,
                "peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            }
        )
    )


def our_import(path: Path, env: dict[str, str]) -> tuple[dict, int]:
    done = subprocess.run(  # noqa: S603 - this script, our interpreter
        [sys.executable, str(Path(__file__).resolve()), "--child-import", str(path)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    # The child's own high-water mark (RUSAGE_CHILDREN would also count `migrate`).
    return result, result.get("peak_kib") or resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


def lookups(count: int) -> tuple[float, float, float]:
    from jembatan.traffic.models import Crossing
    from jembatan.traffic.selectors import whereabouts_for

    rng = random.Random(SEED)  # noqa: S311 - reproducible sample, not security
    top = Crossing.objects.order_by("-id").values_list("id", flat=True).first() or 0
    documents: list[tuple[str, str]] = []
    while len(documents) < count:
        ids = [rng.randrange(1, top + 1) for _ in range(200)]
        documents += list(Crossing.objects.filter(id__in=ids).values_list("document_number", "issuing_state"))
    documents = documents[:count]
    for number, state in documents[:50]:
        whereabouts_for(actor=None, document_number=number, issuing_state=state, with_cases=False)
    times = []
    for number, state in documents:
        started = time.perf_counter()
        answer = whereabouts_for(actor=None, document_number=number, issuing_state=state, with_cases=False)
        times.append((time.perf_counter() - started) * 1000)
        assert answer.crossings, (number, state)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1], times[-1]


def machine(vendor: str) -> str:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
        platform.processor(),
    )
    ram = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))) / 1024 / 1024
    from django.db import connection

    with connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute("SHOW server_version")
            database = f"PostgreSQL {cursor.fetchone()[0]}"
        else:
            cursor.execute("SELECT sqlite_version()")
            database = f"SQLite {cursor.fetchone()[0]}"
    load = os.getloadavg()
    return f"{cpu}, {os.cpu_count()} cores, {ram:.0f} GiB RAM, {database}, Python {platform.python_version()}, load average before the run {load[0]:.1f}"


def main() -> None:
    rows = _env_int("BENCH_ROWS", 1_000_000)
    count = _env_int("BENCH_LOOKUPS", 1000)
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    url = bench_database_url()
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "config.django.local")}
    os.environ.update({"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": env["DJANGO_SETTINGS_MODULE"]})
    load_before = os.getloadavg()[0]
    path = generate(rows)
    fresh_database(url, env)
    print(f"fresh database {urlparse(url).path.lstrip('/')}", flush=True)

    import django

    django.setup()
    from django.db import connection

    vendor = connection.vendor
    where = machine(vendor)
    raw_seconds = raw_load(path)
    raw_rate = rows / raw_seconds
    print(f"raw load: {raw_seconds:.1f} s, {raw_rate:,.0f} rows/s", flush=True)
    print(f"load average now {os.getloadavg()[0]:.1f}", flush=True)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {RAW_TABLE}")
        if vendor == "postgresql":
            cursor.execute("CHECKPOINT")
    connection.close()

    ours, peak_kib = our_import(path, env)
    assert ours["loaded"] == rows, ours
    import_rate = rows / ours["seconds"]
    ratio = import_rate / raw_rate
    print(
        f"our import: {ours['seconds']:.1f} s, {import_rate:,.0f} rows/s, {ratio:.2f}x the first raw load; peak RSS {peak_kib / 1024:.0f} MiB",
        flush=True,
    )

    p50, p95, worst = lookups(count)
    print(f"whereabouts by document over {rows:,} rows: p50 {p50:.2f} ms, p95 {p95:.2f} ms (max {worst:.1f} ms)", flush=True)

    # The machines are shared: time the raw load again after our import and compare with
    # the faster of the two (the conservative ratio).
    again = raw_load(path)
    print(f"raw load again: {again:.1f} s, {rows / again:,.0f} rows/s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {RAW_TABLE}")
    raw_runs = [raw_seconds, again]
    raw_seconds = min(raw_runs)
    raw_rate = rows / raw_seconds
    ratio = import_rate / raw_rate

    target = 0.7 if vendor == "postgresql" else 0.5
    phases = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in ours["timings"].items())
    entry = (
        f"\n### {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC — {vendor}, {rows:,} crossings\n\n"
        f"- Machine: {where} (load average {load_before:.1f} at start).\n"
        f"- File: `{path.name}`, {path.stat().st_size / 1e6:,.0f} MB.\n\n"
        f"| measure | value |\n|---|---|\n"
        f"| raw load ({'COPY FORMAT csv' if vendor == 'postgresql' else 'executemany, one transaction'}, indexed table), best of a run before and one after | {raw_seconds:.1f} s, **{raw_rate:,.0f} rows/s** (runs: {', '.join(f'{r:.1f} s' for r in raw_runs)}) |\n"
        f"| our import (validation + de-duplication, {'partitioned ' if vendor == 'postgresql' else ''}real table) | {ours['seconds']:.1f} s, **{import_rate:,.0f} rows/s** |\n"
        f"| ratio (target ≥ {target}) | **{ratio:.2f}×** {'✓' if ratio >= target else '✗'} |\n"
        f"| import phases | {phases} |\n"
        f"| indexes built after the load | {', '.join(ours['indexes_built']) or 'none (incremental load)'} |\n"
        f"| peak RSS of the import process | **{peak_kib / 1024:.0f} MiB** |\n"
        f"| whereabouts by document, {count:,} random lookups | p50 **{p50:.2f} ms**, p95 **{p95:.2f} ms**, max {worst:.1f} ms |\n"
    )
    if os.environ.get("BENCH_APPEND", "1") != "0":
        with DOCS.open("a", encoding="utf-8") as handle:
            handle.write(entry)
        print(f"appended to {DOCS.relative_to(ROOT)}")
    else:
        print(entry)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child-import":
        child_import(sys.argv[2])
    else:
        main()
