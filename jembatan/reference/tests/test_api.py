"""`/api/v1/reference/…`: read-only, paginated, filtered, capability-checked."""

from __future__ import annotations

import pytest

from jembatan.accounts.models import ApiClient
from jembatan.accounts.tests.factories import AgencyFactory
from jembatan.reference.models import Country

pytestmark = pytest.mark.django_db

BASE = "/api/v1/reference"


@pytest.fixture
def loaded(load_tables):
    return load_tables("countries", "detention_centres", "checkpoints", "missions", "legal_bases", "immigration_offices")


@pytest.fixture
def api(login, officer):
    return login(officer)


def test_countries_are_paginated_and_typed(api, loaded):
    first = api.get(f"{BASE}/countries").json()
    second = api.get(f"{BASE}/countries", {"page": 2, "page_size": 100}).json()

    assert first["count"] == Country.objects.count() == len(__import__("pycountry").countries) + 30
    assert len(first["items"]) == 50
    assert len(second["items"]) == 100
    assert first["items"][0].keys() == {
        "code", "kind", "alpha2", "numeric", "iso_equivalent", "name_id", "name_en",
        "valid_from", "valid_to", "source", "confidence", "locally_corrected",
    }  # fmt: skip
    assert {c["code"] for c in first["items"]}.isdisjoint({c["code"] for c in second["items"]})


def test_country_detail_and_filters(api, loaded):
    japan = api.get(f"{BASE}/countries/jpn")
    icao = api.get(f"{BASE}/countries", {"kind": "icao", "page_size": 100}).json()
    stateless = api.get(f"{BASE}/countries", {"q": "XXA"}).json()

    assert japan.status_code == 200
    assert japan.json()["name_id"] == "Jepang"
    assert japan.json()["source"].startswith("ISO 3166-1 via pycountry")
    assert japan.json()["confidence"] == "high"
    assert icao["count"] == 30
    assert {c["kind"] for c in icao["items"]} == {"icao"}
    assert [c["code"] for c in stateless["items"]] == ["XXA"]


def test_unknown_country_is_a_404_with_the_error_body(api, loaded):
    response = api.get(f"{BASE}/countries/QQQ")

    assert response.status_code == 404
    body = response.json()
    assert body["code"] == "not_found"
    assert "QQQ" in body["message"]
    assert body.keys() == {"code", "message", "detail"}


def test_list_endpoints_filter(api, loaded):
    papua_posts = api.get(f"{BASE}/checkpoints", {"kind": "land_border", "province": "Papua Selatan"}).json()
    embassy_japan = api.get(f"{BASE}/missions", {"kind": "embassy", "q": "JPN"}).json()
    bali_centre = api.get(f"{BASE}/detention-centres", {"province": "Bali"}).json()
    class_i = api.get(f"{BASE}/immigration-offices", {"office_class": "I Khusus TPI"}).json()
    art97_2020 = api.get(f"{BASE}/legal-bases", {"q": "97", "in_force_on": "2020-01-01"}).json()
    art97_now = api.get(f"{BASE}/legal-bases", {"q": "97", "kind": "duration_rule"}).json()

    assert sorted(c["code"] for c in papua_posts["items"]) == ["LND-STA", "LND-YTK"]
    assert papua_posts["items"][0]["time_zone"] == "Asia/Jayapura"
    assert [(m["country_code"], m["name_en"], m["is_resident"]) for m in embassy_japan["items"]] == [("JPN", "Embassy of Japan", True)]
    assert [c["code"] for c in bali_centre["items"]] == ["RDN-DPS"]
    assert {o["office_class"] for o in class_i["items"]} == {"I Khusus TPI"}
    assert class_i["count"] == 5
    assert [b["law"] for b in art97_2020["items"] if b["article"] == "97"] == ["UU 6/2011 (original text, superseded)"]
    amended = next(b for b in art97_now["items"] if b["law"] == "UU 6/2011 as amended by UU 63/2024" and b["article"] == "97")
    assert amended["valid_from"] == "2024-10-17"
    assert amended["valid_to"] is None


def test_bad_filter_value_is_a_422(api, loaded):
    response = api.get(f"{BASE}/legal-bases", {"in_force_on": "not-a-date"})

    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


def test_without_the_capability_the_api_refuses(login, auditor, loaded):
    client = login(auditor)

    for path in ("/countries", "/countries/JPN", "/immigration-offices", "/detention-centres", "/checkpoints", "/missions", "/legal-bases"):
        response = client.get(f"{BASE}{path}")
        assert response.status_code == 403, path
        assert response.json()["code"] == "permission_denied", path


def test_anonymous_is_refused(client, loaded):
    response = client.get(f"{BASE}/countries")

    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_an_api_client_with_the_capability_reads_with_its_token(client, loaded):
    token, prefix, token_hash = ApiClient.new_token()
    ApiClient.objects.create(
        agency=AgencyFactory(), name="Sistem uji", token_prefix=prefix, token_hash=token_hash, permissions=["reference.view_reference"]
    )
    token2, prefix2, hash2 = ApiClient.new_token()
    ApiClient.objects.create(agency=AgencyFactory(), name="Tanpa hak", token_prefix=prefix2, token_hash=hash2, permissions=[])

    allowed = client.get(f"{BASE}/detention-centres", headers={"Authorization": f"Bearer {token}"})
    refused = client.get(f"{BASE}/detention-centres", headers={"Authorization": f"Bearer {token2}"})

    assert allowed.status_code == 200
    assert allowed.json()["count"] == 13
    assert refused.status_code == 403
