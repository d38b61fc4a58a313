"""Core pages: health, home, language switch, security headers, error pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

pytestmark = pytest.mark.django_db


def test_healthz_reports_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response["X-Request-ID"]


def test_home_requires_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_home_greets_user_and_lists_roles_in_indonesian_by_default(client, make_user, login):
    user = make_user(roles=["consular_officer"], full_name="Siti Rahma")
    login(user)
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="id">' in html
    assert "Siti Rahma" in html
    assert 'id="skip-link"' in html
    assert "Petugas konsuler" in html  # the role label, translated


def test_language_switch_to_english(client, make_user, login):
    login(make_user(roles=["analyst"]))
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, follow=True)
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Analyst" in html


def test_security_headers_and_no_external_assets(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert response["X-Frame-Options"] == "DENY"
    html = response.content.decode()
    for marker in ("cdn.", "unpkg.com", "googleapis", "jsdelivr"):
        assert marker not in html


def test_404_page_is_bilingual_and_helpful(client, make_user, login):
    login(make_user(roles=["analyst"]))
    with translation.override("id"):
        response = client.get("/no-such-page/")
    assert response.status_code == 404


def test_zoned_tag_shows_local_zone_with_abbreviation():
    moment = dt.datetime(2026, 11, 27, 7, 30, tzinfo=dt.UTC)
    template = Template("{% load jembatan %}{% zoned t 'Asia/Makassar' %}")
    with translation.override("id"):
        html = template.render(Context({"t": moment}))
    assert 'datetime="2026-11-27T07:30:00Z"' in html
    assert "15.30 WITA" in html
    with translation.override("en"):
        html = template.render(Context({"t": moment}))
    assert "15:30 WITA" in html


def test_relative_deadline_wording():
    template = Template("{% load jembatan %}{% relative_to_now t %}")
    soon = timezone.now() + dt.timedelta(hours=5, minutes=20, seconds=30)
    late = timezone.now() - dt.timedelta(hours=2, minutes=1)
    with translation.override("en"):
        assert template.render(Context({"t": soon})) == "due in 5 h 20 min"
        assert template.render(Context({"t": late})) == "overdue by 2 h 1 min"
    with translation.override("id"):
        assert template.render(Context({"t": soon})) == "5 jam 20 menit lagi"
        assert template.render(Context({"t": late})) == "Terlambat 2 jam 1 menit"
