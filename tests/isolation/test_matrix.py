"""Isolation proven (issue #5 item 6): every role against every page and API operation that
shows personal data, for objects it may and may not see.

Expected answers come from `matrix.ROWS` and the hand-written scopes in `world.py`; every
answer (200, 403, 404, redirect) is also read for content: no name, document number or
reference of a person outside the role's scope, and, to a mission, never a word that
discloses protection (refugee, asylum, pengungsi, suaka). PDFs are read with pdftotext,
spreadsheets with openpyxl.
"""

from __future__ import annotations

import hashlib
import io
import re
import subprocess
import time
import uuid
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.isolation.matrix import ADMIN_PREFIX, NON_PERSONAL, ROWS, Row
from tests.isolation.world import MISSION_ROLES, PROTECTION_WORDS, ROLE_KEYS, World, forbidden_strings

pytestmark = pytest.mark.django_db

_PDF_TEXT: dict[str, str] = {}


def body_text(row: Row | None, response: Any) -> str:
    """The answer as text: PDFs through pdftotext, spreadsheets through openpyxl."""
    raw = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    kind = response.get("Content-Type", "")
    if raw.startswith(b"%PDF"):
        digest = hashlib.sha1(raw).hexdigest()  # noqa: S324 (cache key)
        if digest not in _PDF_TEXT:
            out = subprocess.run(["pdftotext", "-", "-"], input=raw, capture_output=True, check=False)
            _PDF_TEXT[digest] = out.stdout.decode("utf-8", "replace")
        return _PDF_TEXT[digest]
    if raw.startswith(b"PK") and "spreadsheet" in kind:
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True)
        return "\n".join(" ".join(str(c) for c in r if c is not None) for ws in book.worksheets for r in ws.iter_rows(values_only=True))
    return raw.decode("utf-8", "replace")


def url_for(row: Row, kwargs: dict[str, Any]) -> str:
    kwargs = {**row.extra, **kwargs}
    if row.is_api:
        path = row.key.split(" ", 1)[1]
        return path.format(**{k: str(v) for k, v in kwargs.items()})
    return reverse(row.key, kwargs=kwargs or None)


def call(client: Client, row: Row, url: str, query: dict[str, str] | None = None) -> Any:
    if row.method == "GET":
        return client.get(url, query or {})
    if row.is_api:
        return client.post(url, data=row.body or {}, content_type="application/json", headers={"Idempotency-Key": str(uuid.uuid4())})
    return client.post(url, {})


def expected(row: Row, role: str, seen: frozenset[str] | None) -> int | str:
    if role in row.overrides:
        return row.overrides[role]
    if role == "anon":
        return row.anon or (401 if row.is_api else "login")
    if not row.allowed(role):
        return row.refusal
    if seen is None:
        return 200
    return 200 if role in seen else 404


def matches(row: Row, want: int | str, response: Any) -> bool:
    if want == "login":
        return response.status_code == 302 and "/accounts/login/" in response["Location"]
    if want == 200 and row.redirects and response.status_code == 302:
        return True
    return response.status_code == want


def cases_for(world: World, row: Row, role: str) -> list[tuple[str, dict[str, Any], frozenset[str] | None, Any]]:
    """(label, url kwargs, seen_by, object) to call `row` with as `role`. A role refused the
    page itself (anonymous, no capability) is tried on one object only: the object cannot matter."""
    if row.kind is None:
        return [("-", {}, None, None)]
    rows = world.objects[row.kind]
    out = [(label, row.kwargs(obj) if row.kwargs else {}, seen, obj) for label, obj, seen in rows]
    if role == "anon" or not row.allowed(role):
        return out[:1]
    return out


def content_problems(world: World, role: str, row: Row, body: str, *, skip: set[str] = frozenset()) -> list[str]:  # type: ignore[assignment]
    problems = []
    lowered = body.lower()
    for text, why in forbidden_strings(world, role).items():
        if text.lower() in lowered and text not in skip:
            problems.append(f"shows {text!r} ({why})")
    if role in MISSION_ROLES:
        for word in PROTECTION_WORDS:
            if re.search(rf"\b{word}", lowered):
                problems.append(f"shows the word {word!r} to a mission")
    return problems


def client_for(world: World, role: str) -> Client:
    c = Client()
    user = world.user(role)
    if user is not None:
        c.force_login(user)
    return c


STATS: dict[str, Any] = {"requests": 0, "seconds": 0.0, "cells": set()}


@pytest.mark.parametrize("role", ROLE_KEYS)
def test_every_role_against_every_personal_data_page(world: World, role: str) -> None:
    client = client_for(world, role)
    failures: list[str] = []
    started = time.monotonic()
    count = 0
    for row in ROWS:
        for label, kwargs, seen, obj in cases_for(world, row, role):
            want = expected(row, role, seen)
            if row.method == "POST" and want == 200:
                continue  # never change what the role may change
            url = url_for(row, kwargs)
            response = call(client, row, url)
            count += 1
            STATS["cells"].add((role, row.key, label))
            where = f"{row.method} {url} [{row.key} {label}] as {role}"
            if not matches(row, want, response):
                failures.append(f"{where}: expected {want}, got {response.status_code}")
                continue
            body = body_text(row, response)
            failures += [f"{where}: {p}" for p in content_problems(world, role, row, body)]
            if want == 200 and response.status_code == 200 and row.marker is not None and obj is not None:
                marker = row.marker(obj)
                if marker.lower() not in body.lower():
                    failures.append(f"{where}: 200 without the object ({marker!r} not in the body)")
        if row.search and row.allowed(role):
            hidden = forbidden_strings(world, role)
            # Everyone the role must not find, and one it may (the search itself works).
            for s in [x for x in world.subjects.values() if x.person.surname in hidden or x.key == "walker"]:
                query = {"q": s.person.surname}
                response = call(client, row, url_for(row, {}), query)
                count += 1
                where = f"GET {url_for(row, {})}?q={s.person.surname} as {role}"
                if response.status_code != 200:
                    failures.append(f"{where}: search answered {response.status_code}")
                    continue
                body = body_text(row, response)
                failures += [f"{where}: {p}" for p in content_problems(world, role, row, body, skip={s.person.surname})]
                if s.person.surname in hidden and s.person.given_names.lower() in body.lower():
                    failures.append(f"{where}: finds {s.key}, outside the scope of {role}")
    STATS["requests"] += count
    STATS["seconds"] += time.monotonic() - started
    assert not failures, f"{len(failures)} problems for {role}:\n" + "\n".join(failures)


def test_error_pages_never_name_anyone(world: World) -> None:
    """A 404 for another mission's notification, a missing id and a mangled URL: the body
    names nobody and is the same whether the object exists or not."""
    client = client_for(world, "au_officer")
    tanaka = world.subjects["tanaka"].notifications["JP"]
    other = client.get(reverse("portal:notification_detail", args=[tanaka.pk]))
    absent = uuid.uuid4()
    missing = client.get(reverse("portal:notification_detail", args=[absent]))
    mangled = client.get("/portal/notifications/not-a-notification/")
    for response in (other, missing, mangled):
        assert response.status_code == 404
        assert "TANAKA" not in response.content.decode()
        assert tanaka.reference not in response.content.decode()
    assert _normal(other.content.decode()).replace(str(tanaka.pk), "ID") == _normal(missing.content.decode()).replace(str(absent), "ID")


def _normal(html: str) -> str:
    """A page without what changes from one request to the next (CSRF tokens, CSP nonces)."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    html = re.sub(r'nonce="[^"]+"', "", html)
    html = re.sub(r'<span class="font-monospace">[0-9a-f]{12}</span>', "", html)  # the request id in the footer
    return re.sub(r'csrf[-_]?token["\']?\s*[:=]\s*["\'][^"\']+["\']', "", html, flags=re.I)


def test_counts_do_not_move_when_another_mission_gets_a_notification(world: World) -> None:
    """Counts, badges and panels: every page an Australian mission officer can open without an
    object is byte-for-byte the same before and after Japan gets a new national notified,
    an inquiry and a message; the Japanese officer's inbox does change."""
    from tests.isolation.world import add_japanese_traffic

    pages = [r for r in ROWS if r.kind is None and r.method == "GET"]
    clients = {role: client_for(world, role) for role in ("au_officer", "au_lead", "jp_officer")}

    def snapshot(role: str) -> dict[str, str]:
        out = {}
        for row in pages:
            if row.allowed(role):
                response = call(clients[role], row, url_for(row, {}))
                out[row.key] = _normal(body_text(row, response))
                if row.search:  # searching for the new Japanese national: nothing, before and after
                    response = call(clients[role], row, url_for(row, {}), {"q": "YAMADAKO"})
                    out[f"{row.key}?q=YAMADAKO"] = _normal(body_text(row, response))
        return out

    before = {role: snapshot(role) for role in clients}
    add_japanese_traffic(world)
    after = {role: snapshot(role) for role in clients}
    for role in ("au_officer", "au_lead"):
        changed = [key for key in before[role] if before[role][key] != after[role][key]]
        assert not changed, f"{role} sees a change when only Japan's data changed: {changed}"
    assert before["jp_officer"]["portal:inbox"] != after["jp_officer"]["portal:inbox"]


def test_the_data_set_is_the_one_the_issue_describes(world: World) -> None:
    """The scopes the matrix checks against (so a change to world.py is deliberate)."""
    au, jp = forbidden_strings(world, "au_officer"), forbidden_strings(world, "jp_officer")
    morgan = world.subjects["morgan"].notifications
    # The other mission's nationals, the asylum seeker who did not ask, the other State's notice of a dual national.
    assert {"TANAKA", "SUZUKIYA", "DARWISHI", morgan["JP"].reference} <= set(au)
    assert {"WALKER", "HASSANI", "MORGANSATO", morgan["AU"].reference} & set(au) == set()
    assert {"WALKER", "HASSANI", "DARWISHI", morgan["AU"].reference} <= set(jp)
    # The Japanese notice still to check is not Japan's to see yet.
    assert world.subjects["suzuki"].notifications["JP"].reference in jp
    # Agencies: the immigration office does not see the prison's or the police's people.
    assert {"MORGANSATO", "SUZUKIYA", "DARWISHI"} <= set(forbidden_strings(world, "imm_officer"))


def test_mail_and_alerts_to_missions_disclose_nothing(world: World) -> None:
    """The notification e-mails (body, subject, the attached PDF) and every alert addressed to
    a mission's users: nothing about another mission's nationals, no protection words."""
    from jembatan.accounts.models import Alert
    from jembatan.notifications.dispatch import delivery_message
    from jembatan.notifications.models import NotificationDelivery

    problems = []
    checked = 0
    for delivery in NotificationDelivery.objects.select_related("notification__mission").exclude(recipient=""):
        mission = delivery.notification.mission
        if mission is None or "@" not in delivery.recipient:
            continue
        role = "au_officer" if mission == world.missions["AU"] else "jp_officer"
        message = delivery_message(delivery)
        texts = [str(message.subject), str(message.body)]
        for _name, content, _type in message.attachments:  # type: ignore[misc]
            out = subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True)
            texts.append(out.stdout.decode())
        problems += [
            f"mail {delivery.notification.reference} to {delivery.recipient}: {p}"
            for p in content_problems(world, role, ROWS[0], "\n".join(texts))
        ]
        checked += 1
    assert checked >= 5, "every dispatched notice has a mail to its mission"
    for role in ("au_officer", "au_lead", "jp_officer", "jp_lead"):
        for alert in Alert.objects.filter(recipient=world.users[role]):
            problems += [
                f"alert {alert.title!r} to {role}: {p}"
                for p in content_problems(world, role, ROWS[0], f"{alert.title} {alert.body} {alert.url}")
            ]
    assert not problems, "\n".join(problems)


def _resolver_keys() -> set[str]:
    keys: set[str] = set()

    def walk(resolver: URLResolver, ns: str) -> None:
        for p in resolver.url_patterns:
            if isinstance(p, URLResolver):
                walk(p, ns + (f"{p.namespace}:" if p.namespace else ""))
            elif isinstance(p, URLPattern):
                if ns.startswith("api-v1:") and p.name not in ("openapi-json", "openapi-view", "api-root"):
                    continue  # API operations are classified from the OpenAPI schema
                keys.add(f"{ns}{p.name or p.pattern}")

    walk(get_resolver(), "")
    return keys


def test_every_url_and_api_operation_is_classified(client: Client) -> None:
    """Fails when a page or API operation is added without a row in the matrix or a reason
    in NON_PERSONAL."""
    schema = client.get("/api/v1/openapi.json").json()
    operations = {f"{method.upper()} /api/v1{path.removeprefix('/api/v1')}" for path, ops in schema["paths"].items() for method in ops}
    classified = {r.key for r in ROWS} | set(NON_PERSONAL)
    pages = {k for k in _resolver_keys() if not k.startswith(ADMIN_PREFIX)}
    unclassified = sorted((pages | operations) - classified)
    assert not unclassified, "Classify these in tests/isolation/matrix.py (ROWS or NON_PERSONAL):\n" + "\n".join(unclassified)
    stale = sorted(k for k in classified - pages - operations if k not in ("i18n",))
    assert not stale, f"Rows for URLs that no longer exist: {stale}"


def test_the_admin_site_holds_no_personal_data_and_is_closed_to_other_roles(world: World) -> None:
    """Only reference-data editors (administrators, protocol) are Django staff; the admin
    registers reference tables and the overstay rule, no person, case or notification."""
    from django.contrib import admin

    personal_apps = {"people", "notifications", "portal", "traffic", "audit"}
    registered = {f"{m._meta.app_label}.{m._meta.model_name}" for m in admin.site._registry}
    assert not {r for r in registered if r.split(".")[0] in personal_apps or r == "cases.case"}, registered
    for role in ROLE_KEYS:
        response = client_for(world, role).get("/admin/")
        if role in ("admin", "protocol"):
            assert response.status_code == 200, role
            assert not content_problems(world, role, ROWS[0], response.content.decode())
        else:
            assert response.status_code == 302, role


def test_matrix_size_and_speed() -> None:
    """Reported by the run: roles × URLs × objects actually called (runs last in the module)."""
    if STATS["requests"]:
        rows = {key for _role, key, _label in STATS["cells"]}
        print(
            f"\nisolation matrix: {len(ROLE_KEYS)} roles x {len(rows)} pages/operations x objects = {len(STATS['cells'])} cells, {STATS['requests']} requests in {STATS['seconds']:.1f} s"
        )


def test_a_national_who_declined_notification_is_unknown_to_the_mission(world: World) -> None:
    from jembatan.cases.tests.factories import CaseFactory
    from jembatan.notifications.tests.factories import RightsAdviceFactory
    from jembatan.people.tests.factories import PersonFactory

    person = PersonFactory(surname="KELLYNED", given_names="NED", nationalities=["AUS"], recorded_by_agency=world.agencies["polri"])
    RightsAdviceFactory(case=CaseFactory(person=person, reporting_agency=world.agencies["polri"]), answer="declined")
    client = client_for(world, "au_officer")
    assert "KELLYNED" not in client.get(reverse("people:list")).content.decode()
    # Missions read the portal, never the person register: the pages are closed to them.
    assert client.get(reverse("people:detail", args=[person.pk])).status_code in (403, 404)
    assert client.get(f"/api/v1/people/{person.pk}").status_code in (403, 404)
