"""The home panel points administrators at low-confidence rows."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jembatan.reference.home import reference_review_panel
from jembatan.reference.models import Checkpoint, LegalBasis

pytestmark = pytest.mark.django_db


def test_administrators_see_low_confidence_counts_with_links(administrator, load_tables):
    load_tables("checkpoints", "legal_bases", "detention_centres")

    panel = reference_review_panel(administrator)

    assert panel is not None
    items = {item.label: item for item in panel.items}
    assert items["Tempat pemeriksaan imigrasi"].value == str(Checkpoint.objects.filter(confidence="low").count()) == "2"
    assert items["Tempat pemeriksaan imigrasi"].url == f"{reverse('reference:checkpoint_list')}?confidence=low"
    assert items["Dasar hukum"].value == str(LegalBasis.objects.filter(confidence="low").count())
    # detention centres are all high confidence: nothing to review there
    assert "Rumah detensi imigrasi" not in items


def test_panel_is_shown_on_the_home_page(login, administrator, load_tables):
    load_tables("checkpoints")

    html = login(administrator).get(reverse("home")).content.decode()

    assert "Data referensi yang perlu diperiksa" in html
    assert f"{reverse('reference:checkpoint_list')}?confidence=low" in html


def test_empty_panel_says_so(administrator):
    panel = reference_review_panel(administrator)

    assert panel is not None
    assert panel.items == []
    assert panel.empty_text == "Tidak ada baris data referensi dengan keyakinan rendah."


def test_users_who_cannot_correct_get_no_panel(officer, auditor):
    assert reference_review_panel(officer) is None
    assert reference_review_panel(auditor) is None
