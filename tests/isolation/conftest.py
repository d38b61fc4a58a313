"""The isolation matrix's data set, built once per module inside a transaction that is
rolled back at the end (each test runs in a savepoint inside it)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import transaction

from tests.isolation.world import World, build_world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> Iterator[World]:  # noqa: ARG001 (ordering)
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
