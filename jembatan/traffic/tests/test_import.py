"""The import pipeline: idempotent, validated row by row, chunked, ledgered; the same
behaviour on SQLite and PostgreSQL (partitions checked on PostgreSQL)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from jembatan.audit.events import AuditAction
from jembatan.audit.models import AuditEvent
from jembatan.core.exceptions import ApplicationError
from jembatan.people.querysets import person_search_key
from jembatan.traffic.importing import stores
from jembatan.traffic.importing.pipeline import ImportOptions, import_file
from jembatan.traffic.models import Crossing, CrossingKey, ImportBatch, QuarantinedRow, StayPermit, TrafficMonthly
from jembatan.traffic.tests.import_support import (
    crossing,
    partition_counts,
    permit,
    synthetic,
    traffic_reference,  # noqa: F401
    write_csv,
    write_permits,
)

pytestmark = pytest.mark.usefixtures("traffic_reference")


def _import(path: Path, **options: object) -> ImportBatch:
    return import_file(kind="crossings", path=path, options=ImportOptions(**options)).batch  # type: ignore[arg-type]


def test_a_file_loads_every_row_with_derived_fields_ledger_statistics_and_audit(tmp_path):
    """Every valid row is loaded once, with its name key, birth parts and UTC time; the
    ledger counts them; the monthly statistics of the months touched are refreshed."""
    rows = synthetic(40)
    rows.append(crossing("K-CN", surname="王", given_names="秀英", nationality="CHN", issuing_state="CHN", date_of_birth="1970-00-00"))
    path = write_csv(tmp_path / "crossings.csv", rows)

    batch = _import(path)

    assert batch.status == ImportBatch.Status.COMPLETED
    assert (batch.rows_total, batch.rows_loaded, batch.rows_duplicate, batch.rows_rejected) == (41, 41, 0, 0)
    assert batch.resume_row == 41
    assert batch.bytes_done == path.stat().st_size
    assert Crossing.objects.count() == 41 == CrossingKey.objects.count()
    chinese = Crossing.objects.get(source_key="K-CN")
    assert chinese.name_key == person_search_key("王", "秀英") == "wang xiuying"
    assert (chinese.birth_year, chinese.birth_month, chinese.birth_day) == (1970, None, None)
    assert chinese.crossed_at == dt.datetime(2026, 3, 14, 1, 12, 55, tzinfo=dt.UTC)
    assert chinese.direction == "A"
    assert Crossing.objects.filter(batch_id=batch.pk).count() == 41
    march = TrafficMonthly.objects.get(month=dt.date(2026, 3, 1), nationality="CHN", checkpoint_code="CGK")
    assert (march.arrivals, march.departures) == (1, 0)
    assert TrafficMonthly.objects.filter(month__lt=dt.date(2026, 1, 1)).exists()
    event = AuditEvent.objects.filter(action=AuditAction.TRAFFIC_IMPORTED).latest("id")
    assert event.data["loaded"] == 41
    assert event.data["sha256"] == batch.file_sha256


def test_reimporting_the_same_file_adds_nothing(tmp_path):
    path = write_csv(tmp_path / "a.csv", synthetic(30))
    first = _import(path)

    again = import_file(kind="crossings", path=path)
    forced = _import(path, force=True)

    assert again.skipped
    assert again.batch.pk == first.pk
    assert (forced.rows_loaded, forced.rows_duplicate) == (0, 30)
    assert Crossing.objects.count() == 30 == CrossingKey.objects.count()


def test_an_overlapping_file_adds_only_the_new_rows(tmp_path):
    rows = synthetic(50)
    _import(write_csv(tmp_path / "first.csv", rows[:30]))

    second = _import(write_csv(tmp_path / "second.csv", rows[20:]))

    assert (second.rows_total, second.rows_loaded, second.rows_duplicate) == (30, 20, 10)
    assert Crossing.objects.count() == 50
    assert sorted(Crossing.objects.values_list("source_key", flat=True)) == sorted(row[0] for row in rows)


def test_a_source_key_repeated_in_the_file_is_loaded_once(tmp_path):
    batch = _import(write_csv(tmp_path / "dup.csv", [crossing("K-1"), crossing("K-2"), crossing("K-1", direction="DEPARTURE")]))

    assert (batch.rows_loaded, batch.rows_duplicate) == (2, 1)
    assert Crossing.objects.get(source_key="K-1").direction == "A"


BAD_ROWS = [
    # (overrides, field, words of the English reason)
    ({"source_key": ""}, "source_key", "is empty"),
    ({"source_key": "K" * 65}, "source_key", "longer than 64"),
    ({"crossed_at": "2026-03-14T08:12:55"}, "crossed_at", "UTC offset"),
    ({"crossed_at": "14/03/2026 08:12"}, "crossed_at", "ISO 8601"),
    ({"crossed_at": "2026-02-30T08:00:00+07:00"}, "crossed_at", "ISO 8601"),
    ({"crossed_at": "1985-02-01T08:00:00+07:00"}, "crossed_at", "before 1990"),
    ({"direction": "IN"}, "direction", "ARRIVAL or DEPARTURE"),
    ({"checkpoint_code": "XXX"}, "checkpoint_code", "not an immigration checkpoint"),
    ({"document_type": "Q"}, "document_type", "document type"),
    ({"document_number": "x-12"}, "document_number", "capital letters or digits"),
    ({"issuing_state": "ZZZ"}, "issuing_state", "ICAO country"),
    ({"nationality": "GER"}, "nationality", "ICAO country"),
    ({"surname": ""}, "surname", "is empty"),
    ({"given_names": "A" * 201}, "given_names", "longer than 200"),
    ({"date_of_birth": "1985-02-30"}, "date_of_birth", "YYYY-MM-DD"),
    ({"date_of_birth": "1985-00-14"}, "date_of_birth", "00 for an unknown"),
    ({"date_of_birth": "2090-01-01"}, "date_of_birth", "in the past"),
    ({"sex": "U"}, "sex", "M, F or X"),
    ({"permit_type": "tourist"}, "permit_type", "not one of"),
    ({"permit_number": "9" * 41}, "permit_number", "longer than 40"),
    ({"carrier": "C" * 21}, "carrier", "longer than 20"),
]


def test_bad_rows_are_quarantined_with_row_number_field_and_reason_and_the_good_ones_load(tmp_path):
    rows = [crossing("GOOD-1")]
    for index, (overrides, _field, _words) in enumerate(BAD_ROWS):
        rows.append(crossing(f"BAD-{index}", **overrides))
    rows.append(["short", "row"])
    rows.append(crossing("GOOD-2", issuing_state="D", nationality="XXA"))
    path = write_csv(tmp_path / "mixed.csv", rows)

    batch = _import(path)

    assert (batch.rows_total, batch.rows_loaded, batch.rows_rejected) == (len(rows), 2, len(BAD_ROWS) + 1)
    assert set(Crossing.objects.values_list("source_key", flat=True)) == {"GOOD-1", "GOOD-2"}
    quarantined = list(QuarantinedRow.objects.filter(batch=batch).order_by("row_number"))
    # The header is row 1, GOOD-1 row 2: the first bad row is row 3.
    for offset, ((_overrides, field, words), row) in enumerate(zip(BAD_ROWS, quarantined, strict=False)):
        assert row.row_number == 3 + offset
        assert row.field == field, row.reason
        assert words in row.reason
        assert " / " in row.reason  # English / Indonesian
    wrong_width = quarantined[-1]
    assert (wrong_width.row_number, wrong_width.field) == (len(BAD_ROWS) + 3, "")
    assert "2 columns" in wrong_width.reason
    assert "2 kolom" in wrong_width.reason
    assert wrong_width.raw == "short,row"


def test_rows_of_spreadsheets_with_reordered_columns_and_a_bom_load(tmp_path):
    from jembatan.traffic.importing.format import CROSSING_COLUMNS

    order = list(reversed(CROSSING_COLUMNS))
    row = dict(zip(CROSSING_COLUMNS, crossing("REV-1"), strict=True))
    path = tmp_path / "reordered.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(order)
        writer.writerow([row[c] for c in order])

    batch = _import(path)

    assert batch.rows_loaded == 1
    assert Crossing.objects.get(source_key="REV-1").document_number == "X1234567"


def test_a_file_without_the_format_columns_is_refused_and_the_batch_failed(tmp_path):
    path = tmp_path / "wrong.csv"
    path.write_text("a,b,c\n1,2,3\n", encoding="utf-8")

    with pytest.raises(ApplicationError) as refused:
        import_file(kind="crossings", path=path)

    assert refused.value.field == "file"
    assert "source_key" in str(refused.value.message)

    batch = ImportBatch.objects.get(file_name="wrong.csv")
    assert batch.status == ImportBatch.Status.FAILED
    assert "source_key" in batch.error
    assert stores.missing_indexes() == []


def test_small_chunks_give_the_same_result_and_commit_the_ledger_per_chunk(tmp_path):
    rows = synthetic(53)
    rows.insert(10, crossing("BAD", sex="?"))
    batch = _import(write_csv(tmp_path / "chunks.csv", rows), chunk_rows=7)

    assert (batch.rows_total, batch.rows_loaded, batch.rows_rejected, batch.resume_row) == (54, 53, 1, 54)
    assert QuarantinedRow.objects.get(batch=batch).row_number == 12
    assert Crossing.objects.count() == 53


def test_a_parquet_file_with_the_same_columns_loads(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    from jembatan.traffic.importing.format import CROSSING_COLUMNS

    rows = synthetic(25)
    table = pa.table({column: [row[i] for row in rows] for i, column in enumerate(CROSSING_COLUMNS)})
    path = tmp_path / "crossings.parquet"
    pq.write_table(table, path)

    batch = _import(path)

    assert (batch.rows_total, batch.rows_loaded) == (25, 25)
    assert sorted(Crossing.objects.values_list("source_key", flat=True)) == sorted(row[0] for row in rows)


def test_an_initial_load_builds_the_indexes_after_loading(tmp_path):
    """Empty store and a file above the threshold: secondary indexes are dropped, the rows
    loaded, and the indexes built at the end."""
    result = import_file(
        kind="crossings", path=write_csv(tmp_path / "initial.csv", synthetic(30)), options=ImportOptions(bulk_load_min_bytes=0)
    )

    assert result.batch.rows_loaded == 30
    assert {"crossing_document", "crossing_name"} <= set(result.indexes_built)
    assert stores.missing_indexes() == []


def test_an_initial_load_still_loads_a_key_repeated_across_chunks_once(tmp_path):
    """On PostgreSQL an initial load records keys without their index and restores it at
    the end: the later copy of a repeated key is removed then and counted a duplicate."""
    rows = synthetic(12)
    rows.append(crossing(rows[2][0], direction="DEPARTURE"))  # same key, a later chunk
    result = import_file(
        kind="crossings", path=write_csv(tmp_path / "repeat.csv", rows), options=ImportOptions(bulk_load_min_bytes=0, chunk_rows=5)
    )

    batch = result.batch
    batch.refresh_from_db()
    assert (batch.rows_total, batch.rows_loaded, batch.rows_duplicate) == (13, 12, 1)
    assert Crossing.objects.count() == 12 == CrossingKey.objects.count()
    kept = Crossing.objects.get(source_key=rows[2][0])
    assert kept.direction == ("A" if rows[2][2] == "ARRIVAL" else "D")
    assert CrossingKey.objects.get(source_key=rows[2][0]).crossing_id == kept.pk
    assert stores.missing_indexes() == []


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_postgres_crossings_are_partitioned_by_month_and_rows_land_in_their_month(tmp_path):
    rows = [
        crossing("M-1", crossed_at="2026-03-31T16:59:59+00:00"),  # 23:59:59 WIB, March
        crossing("M-2", crossed_at="2026-03-31T17:00:00+00:00"),  # 00:00 WIB 1 April
        crossing("M-3", crossed_at="2026-04-15T10:00:00+08:00"),
        crossing("M-4", crossed_at="2025-12-31T23:00:00+07:00"),
    ]
    _import(write_csv(tmp_path / "months.csv", rows))

    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE relname = 'traffic_crossing'")
        assert cursor.fetchone()[0] == "p"
        cursor.execute(
            "SELECT pg_get_partkeydef(oid) FROM pg_class WHERE relname = 'traffic_crossing'",
        )
        assert cursor.fetchone()[0] == "RANGE (crossed_at)"
    counts = partition_counts()
    assert counts["traffic_crossing_default"] == 0
    assert counts["traffic_crossing_p202603"] == 1
    assert counts["traffic_crossing_p202604"] == 2
    assert counts["traffic_crossing_p202512"] == 1
    # Django still reads the rows through the parent, by id.
    assert Crossing.objects.get(source_key="M-2").pk == CrossingKey.objects.get(source_key="M-2").crossing_id


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_postgres_rows_waiting_in_the_default_partition_move_into_a_new_month(tmp_path):
    from jembatan.traffic.tests.import_support import partition_counts as counts_of

    Crossing.objects.create(
        source_key="ORM-1",
        crossed_at=dt.datetime(2026, 6, 2, tzinfo=dt.UTC),
        direction="A",
        checkpoint_code="CGK",
        document_type="P",
        document_number="Z1",
        issuing_state="AUS",
        nationality="AUS",
        surname="Early",
        sex="F",
        permit_type="visit",
        batch=ImportBatch.objects.create(kind="crossings", source="command", file_sha256="x"),
    )
    assert counts_of()["traffic_crossing_default"] == 1

    _import(write_csv(tmp_path / "june.csv", [crossing("J-1", crossed_at="2026-06-20T10:00:00+07:00")]))

    counts = counts_of()
    assert counts["traffic_crossing_default"] == 0
    assert counts["traffic_crossing_p202606"] == 2


def test_permits_are_inserted_updated_when_their_status_changes_and_otherwise_duplicates(tmp_path):
    first = import_file(
        kind="permits", path=write_permits(tmp_path / "p1.csv", [permit("P-1"), permit("P-2", document_number="Y7654321")])
    ).batch
    assert (first.rows_loaded, first.rows_updated, first.rows_duplicate) == (2, 0, 0)

    second = import_file(
        kind="permits",
        path=write_permits(
            tmp_path / "p2.csv",
            [
                permit("P-1", status="cancelled"),
                permit("P-2", document_number="Y7654321"),
                permit("P-3", issued_on="2026-02-01", expires_on="2026-01-01"),
            ],
        ),
    ).batch

    assert (second.rows_loaded, second.rows_updated, second.rows_duplicate, second.rows_rejected) == (0, 1, 1, 1)
    assert StayPermit.objects.get(source_key="P-1").status == StayPermit.Status.CANCELLED
    assert StayPermit.objects.get(source_key="P-1").batch_id == second.pk
    assert QuarantinedRow.objects.get(batch=second).field == "expires_on"


def test_the_command_prints_a_summary_writes_the_report_and_fails_when_nothing_could_be_read(tmp_path, capsys):
    good = write_csv(tmp_path / "good.csv", [crossing("C-1"), crossing("C-2", sex="?")])
    report = tmp_path / "report.csv"

    call_command("import_crossings", str(good), "--report", str(report))

    out = capsys.readouterr().out
    assert "2 rows read, 1 loaded, 0 duplicates, 1 rejected" in out
    with report.open(encoding="utf-8") as handle:
        lines = list(csv.reader(handle))
    assert lines[0] == ["file", "row", "field", "reason"]
    assert lines[1][:3] == ["good.csv", "3", "sex"]

    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(CommandError, match="Nothing could be read"):
        call_command("import_crossings", str(empty), str(tmp_path / "missing.csv"))
