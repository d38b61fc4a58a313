"""Partition `traffic_crossing` by month on PostgreSQL (no-op on SQLite).

The table becomes `PARTITION BY RANGE (crossed_at)` with primary key (`id`, `crossed_at`)
(a partitioned table's keys must include the partition column; `id` stays unique because
one sequence hands it out), a DEFAULT partition for rows of a month whose partition does
not exist yet, and the model's indexes declared on the parent so every partition gets
them. Monthly partitions (Asia/Jakarta months, like the statistics) are created on demand
by the loader (`jembatan.traffic.importing.stores.ensure_partitions`). Rows already present
are carried over. Django's model state is unchanged: the ORM addresses rows by `id`.

Also drops the `varchar_pattern_ops` copy of the `CrossingKey` primary key that Django adds
for character keys: nothing searches source keys by prefix, and it would double the cost
of recording every key.
"""

from django.db import migrations

COLUMNS = (
    "id, source_key, crossed_at, direction, checkpoint_code, document_type, document_number, issuing_state, "
    "nationality, surname, given_names, name_key, birth_year, birth_month, birth_day, sex, permit_type, "
    "permit_number, carrier, batch_id"
)

FORWARD = [
    "ALTER TABLE traffic_crossing RENAME TO traffic_crossing_unpartitioned",
    "ALTER TABLE traffic_crossing_unpartitioned ALTER COLUMN id DROP IDENTITY IF EXISTS",
    "ALTER TABLE traffic_crossing_unpartitioned DROP CONSTRAINT IF EXISTS traffic_crossing_pkey",
    "DROP INDEX IF EXISTS crossing_document",
    "DROP INDEX IF EXISTS crossing_name",
    "CREATE SEQUENCE traffic_crossing_id_seq AS bigint",
    """CREATE TABLE traffic_crossing (
        id bigint NOT NULL DEFAULT nextval('traffic_crossing_id_seq'::regclass),
        source_key varchar(64) NOT NULL,
        crossed_at timestamp with time zone NOT NULL,
        direction varchar(1) NOT NULL,
        checkpoint_code varchar(20) NOT NULL,
        document_type varchar(2) NOT NULL,
        document_number varchar(20) NOT NULL,
        issuing_state varchar(3) NOT NULL,
        nationality varchar(3) NOT NULL,
        surname varchar(120) NOT NULL,
        given_names varchar(200) NOT NULL,
        name_key varchar(320) NOT NULL,
        birth_year smallint NULL,
        birth_month smallint NULL,
        birth_day smallint NULL,
        sex varchar(1) NOT NULL,
        permit_type varchar(24) NOT NULL,
        permit_number varchar(40) NOT NULL,
        carrier varchar(20) NOT NULL,
        batch_id bigint NOT NULL,
        PRIMARY KEY (id, crossed_at)
    ) PARTITION BY RANGE (crossed_at)""",
    "ALTER SEQUENCE traffic_crossing_id_seq OWNED BY traffic_crossing.id",
    "CREATE TABLE traffic_crossing_default PARTITION OF traffic_crossing DEFAULT",
    "CREATE INDEX crossing_document ON traffic_crossing (document_number, issuing_state, crossed_at)",
    "CREATE INDEX crossing_name ON traffic_crossing (birth_year int2_ops, name_key varchar_pattern_ops)",
    f"INSERT INTO traffic_crossing ({COLUMNS}) SELECT {COLUMNS} FROM traffic_crossing_unpartitioned",  # noqa: S608
    "SELECT setval('traffic_crossing_id_seq', COALESCE((SELECT max(id) FROM traffic_crossing), 0) + 1, false)",
    "DROP TABLE traffic_crossing_unpartitioned",
]


def partition(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for statement in FORWARD:
            cursor.execute(statement)
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'traffic_crossingkey' AND indexname LIKE '%%_like'")
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')


class Migration(migrations.Migration):
    dependencies = [("traffic", "0001_initial")]

    # Reversing leaves the partitioned table; reversing 0001 drops it.
    operations = [migrations.RunPython(partition, migrations.RunPython.noop, elidable=False)]
