"""Fixtures of the notification tests (`world`: see pages_support.py)."""

from jembatan.notifications.tests.pages_support import world  # noqa: F401 - fixture
