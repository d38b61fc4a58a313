"""Fixtures of the people tests: the people API whether or not the project mounts it yet."""

from __future__ import annotations

import pytest


def _people_api_mounted() -> bool:
    from django.urls import Resolver404, resolve

    try:
        match = resolve("/api/v1/people/duplicates")
    except Resolver404:
        return False
    return match.func is not None


@pytest.fixture
def people_api(settings):
    """The base URL of the people API (`/api/v1/people`)."""
    if not _people_api_mounted():
        settings.ROOT_URLCONF = "jembatan.people.tests.api_urls"
    return "/api/v1/people"
