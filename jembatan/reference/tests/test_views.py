"""The reference pages: overview, lists with search, filters, pagination, both languages."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from jembatan.reference.models import Checkpoint, ImmigrationOffice

pytestmark = pytest.mark.django_db

LIST_URLS = (
    "reference:country_list",
    "reference:office_list",
    "reference:detention_centre_list",
    "reference:checkpoint_list",
    "reference:mission_list",
    "reference:legal_basis_list",
)


@pytest.fixture
def loaded(load_tables):
    return load_tables("countries", "immigration_offices", "detention_centres", "checkpoints", "missions", "legal_bases")


def _rows(response) -> list:
    return list(response.context["object_list"])


def test_index_lists_every_table_with_counts(login, officer, loaded):
    response = login(officer).get(reverse("reference:index"))

    assert response.status_code == 200
    summaries = {row["summary"].table.slug: row["summary"] for row in response.context["rows"]}
    assert summaries["detention-centres"].total == 13
    assert summaries["checkpoints"].low == Checkpoint.objects.filter(confidence="low").count() == 2
    assert summaries["immigration-offices"].medium == ImmigrationOffice.objects.filter(confidence="medium").count()
    html = response.content.decode()
    assert "<caption" in html
    assert '<th scope="row">' in html
    assert f'href="{reverse("reference:checkpoint_list")}?confidence=low"' in html
    # an officer may not correct data: no administration column
    assert "/admin/" not in html


def test_every_list_page_renders_a_captioned_table(login, officer, loaded):
    client = login(officer)
    for name in LIST_URLS:
        response = client.get(reverse(name))
        html = response.content.decode()
        assert response.status_code == 200, name
        for marker in ("<caption", '<th scope="col">', '<th scope="row"'):
            assert marker in html, name
        assert response.context["paginator"].count > 0, name


def test_search_finds_by_name_and_code(login, officer, loaded):
    client = login(officer)

    by_name = client.get(reverse("reference:office_list"), {"q": "banda aceh"})
    by_code = client.get(reverse("reference:checkpoint_list"), {"q": "cgk"})
    two_words = client.get(reverse("reference:mission_list"), {"q": "jepang surabaya", "kind": "consulate_general"})

    assert [o.code for o in _rows(by_name)] == ["KANIM-BANDA-ACEH"]
    assert "Kantor Imigrasi Kelas I TPI Banda Aceh" in by_name.content.decode()
    assert [c.code for c in _rows(by_code)] == ["CGK"]
    assert [(m.sending_entity, m.city) for m in _rows(two_words)] == [("Japan", "Surabaya")]


def test_filters_by_province_kind_and_confidence(login, officer, loaded):
    client = login(officer)

    bali = client.get(reverse("reference:office_list"), {"province": "Bali"})
    land_papua = client.get(reverse("reference:checkpoint_list"), {"kind": "land_border", "province": "Papua Selatan"})
    low = client.get(reverse("reference:checkpoint_list"), {"confidence": "low"})

    assert {o.province for o in _rows(bali)} == {"Bali"}
    assert len(_rows(bali)) == ImmigrationOffice.objects.filter(province="Bali").count() >= 3
    assert sorted(c.code for c in _rows(land_papua)) == ["LND-STA", "LND-YTK"]
    assert sorted(c.code for c in _rows(low)) == ["LND-LMD", "LND-OPL"]
    # the selected filters are shown as removable tags
    html = land_papua.content.decode()
    assert "Papua Selatan" in html
    assert 'href="?kind=land_border"' in html  # removes the province filter


def test_in_force_on_filter_shows_the_wording_valid_on_that_date(login, officer, loaded):
    client = login(officer)

    in_2020 = client.get(reverse("reference:legal_basis_list"), {"q": "97", "in_force_on": "2020-01-01"})
    today = client.get(reverse("reference:legal_basis_list"), {"q": "97"})

    assert [b.law for b in _rows(in_2020) if b.article == "97"] == ["UU 6/2011 (original text, superseded)"]
    assert {b.law for b in _rows(today) if b.article == "97"} == {
        "UU 6/2011 (original text, superseded)",
        "UU 6/2011 as amended by UU 63/2024",
    }
    # the superseded wording is marked as such, in words
    assert "Tidak berlaku lagi" in today.content.decode()


def test_invalid_filter_shows_an_error_summary_and_keeps_the_list(login, officer, loaded):
    response = login(officer).get(reverse("reference:legal_basis_list"), {"in_force_on": "31-02-2020", "kind": "crime"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Terdapat masalah" in html
    assert "Masukkan tanggal yang benar, misalnya 2026-11-27" in html
    assert '<a href="#id_in_force_on">' in html
    assert 'aria-invalid="true"' in html
    assert re.search(r"<title>\s*Kesalahan:", html)
    # the valid filter still applies
    assert {b.kind for b in _rows(response)} == {"crime"}


def test_pagination_50_rows_a_page(login, officer, loaded):
    client = login(officer)

    first = client.get(reverse("reference:office_list"))
    last = client.get(reverse("reference:office_list"), {"page": 3})
    filtered_page_2 = client.get(reverse("reference:country_list"), {"kind": "iso", "page": 2})

    assert len(_rows(first)) == 50
    assert len(_rows(last)) == 143 - 100
    assert "Halaman 3 dari 3" in last.content.decode()
    assert 'href="?kind=iso&amp;page=3"' in filtered_page_2.content.decode()
    assert {c.kind for c in _rows(filtered_page_2)} == {"iso"}


def test_sources_and_edit_links_only_for_users_who_may_correct(login, officer, administrator, loaded):
    officer_page = login(officer).get(reverse("reference:detention_centre_list"))
    admin_page = login(administrator).get(reverse("reference:detention_centre_list"))

    officer_html = officer_page.content.decode()
    admin_html = admin_page.content.decode()
    assert "Keyakinan:" in officer_html  # the confidence tag is for everyone
    assert "wikipedia.org" not in officer_html
    assert "/admin/" not in officer_html
    assert '<a href="https://id.m.wikipedia.org/wiki/Rumah_Detensi_Imigrasi" rel="noopener noreferrer">' in admin_html
    assert "/admin/reference/detentioncentre/" in admin_html
    # a non-http source is shown as text, never as a link
    office_html = login(administrator).get(reverse("reference:office_list"), {"q": "banda aceh"}).content.decode()
    assert "(public repository file)" in office_html
    assert 'href="public' not in office_html


def test_english_page_shows_english_names_first(login, officer, loaded):
    client = login(officer)
    client.cookies.load({"django_language": "en"})

    response = client.get(reverse("reference:detention_centre_list"), {"q": "medan"})

    html = response.content.decode()
    assert '<html lang="en">' in html
    assert '<span lang="en">Medan Immigration Detention Centre</span>' in html
    assert '<span class="small text-body-secondary" lang="id">Rumah Detensi Imigrasi Medan</span>' in html
    assert "1 row" in html
    assert "Apply filters" in html


def test_indonesian_is_the_default(login, officer, loaded):
    response = login(officer).get(reverse("reference:detention_centre_list"), {"q": "medan"})

    html = response.content.decode()
    assert '<span lang="id">Rumah Detensi Imigrasi Medan</span>' in html
    assert "1 baris" in html
    assert "Terapkan filter" in html


def test_pages_need_the_view_capability(client, login, auditor):
    anonymous = client.get(reverse("reference:index"))
    assert anonymous.status_code == 302
    assert "login" in anonymous["Location"]

    forbidden = login(auditor)
    for name in ("reference:index", *LIST_URLS):
        assert forbidden.get(reverse(name)).status_code == 403, name
