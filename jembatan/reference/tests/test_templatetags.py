"""Sources become links only when they are http(s) addresses."""

from __future__ import annotations

import datetime as dt

from django.utils import translation

from jembatan.reference.templatetags.reference_tags import confidence_tag, source_list, source_parts, validity
from jembatan.reference.tests.factories import DetentionCentreFactory


def test_source_parts_link_only_http_addresses():
    source = "https://example.go.id/a (KM 31/2024 list) ; github:jpatokal/openflights data/airports.dat ; javascript:alert(1) ; http:// ; public repository file"

    assert source_parts(source) == [
        ("https://example.go.id/a (KM 31/2024 list)", "https://example.go.id/a"),
        ("github:jpatokal/openflights data/airports.dat", None),
        ("javascript:alert(1)", None),
        ("http://", None),
        ("public repository file", None),
    ]


def test_source_list_escapes_text_and_counts_sources():
    with translation.override("en"):
        html = source_list('<b>bold</b> ; https://example.go.id/"x')

    assert "<summary>2 sources</summary>" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    assert 'href="https://example.go.id/&quot;x"' in html


def test_confidence_tag_is_text_first():
    with translation.override("id"):
        assert ">Keyakinan: </span>Rendah</span>" in confidence_tag("low")
    with translation.override("en"):
        assert ">Confidence: </span>High</span>" in confidence_tag("high")


def test_validity_says_when_a_row_is_no_longer_or_not_yet_in_force():
    past = DetentionCentreFactory.build(valid_from=None, valid_to=dt.date(2024, 10, 16))
    future = DetentionCentreFactory.build(valid_from=dt.date(2999, 1, 1), valid_to=None)
    open_ended = DetentionCentreFactory.build()

    with translation.override("en"):
        assert validity(past) == 'until 16 Oct 2024<br><span class="badge text-bg-secondary">No longer in force</span>'
        assert "Not yet in force" in validity(future)
        assert validity(open_ended) == "no end date"
