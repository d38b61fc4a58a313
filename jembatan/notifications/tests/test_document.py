"""The bilingual notification document, rendered for real (WeasyPrint) and read back with
poppler's `pdftotext`/`pdffonts`."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest

from jembatan.cases.tests.factories import CaseFactory
from jembatan.notifications.dispatch import notification_facts
from jembatan.notifications.documents import RefusingURLFetcher, notification_pdf
from jembatan.notifications.models import Reason, Trigger
from jembatan.notifications.tests.factories import NotificationFactory, RightsAdviceFactory
from jembatan.people.tests.factories import IdentityDocumentFactory, PersonFactory
from jembatan.reference.tests.factories import CountryFactory, DetentionCentreFactory, ForeignMissionFactory

pytestmark = pytest.mark.django_db

WIT = dt.timezone(dt.timedelta(hours=9))


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "n.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True, text=True).stdout


def pdf_fonts(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "f.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout


def chinese_national_detained_in_jayapura():
    china = CountryFactory(code="CHN", name_en="China", name_id="Tiongkok")
    person = PersonFactory(surname="ZHANG", given_names="WEI", native_name="张伟", native_name_lang="zh-Hans", sex="M")
    IdentityDocumentFactory(person=person, issuing_state=china, number="E12345678", expires_on=dt.date(2031, 5, 1))
    centre = DetentionCentreFactory(
        code="RDN-JYP",
        name_id="Rumah Detensi Imigrasi Jayapura",
        name_en="Jayapura Immigration Detention Centre",
        time_zone="Asia/Jayapura",
    )
    case = CaseFactory(
        person=person,
        occurred_at=dt.datetime(2026, 11, 28, 23, 30, tzinfo=WIT),
        time_zone="Asia/Jayapura",
        detention_centre=centre,
        place_description="",
    )
    RightsAdviceFactory(case=case, informed_at=dt.datetime(2026, 11, 29, 0, 15, tzinfo=WIT), language="zh")
    mission = ForeignMissionFactory(
        country=china, name_en="Embassy of the People's Republic of China", name_id="Kedutaan Besar Republik Rakyat Tiongkok"
    )
    return NotificationFactory(case=case, country=china, mission=mission, time_zone="Asia/Jayapura", event_at=case.occurred_at)


def test_document_has_both_languages_the_letterhead_and_the_facts(tmp_path):
    n = chinese_national_detained_in_jayapura()

    text = pdf_text(notification_pdf(n), tmp_path)
    flat = " ".join(text.split())

    # Letterhead, title and reference, in both languages
    assert "KEMENTERIAN LUAR NEGERI REPUBLIK INDONESIA" in flat
    assert "DIREKTORAT JENDERAL PROTOKOL DAN KONSULER" in flat
    assert "Ministry of Foreign Affairs of the Republic of Indonesia" in flat
    assert "Notifikasi Kekonsuleran" in flat
    assert "Consular Notification" in flat
    assert n.reference in flat
    # Addressee
    assert "Kedutaan Besar Republik Rakyat Tiongkok" in flat
    assert "Embassy of the People's Republic of China" in flat
    # The facts
    assert "ZHANG WEI" in flat
    assert "张伟" in flat
    assert "Tiongkok" in flat
    assert "China" in flat
    assert "E12345678" in flat
    assert "Penahanan atau penangkapan" in flat
    assert "Detention or arrest" in flat
    assert "28 November 2026 pukul 23.30 WIT" in flat
    assert "28 November 2026 at 23:30 WIT" in flat
    assert "2026-11-28 14:30 UTC" in flat
    assert "Rumah Detensi Imigrasi Jayapura" in flat
    assert n.case.reference in flat
    # The consent statement, both languages
    assert "meminta agar perwakilan konsuler negaranya diberi tahu" in flat
    assert "asked for their consular post to be notified" in flat
    assert "Tidak tercatat penolakan terhadap kunjungan konsuler" in flat
    assert "No objection to consular visits has been recorded" in flat
    # Courtesy formulas and which text prevails
    assert "menyampaikan salam hormat" in flat
    assert "presents its compliments" in flat
    assert "the Indonesian text shall prevail" in flat


def test_chinese_and_arabic_names_are_set_in_fonts_that_have_their_glyphs(tmp_path):
    n = chinese_national_detained_in_jayapura()
    pdf = notification_pdf(n)
    fonts = pdf_fonts(pdf, tmp_path)
    assert "CJK" in fonts  # not tofu from a Latin-only font

    arab = CountryFactory(code="EGY", name_en="Egypt", name_id="Mesir")
    person = PersonFactory(surname="HASSAN", given_names="MOHAMED", native_name="محمد حسن", native_name_lang="ar")
    case = CaseFactory(person=person)
    n2 = NotificationFactory(case=case, country=arab)
    pdf2 = notification_pdf(n2)
    assert "Arabic" in pdf_fonts(pdf2, tmp_path)
    text = pdf_text(pdf2, tmp_path)
    # pdftotext gives Arabic letters back (in visual or logical order): all of them are there.
    assert set("محمدحسن") <= set(text)


def test_partial_date_of_birth_and_mandatory_basis(tmp_path):
    person = PersonFactory(birth_year=1979, birth_month=None, birth_day=None)
    case = CaseFactory(person=person)
    n = NotificationFactory(case=case, basis=Reason.MANDATORY)
    RightsAdviceFactory(case=case, answer="declined", objects_to_visits=True)

    facts = notification_facts(n)
    assert facts["person"]["birth_date"] == "1979-00-00"
    assert facts["consent"]["basis"] == "mandatory"
    assert facts["consent"]["informed_at_utc"] == ""  # the person's answer is not told
    text = " ".join(pdf_text(notification_pdf(n), tmp_path).split())
    assert "1979 / 1979" in text
    assert "persetujuan yang bersangkutan tidak diperlukan" in text
    assert "the person's consent is not required" in text
    assert "expressly objected to consular visits" in text
    assert "secara tegas menolak kunjungan konsuler" in text


def test_article_37_death_statement(tmp_path):
    n = NotificationFactory(trigger=Trigger.DEATH, basis=Reason.ARTICLE_37)
    text = " ".join(pdf_text(notification_pdf(n), tmp_path).split())
    assert "Kematian" in text
    assert "Death" in text
    assert "Article 37 of the Vienna Convention" in text


def test_the_renderer_fetches_no_url():
    with pytest.raises(ValueError, match="may not load"):
        RefusingURLFetcher().fetch("file:///etc/passwd")
    with pytest.raises(ValueError, match="may not load"):
        RefusingURLFetcher().fetch("http://169.254.169.254/latest/meta-data/")


def test_markup_in_a_name_is_text_not_html(tmp_path):
    person = PersonFactory(surname='<img src="file:///etc/passwd">EVIL', given_names="")
    n = NotificationFactory(case=CaseFactory(person=person))
    text = pdf_text(notification_pdf(n), tmp_path)
    assert '<img src="file:///etc/passwd">EVIL' in text
