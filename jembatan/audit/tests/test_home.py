"""The auditor's home panel."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from jembatan.accounts.roles import Role
from jembatan.audit.events import AuditAction
from jembatan.audit.home import auditor_panel
from jembatan.audit.services import audit_chain_check, audit_record
from jembatan.audit.tests.test_chain import tamper
from jembatan.audit.tests.test_views import clock

pytestmark = pytest.mark.django_db


def items_by_label(panel) -> dict:
    return {item.label: item for item in panel.items}


def test_no_panel_without_the_capability(make_user):
    assert auditor_panel(make_user(roles=[Role.IMMIGRATION_OFFICER])) is None


def test_panel_counts_the_last_24_hours_and_links_to_the_filtered_list(make_user):
    auditor = make_user(roles=[Role.AUDITOR])
    with clock(timezone.now() - dt.timedelta(hours=30)):  # too old to count
        audit_record(action=AuditAction.USER_LOGIN_FAILED, target=("accounts.user", "", "old"))
    for name in ("a", "b", "c"):
        audit_record(action=AuditAction.USER_LOGIN_FAILED, target=("accounts.user", "", name))
    audit_record(action=AuditAction.USER_LOCKED_OUT, target=("accounts.user", "", "c"))
    audit_chain_check()

    with translation.override("en"):
        panel = auditor_panel(auditor)
    items = items_by_label(panel)
    assert panel.title == "Audit log"
    assert items["Events in the last 24 hours"].value == "5"  # 3 failures, 1 lock-out, 1 chain check
    failed = items["Failed sign-ins in the last 24 hours"]
    assert failed.value == "3"
    assert not failed.urgent
    locked = items["Lock-outs in the last 24 hours"]
    assert locked.value == "1"
    assert locked.urgent
    query = parse_qs(urlsplit(locked.url).query)
    assert urlsplit(locked.url).path == reverse("audit:list")
    assert query["action"] == [str(int(AuditAction.USER_LOCKED_OUT))]
    assert query["date_from"] == [
        (timezone.now() - dt.timedelta(hours=24)).astimezone(dt.timezone(dt.timedelta(hours=7))).date().isoformat()
    ]
    chain_item = items["Hash chain"]
    assert chain_item.value.startswith("Intact, checked ")
    assert chain_item.value.endswith(" WIB")
    assert not chain_item.urgent
    assert panel.actions[0].url == reverse("audit:list")


def test_panel_shows_a_broken_chain_as_urgent(make_user):
    auditor = make_user(roles=[Role.AUDITOR])
    for i in range(3):
        audit_record(action=AuditAction.DEMO_DATA_LOADED, data={"i": i})
    tamper("UPDATE audit_auditevent SET data = %s WHERE id = 2", ['{"i": 5}'])
    audit_chain_check()
    with translation.override("en"):
        chain_item = items_by_label(auditor_panel(auditor))["Hash chain"]
    assert chain_item.value.startswith("Broken at event #2, checked ")
    assert chain_item.urgent


def test_panel_says_when_the_chain_was_never_verified(make_user):
    with translation.override("en"):
        chain_item = items_by_label(auditor_panel(make_user(roles=[Role.AUDITOR])))["Hash chain"]
    assert chain_item.value == "Not verified yet"


def test_home_page_shows_the_panel_to_an_auditor(client, login, make_user):
    login(make_user(roles=[Role.AUDITOR]))
    audit_chain_check()
    html = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Failed sign-ins in the last 24 hours" in html
    assert f'href="{reverse("audit:list")}"' in html
