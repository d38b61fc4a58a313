"""Idempotency keys: one write per key, the same answer on retry, a conflict on misuse."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from jembatan.core.exceptions import Conflict
from jembatan.core.idempotency import idempotent
from jembatan.core.models import IdempotencyRecord

pytestmark = pytest.mark.django_db


def _request(user, key: str | None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    request = RequestFactory().post("/api/v1/x", **headers)
    request.user = user
    return request


def test_same_key_same_body_runs_once_and_replays(make_user):
    user = make_user(roles=["immigration_officer"])
    calls = []

    def produce():
        calls.append(1)
        return 201, {"id": len(calls)}

    first = idempotent(_request(user, "k-1"), operation="case_create", payload={"a": 1}, produce=produce)
    second = idempotent(_request(user, "k-1"), operation="case_create", payload={"a": 1}, produce=produce)
    assert first == second == (201, {"id": 1})
    assert len(calls) == 1
    assert IdempotencyRecord.objects.count() == 1


def test_same_key_different_body_is_a_conflict(make_user):
    user = make_user(roles=["immigration_officer"])
    idempotent(_request(user, "k-2"), operation="case_create", payload={"a": 1}, produce=lambda: (201, {"id": 1}))
    with pytest.raises(Conflict) as excinfo:
        idempotent(_request(user, "k-2"), operation="case_create", payload={"a": 2}, produce=lambda: (201, {"id": 2}))
    assert excinfo.value.field == "Idempotency-Key"


def test_keys_are_per_caller_and_optional(make_user):
    one, two = make_user(roles=["immigration_officer"]), make_user(roles=["immigration_officer"])
    assert idempotent(_request(one, "k-3"), operation="x", payload={}, produce=lambda: (201, {"by": 1}))[1] == {"by": 1}
    assert idempotent(_request(two, "k-3"), operation="x", payload={}, produce=lambda: (201, {"by": 2}))[1] == {"by": 2}
    runs = []
    for _ in range(2):
        idempotent(_request(one, None), operation="x", payload={}, produce=lambda: runs.append(1) or (201, {}))
    assert len(runs) == 2
