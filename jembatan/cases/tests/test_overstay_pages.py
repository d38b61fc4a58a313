"""The confirm page of an overstay proposal (`cases:overstay_propose`), reached from the
traffic overstay list (moved here from jembatan/traffic/tests/test_pages.py with the view)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from jembatan.cases.models import Case
from jembatan.people.tests.factories import IdentityDocumentFactory, PersonFactory
from jembatan.reference.tests.factories import CountryFactory
from jembatan.traffic.tests.query_support import WITA, crossing, permit, tq_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


def moment(days_ago: int, hour: int = 10) -> dt.datetime:
    day = ago(days_ago)
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=WITA)


def overstayer(document: str, days: int, **kwargs) -> object:
    arrived = ago(days + 29)
    crossing(document, moment(days + 29), "A", **{k: v for k, v in kwargs.items() if k in ("state", "surname", "given_names")})
    return permit(document, arrived, ago(days), **kwargs)


def test_the_list_links_to_the_register_page(tq, login, english):
    stay = overstayer("AUS32", 32)
    url = reverse("cases:overstay_propose", args=[stay.pk])
    assert url == f"/cases/overstays/{stay.pk}/propose/"
    listing = login(tq.supervisor, the_client=english).get(reverse("traffic:overstays")).content.decode()
    assert f'href="{url}"' in listing


def test_propose_charge_confirm_then_create(tq, login, english):
    stay = overstayer("AUS32", 32, number="VOA-32")
    client = login(tq.supervisor, the_client=english)
    url = reverse("cases:overstay_propose", args=[stay.pk])
    confirm = client.get(url).content.decode()
    assert "IDR 32,000,000" in confirm
    assert "Imposition of a charge" in confirm
    assert "A new person record with this travel document" in confirm
    assert Case.objects.count() == 0
    response = client.post(url, {"entry_ban_months": "6"})
    charge = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", kwargs={"case_id": charge.pk})
    assert charge.charge_amount == Decimal(32_000_000)
    assert "VOA-32" in charge.summary
    again = client.get(url).content.decode()
    assert "Actions were already proposed" in again
    assert charge.reference in again
    client.post(url, {"entry_ban_months": "6"})
    assert Case.objects.count() == 1
    listing = client.get(reverse("traffic:overstays")).content.decode()
    assert "Action proposed" in listing


def test_propose_deportation_and_ban_with_chosen_length(tq, login, english):
    someone = PersonFactory(surname="TANAKA", given_names="YUKI", nationalities=["JPN"], recorded_by_agency=tq.imm)
    IdentityDocumentFactory(person=someone, number="JPN75", issuing_state=CountryFactory(code="JPN"))
    stay = overstayer("JPN75", 75, state="JPN", surname="TANAKA", given_names="YUKI")
    client = login(tq.supervisor, the_client=english)
    url = reverse("cases:overstay_propose", args=[stay.pk])
    confirm = client.get(url).content.decode()
    assert "Deportation" in confirm
    assert "Listing for entry ban" in confirm
    assert "Length of the entry ban (months)" in confirm
    bad = client.post(url, {"entry_ban_months": "200"})
    assert "Enter an entry ban of 1 to 120 months." in bad.content.decode()
    assert Case.objects.count() == 0
    client.post(url, {"entry_ban_months": "24"})
    ban = Case.objects.get(kind="entry_ban")
    assert Case.objects.filter(kind="deportation", person=someone).exists()
    assert (ban.ends_on - ban.starts_on).days in range(729, 731)


def test_propose_page_for_a_trafficking_victim_explains_the_refusal(tq, login, english):
    victim = PersonFactory(surname="X", nationalities=["AUS"], recorded_by_agency=tq.imm, is_trafficking_victim=True)
    IdentityDocumentFactory(person=victim, number="AUS32", issuing_state=CountryFactory(code="AUS"))
    stay = overstayer("AUS32", 32)
    client = login(tq.supervisor, the_client=english)
    confirm = client.get(reverse("cases:overstay_propose", args=[stay.pk])).content.decode()
    assert "victim of trafficking" in confirm
    assert "Propose these actions" not in confirm
    response = client.post(reverse("cases:overstay_propose", args=[stay.pk]), {"entry_ban_months": "6"})
    assert response.status_code == 200
    assert "victim of trafficking" in response.content.decode()
    assert Case.objects.count() == 0


def test_propose_is_for_supervisors_and_real_overstays_only(tq, login):
    stay = overstayer("AUS32", 32)
    valid = permit("VALID", ago(3), ago(-30))
    assert login(tq.officer).get(reverse("cases:overstay_propose", args=[stay.pk])).status_code == 403
    assert login(tq.supervisor).get(reverse("cases:overstay_propose", args=[valid.pk])).status_code == 404
