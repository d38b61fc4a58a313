"""The hash chain: what it records, what it refuses, and what it detects."""

from __future__ import annotations

import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections, transaction

from jembatan.accounts.roles import Role
from jembatan.accounts.tests.factories import AgencyFactory
from jembatan.audit import chain
from jembatan.audit.events import AuditAction
from jembatan.audit.models import AppendOnlyError, AuditEvent
from jembatan.audit.services import audit_chain_check, audit_chain_verify, audit_record
from jembatan.core import request_context

CHAIN_ROW_FIELDS = [*chain.CHAINED_FIELDS, "prev_hash", "hash"]


def write_events(n: int, *, prefix: str = "obj") -> list[AuditEvent]:
    return [
        audit_record(action=AuditAction.REFERENCE_CHANGED, target=("reference.country", f"{prefix}-{i}", f"{prefix} {i}"), data={"i": i})
        for i in range(n)
    ]


def raw_sql(sql: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def tamper(sql: str, params: list | None = None) -> None:
    """Change the table behind the application's back, as an intruder with database access would."""
    if connection.vendor == "postgresql":
        # Django's foreign keys are deferred: fire their pending checks first, or PostgreSQL
        # refuses to ALTER a table with pending trigger events in this (test) transaction.
        raw_sql("SET CONSTRAINTS ALL IMMEDIATE")
        raw_sql("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_no_update_delete")
    raw_sql(sql, params)


def rows() -> list[dict]:
    return list(AuditEvent.objects.order_by("id").values(*CHAIN_ROW_FIELDS))


# --- what is recorded ---------------------------------------------------------------------


@pytest.mark.django_db
def test_events_link_from_genesis_with_consecutive_ids(make_user):
    user = make_user(roles=[Role.AUDITOR])
    with request_context.bind(actor=user, ip_address="10.1.2.3", channel="web", request_id="req123"):
        first = audit_record(action=AuditAction.USER_VIEWED, target=user, purpose="check", data={"b": 2, "a": [1, "x"]})
    second = audit_record(action=AuditAction.DEMO_DATA_LOADED)

    first.refresh_from_db()
    assert first.pk == 1
    assert first.prev_hash == chain.GENESIS
    assert (first.actor_id, first.actor_label, first.agency_id) == (user.pk, user.username, user.agency_id)
    assert (first.object_type, first.object_id) == ("accounts.user", str(user.pk))
    assert (first.request_id, first.channel, first.ip_address, first.purpose) == ("req123", "web", "10.1.2.3", "check")
    assert first.hash == chain.compute_hash(chain.GENESIS, AuditEvent.objects.values(*chain.CHAINED_FIELDS).get(pk=1))
    assert second.pk == 2
    assert second.prev_hash == first.hash
    assert (second.actor_id, second.actor_label, second.channel) == (None, "system", "command")
    assert audit_chain_verify().ok


@pytest.mark.django_db
def test_an_api_client_acting_is_labelled_as_such():
    """API clients have no username: the event names the client and its agency."""
    from jembatan.accounts.models import ApiClient

    agency = AgencyFactory()
    _token, prefix, token_hash = ApiClient.new_token()
    client = ApiClient.objects.create(agency=agency, name="SIMKIM", token_prefix=prefix, token_hash=token_hash)
    with request_context.bind(actor=client, channel="api"):
        event = audit_record(action=AuditAction.API_CLIENT_USED, target=client)
    assert event.actor_id is None
    assert event.actor_label == "api:SIMKIM"
    assert event.agency_id == agency.pk
    assert audit_chain_verify().ok


def test_chained_fields_are_every_stored_field_except_the_hashes():
    stored = {f.attname for f in AuditEvent._meta.concrete_fields}
    assert set(chain.CHAINED_FIELDS) == stored - {"prev_hash", "hash"}


@pytest.mark.django_db
def test_the_hash_covers_every_chained_field():
    """Changing any one field of any stored event is detected at that event."""

    write_events(3)
    original = rows()
    assert chain.verify(original).ok
    changed_values = {
        "id": 99,
        "occurred_at": original[1]["occurred_at"].replace(microsecond=(original[1]["occurred_at"].microsecond + 1) % 1_000_000),
        "actor_id": 12345,
        "actor_label": "someone-else",
        "agency_id": 777,
        "action": int(AuditAction.REFERENCE_DELETED),
        "object_type": "people.person",
        "object_id": "other",
        "object_repr": "x",
        "purpose": "invented",
        "request_id": "forged",
        "channel": "api",
        "ip_address": "203.0.113.9",
        "data": {"i": 1, "extra": True},
    }
    assert set(changed_values) == set(chain.CHAINED_FIELDS)
    for field, value in changed_values.items():
        forged = [dict(r) for r in original]
        assert forged[1][field] != value
        forged[1][field] = value
        result = chain.verify(forged)
        assert not result.ok, field
        assert result.first_broken_id == (99 if field == "id" else original[1]["id"]), field
        assert result.checked == 1, field


def test_canonical_form_ignores_key_order_of_data():
    a = dict.fromkeys(chain.CHAINED_FIELDS) | {"id": 1, "data": {"a": 1, "b": [1, 2]}}
    b = dict.fromkeys(chain.CHAINED_FIELDS) | {"id": 1, "data": {"b": [1, 2], "a": 1}}
    assert chain.canonical(a) == chain.canonical(b)
    assert chain.compute_hash(chain.GENESIS, a) == chain.compute_hash(chain.GENESIS, b)


# --- manage.py audit_verify ---------------------------------------------------------------


@pytest.mark.django_db
def test_audit_verify_passes_on_an_intact_chain(capsys):
    write_events(7)
    call_command("audit_verify")
    out = capsys.readouterr().out
    assert "Audit chain intact: 7 events verified (last id 7)." in out


@pytest.mark.django_db
def test_audit_verify_passes_on_an_empty_log(capsys):
    call_command("audit_verify")
    assert "0 events verified" in capsys.readouterr().out


@pytest.mark.django_db
def test_a_row_changed_by_raw_sql_is_named_by_audit_verify():
    events = write_events(6)
    victim = events[3]
    tamper("UPDATE audit_auditevent SET object_repr = 'x' WHERE id = %s", [victim.pk])
    with pytest.raises(CommandError) as excinfo:
        call_command("audit_verify")
    assert excinfo.value.returncode == 1  # manage.py exits with 1
    message = str(excinfo.value)
    assert f"BROKEN at event id {victim.pk}:" in message
    assert "altered" in message
    assert "3 events before it verified" in message
    result = audit_chain_verify()
    assert (result.ok, result.first_broken_id, result.reason_code) == (False, victim.pk, chain.ALTERED)


@pytest.mark.django_db
def test_a_row_whose_hash_was_recomputed_after_a_change_is_found_at_the_next_event():
    """An intruder who also rewrites the changed row's hash breaks the link of the next event."""
    events = write_events(5)
    victim = events[1]
    values = AuditEvent.objects.values(*chain.CHAINED_FIELDS).get(pk=victim.pk)
    values["purpose"] = "covered up"
    new_hash = chain.compute_hash(victim.prev_hash, values)
    tamper("UPDATE audit_auditevent SET purpose = %s, hash = %s WHERE id = %s", ["covered up", new_hash, victim.pk])
    result = audit_chain_verify()
    assert (result.ok, result.first_broken_id, result.reason_code) == (False, events[2].pk, chain.RELINKED)


@pytest.mark.django_db
def test_a_deleted_middle_row_is_detected_at_the_next_id():
    events = write_events(5)
    tamper("DELETE FROM audit_auditevent WHERE id = %s", [events[2].pk])
    with pytest.raises(CommandError, match=f"BROKEN at event id {events[3].pk}:"):
        call_command("audit_verify")
    result = audit_chain_verify()
    assert (result.first_broken_id, result.reason_code, result.checked) == (events[3].pk, chain.MISSING, 2)


@pytest.mark.django_db
def test_a_deleted_and_renumbered_row_is_detected_at_the_next_id():
    """Closing the gap by renumbering does not help: the next event's link names the removed hash."""
    events = write_events(4)
    tamper("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])
    tamper("UPDATE audit_auditevent SET id = id - 1 WHERE id > %s", [events[1].pk])
    result = audit_chain_verify()
    assert (result.ok, result.first_broken_id, result.reason_code) == (False, events[1].pk, chain.RELINKED)


@pytest.mark.django_db
def test_the_first_event_removed_is_detected():
    write_events(3)
    tamper("DELETE FROM audit_auditevent WHERE id = 1")
    result = audit_chain_verify()
    assert (result.ok, result.first_broken_id, result.reason_code) == (False, 2, chain.MISSING)


@pytest.mark.django_db
def test_chain_check_records_the_result_as_an_event():
    write_events(3)
    result = audit_chain_check()
    assert result.ok
    event = AuditEvent.objects.order_by("-id").first()
    assert event.action == AuditAction.AUDIT_CHAIN_VERIFIED
    assert event.data["checked"] == 3
    assert event.data["last_id"] == 3
    assert event.data["last_hash"] == AuditEvent.objects.get(pk=3).hash

    tamper("UPDATE audit_auditevent SET data = %s WHERE id = 2", ['{"i": 42}'])
    result = audit_chain_check()
    assert not result.ok
    event = AuditEvent.objects.order_by("-id").first()
    assert event.action == AuditAction.AUDIT_CHAIN_BROKEN
    assert (event.data["first_broken_id"], event.data["reason_code"], event.data["checked"]) == (2, chain.ALTERED, 1)


# --- what is refused ----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_model_and_queryset_refuse_changes_and_deletes():
    event = write_events(2)[0]
    event.object_repr = "changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(object_repr="changed")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError), transaction.atomic():  # bulk_update opens its own transaction
        AuditEvent.objects.bulk_update([event], ["object_repr"])
    assert AuditEvent.objects.get(pk=event.pk).object_repr == "obj 0"
    assert audit_chain_verify().ok


@pytest.mark.django_db
def test_postgresql_refuses_a_raw_update_or_delete_while_the_trigger_is_on():
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger exists on PostgreSQL only")
    event = write_events(2)[0]
    for sql in ("UPDATE audit_auditevent SET object_repr = 'x' WHERE id = %s", "DELETE FROM audit_auditevent WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            raw_sql(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).object_repr == "obj 0"
    assert AuditEvent.objects.count() == 2


@pytest.mark.django_db
def test_events_of_a_rolled_back_transaction_do_not_exist():
    write_events(2)

    class Boom(Exception):
        pass

    def failing_business_write() -> None:
        with transaction.atomic():
            write_events(3, prefix="rolled-back")
            raise Boom

    with pytest.raises(Boom):
        failing_business_write()
    assert not AuditEvent.objects.filter(object_id__startswith="rolled-back").exists()
    assert AuditEvent.objects.count() == 2
    # The chain goes on from the last real event, with no gap.
    after = audit_record(action=AuditAction.DEMO_DATA_LOADED)
    assert after.pk == 3
    assert after.prev_hash == AuditEvent.objects.get(pk=2).hash
    assert audit_chain_verify().ok


# --- concurrent writers -------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_the_chain_valid():
    """50 events in a loop, then two writers on two connections at once: every event gets the
    next id and links to its predecessor."""
    write_events(50, prefix="seq")
    assert audit_chain_verify().ok

    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            barrier.wait(timeout=10)
            for i in range(25):
                with transaction.atomic():  # like a business write with its own audit event
                    audit_record(action=AuditAction.REFERENCE_CHANGED, target=("reference.country", f"{name}-{i}", name))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(name,)) for name in ("left", "right")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert AuditEvent.objects.count() == 100
    assert list(AuditEvent.objects.order_by("id").values_list("id", flat=True)) == list(range(1, 101))
    assert AuditEvent.objects.filter(object_id__startswith="left-").count() == 25
    assert AuditEvent.objects.filter(object_id__startswith="right-").count() == 25
    result = audit_chain_verify()
    assert result.ok
    assert result.checked == 100


# --- anchors kept outside the database ----------------------------------------------------


def head_line(capsys) -> str:
    out = capsys.readouterr().out
    return next(line.removeprefix("Head: ") for line in out.splitlines() if line.startswith("Head: "))


@pytest.mark.django_db
def test_audit_verify_prints_the_head_and_accepts_matching_anchors(capsys):
    write_events(4)
    call_command("audit_verify")
    head = head_line(capsys)
    assert head == f"4:{AuditEvent.objects.get(pk=4).hash}"
    write_events(2, prefix="later")
    call_command("audit_verify", anchor=[head])
    assert "1 anchor(s) match." in capsys.readouterr().out


@pytest.mark.django_db
def test_an_anchor_catches_a_log_cut_short_at_the_end(capsys):
    """Deleting the newest events leaves a valid chain; only the anchor notices."""
    write_events(5)
    call_command("audit_verify")
    head = head_line(capsys)
    tamper("DELETE FROM audit_auditevent WHERE id >= 4")
    call_command("audit_verify")  # the chain alone is still valid
    with pytest.raises(CommandError, match="BROKEN at event id 5: the anchored event is missing"):
        call_command("audit_verify", anchor=[head])


@pytest.mark.django_db
def test_an_anchor_catches_a_rewrite_with_recomputed_hashes():
    """An intruder who changes event 2 and recomputes every later hash keeps the chain valid;
    the anchored head hash no longer matches."""
    write_events(4)
    anchor = f"4:{AuditEvent.objects.get(pk=4).hash}"
    forged = rows()
    forged[1]["purpose"] = "rewritten"
    prev = forged[0]["hash"]
    for row in forged[1:]:
        row["prev_hash"] = prev
        row["hash"] = prev = chain.compute_hash(prev, row)
        tamper(
            "UPDATE audit_auditevent SET purpose = %s, prev_hash = %s, hash = %s WHERE id = %s",
            [row["purpose"], row["prev_hash"], row["hash"], row["id"]],
        )
    assert audit_chain_verify().ok
    with pytest.raises(CommandError, match="BROKEN at event id 4: its hash differs from the anchor"):
        call_command("audit_verify", anchor=[anchor])


def test_a_malformed_anchor_is_refused():
    with pytest.raises(CommandError, match="--anchor must look like"):
        call_command("audit_verify", anchor=["12:nothex"])


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_manage_py_audit_verify_exit_codes():
    """The real command line: exit 0 with the count on an intact chain, exit 1 naming the event
    after a raw UPDATE."""
    import os
    import subprocess
    import sys

    from django.conf import settings

    from jembatan.core.tests.test_jobs_processes import database_url_for_subprocess

    events = write_events(5)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.django.test", "DATABASE_URL": database_url_for_subprocess()}

    def audit_verify() -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", "audit_verify"], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=60
        )

    ok = audit_verify()
    assert ok.returncode == 0, ok.stderr
    assert "Audit chain intact: 5 events verified (last id 5)." in ok.stdout

    try:
        tamper("UPDATE audit_auditevent SET object_repr = 'x' WHERE id = %s", [events[2].pk])
    finally:
        if connection.vendor == "postgresql":  # committed here: switch the trigger back on at once
            raw_sql("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_no_update_delete")
    broken = audit_verify()
    assert broken.returncode == 1
    assert f"Audit chain BROKEN at event id {events[2].pk}:" in broken.stderr
