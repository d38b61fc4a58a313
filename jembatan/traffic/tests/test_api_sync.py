"""The sync API: upload with progress, push of small batches (idempotent), change feed
(cursor paging returns every row once)."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection  # noqa: F401 - read by the skipif condition
from django.test import Client

from jembatan.accounts.roles import Role
from jembatan.audit.events import AuditAction
from jembatan.audit.models import AuditEvent
from jembatan.traffic.importing import services
from jembatan.traffic.importing.format import CROSSING_COLUMNS
from jembatan.traffic.models import Crossing, ImportBatch, QuarantinedRow
from jembatan.traffic.tests.import_support import (
    api_client,
    crossing,
    synthetic,
    traffic_reference,  # noqa: F401
)

pytestmark = pytest.mark.usefixtures("traffic_reference")

PUSH = "/api/v1/traffic/crossings/push"
FEED = "/api/v1/traffic/crossings/changes"


def _as_json(row: list[str]) -> dict[str, str]:
    return dict(zip(CROSSING_COLUMNS, row, strict=True))


def _http(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def _push(http: Client, rows: list[list[str]], **headers: str):
    return http.post(PUSH, data=json.dumps({"crossings": [_as_json(r) for r in rows]}), content_type="application/json", **headers)


def test_a_push_loads_new_rows_refuses_bad_ones_by_index_and_is_idempotent_by_source_key():
    _client, token = api_client([services.IMPORT_TRAFFIC])
    http = _http(token)
    rows = [crossing("P-1"), crossing("P-2", sex="?"), crossing("P-3", checkpoint_code="NOPE")]

    first = _push(http, rows)

    assert first.status_code == 200, first.content
    body = first.json()
    assert (body["received"], body["loaded"], body["duplicate"]) == (3, 1, 0)
    assert [(r["index"], r["source_key"], r["field"]) for r in body["rejected"]] == [(1, "P-2", "sex"), (2, "P-3", "checkpoint_code")]
    assert "M, F or X" in body["rejected"][0]["reason"]
    assert "M, F atau X" in body["rejected"][0]["reason_id"]
    batch = ImportBatch.objects.get(pk=body["batch_id"])
    assert (batch.source, batch.status, batch.api_client_id) == (ImportBatch.Source.API_PUSH, ImportBatch.Status.COMPLETED, _client.pk)
    assert list(QuarantinedRow.objects.filter(batch=batch).values_list("row_number", flat=True)) == [1, 2]

    again = _push(http, [crossing("P-1"), crossing("P-4")]).json()

    assert (again["loaded"], again["duplicate"]) == (1, 1)
    assert sorted(Crossing.objects.values_list("source_key", flat=True)) == ["P-1", "P-4"]
    assert AuditEvent.objects.filter(action=AuditAction.TRAFFIC_PUSHED).count() == 2


def test_a_retried_push_with_the_same_idempotency_key_returns_the_first_answer_once():
    _client, token = api_client([services.IMPORT_TRAFFIC])
    http = _http(token)

    first = _push(http, [crossing("I-1")], HTTP_IDEMPOTENCY_KEY="push-0001")
    retry = _push(http, [crossing("I-1")], HTTP_IDEMPOTENCY_KEY="push-0001")
    other = _push(http, [crossing("I-2")], HTTP_IDEMPOTENCY_KEY="push-0001")

    assert retry.status_code == 200
    assert retry.json() == first.json()
    assert retry.json()["loaded"] == 1
    assert ImportBatch.objects.filter(source=ImportBatch.Source.API_PUSH).count() == 1
    assert other.status_code == 409
    assert Crossing.objects.count() == 1


def test_a_push_needs_the_capability_and_at_most_1000_rows():
    _client, token = api_client(["traffic.view_whereabouts"])
    assert _push(_http(token), [crossing("N-1")]).status_code == 403

    _client, token = api_client([services.IMPORT_TRAFFIC])
    too_many = _push(_http(token), [crossing(f"N-{i}") for i in range(1001)])
    assert too_many.status_code == 400
    assert too_many.json()["detail"]["field"] == "crossings"
    assert Crossing.objects.count() == 0


def test_feed_cursor_paging_returns_every_row_once_in_id_order():
    _pusher, push_token = api_client([services.IMPORT_TRAFFIC])
    rows = synthetic(23, seed=3)
    _push(_http(push_token), rows[:15])
    _reader, token = api_client([services.READ_FEED])
    http = _http(token)

    seen: list[dict] = []
    cursor, pages = 0, 0
    while True:
        page = http.get(FEED, {"after": cursor, "limit": 4})
        assert page.status_code == 200, page.content
        body = page.json()
        seen.extend(body["items"])
        pages += 1
        if pages == 2:  # rows arriving while a client pages through are not missed
            _push(_http(push_token), rows[15:])
        if not body["has_more"]:
            assert body["next_cursor"] == (body["items"][-1]["id"] if body["items"] else cursor)
            break
        cursor = body["next_cursor"]

    ids = [item["id"] for item in seen]
    assert ids == sorted(ids)
    assert len(ids) == len(set(ids)) == 23
    assert [item["source_key"] for item in seen] == [row[0] for row in rows]
    first = seen[0]
    assert first["direction"] in {"ARRIVAL", "DEPARTURE"}
    assert first["date_of_birth"] == rows[0][10]
    empty = http.get(FEED, {"after": ids[-1]}).json()
    assert empty == {"items": [], "next_cursor": ids[-1], "has_more": False}
    assert AuditEvent.objects.filter(action=AuditAction.TRAFFIC_FEED_READ).count() == pages + 1


def test_the_feed_needs_its_own_capability():
    _client, token = api_client([services.IMPORT_TRAFFIC])
    assert _http(token).get(FEED).status_code == 403


def test_an_upload_is_imported_by_the_job_and_its_progress_is_readable(make_user, login, tmp_path, settings):
    settings.TRAFFIC_UPLOAD_DIR = str(tmp_path)
    user = make_user(roles=[Role.IMMIGRATION_SUPERVISOR])
    http = login(user)
    content = ",".join(CROSSING_COLUMNS) + "\n" + "\n".join(",".join(r) for r in [crossing("U-1"), crossing("U-2", direction="X")]) + "\n"

    response = http.post(
        "/api/v1/traffic/imports", {"kind": "crossings", "file": SimpleUploadedFile("up.csv", content.encode(), "text/csv")}
    )

    assert response.status_code == 202, response.content
    queued = response.json()
    assert (queued["status"], queued["rows_total"], queued["file_name"]) == ("running", 0, "up.csv")
    stored = list(tmp_path.iterdir())
    assert len(stored) == 1

    services.traffic_import_job.func(batch_id=queued["id"], path=str(stored[0]))

    done = http.get(f"/api/v1/traffic/imports/{queued['id']}").json()
    assert (done["status"], done["rows_total"], done["rows_loaded"], done["rows_rejected"], done["percent"]) == (
        "completed",
        2,
        1,
        1,
        100.0,
    )
    assert not stored[0].exists()
    again = http.post(
        "/api/v1/traffic/imports", {"kind": "crossings", "file": SimpleUploadedFile("again.csv", content.encode(), "text/csv")}
    )
    assert again.status_code == 200
    assert again.json()["id"] == queued["id"]


def test_an_api_client_sees_only_its_own_imports():
    mine, token = api_client([services.IMPORT_TRAFFIC])
    other, _token = api_client([services.IMPORT_TRAFFIC])
    own = services.crossings_push(actor=mine, rows=[_as_json(crossing("O-1"))]).batch
    theirs = services.crossings_push(actor=other, rows=[_as_json(crossing("O-2"))]).batch
    http = _http(token)

    assert http.get(f"/api/v1/traffic/imports/{own.pk}").status_code == 200
    assert http.get(f"/api/v1/traffic/imports/{theirs.pk}").status_code == 404


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_a_push_during_an_initial_load_is_refused_with_a_retry_hint():
    """While an initial load runs without the key index, a push cannot be de-duplicated:
    409, send it again later."""
    from jembatan.traffic.importing import stores

    _client, token = api_client([services.IMPORT_TRAFFIC])
    stores.drop_indexes(keys=True)

    response = _push(_http(token), [crossing("L-1")])

    assert response.status_code == 409
    assert response.json()["detail"]["field"] == "crossings"
    assert Crossing.objects.count() == 0
    stores.ensure_indexes()
