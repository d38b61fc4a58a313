"""The rules that build the second language's name."""

from __future__ import annotations

import pytest

from jembatan.reference.services import naming


@pytest.mark.parametrize(
    ("name_id", "office_class", "expected"),
    [
        ("Kantor Imigrasi Kelas I TPI Banda Aceh", "I TPI", "Banda Aceh Immigration Office (Class I TPI)"),
        ("Kantor Imigrasi Kelas I Khusus TPI Soekarno Hatta", "I Khusus TPI", "Soekarno Hatta Immigration Office (Class I Special TPI)"),
        ("Kantor Imigrasi Kelas III Non TPI Wakatobi", "III Non TPI", "Wakatobi Immigration Office (Class III Non TPI)"),
        ("Kantor Imigrasi Garut", "", "Garut Immigration Office"),
        ("Something else", "I TPI", "Something else"),
    ],
)
def test_office_name_en(name_id, office_class, expected):
    assert naming.office_name_en(name_id, office_class) == expected


def test_new_office_note_is_removed_from_the_name():
    raw = "Kantor Imigrasi Garut (new office, inaugurated Jan 2026; class not stated in sources)"
    assert naming.office_name_id(raw) == ("Kantor Imigrasi Garut", True)
    assert naming.office_name_id("Kantor Imigrasi Kelas I TPI Ambon") == ("Kantor Imigrasi Kelas I TPI Ambon", False)


@pytest.mark.parametrize(
    ("name_id", "expected"),
    [
        ("Rumah Detensi Imigrasi Medan", "Medan Immigration Detention Centre"),
        (
            "Rumah Detensi Imigrasi Tanjungpinang (Rudenim Pusat Tanjungpinang)",
            "Tanjungpinang Immigration Detention Centre (Rudenim Pusat Tanjungpinang)",
        ),
        ("Ruang Detensi Kanim Bogor", "Ruang Detensi Kanim Bogor"),
    ],
)
def test_detention_centre_name_en(name_id, expected):
    assert naming.detention_centre_name_en(name_id) == expected


@pytest.mark.parametrize(
    ("name", "kind", "expected"),
    [
        (
            "Soekarno-Hatta International Airport",
            "airport",
            ("Bandar Udara Internasional Soekarno-Hatta", "Soekarno-Hatta International Airport"),
        ),
        (
            "Raja Sisingamangaraja XII Airport (Silangit)",
            "airport",
            ("Bandar Udara Raja Sisingamangaraja XII (Silangit)", "Raja Sisingamangaraja XII Airport (Silangit)"),
        ),
        ("Pelabuhan Tanjung Priok", "seaport", ("Pelabuhan Tanjung Priok", "Tanjung Priok Port")),
        (
            "Pelabuhan Sekupang (international ferry terminal)",
            "seaport",
            ("Pelabuhan Sekupang (terminal feri internasional)", "Sekupang Port (international ferry terminal)"),
        ),
        ("Nongsa Terminal Bahari", "seaport", ("Nongsa Terminal Bahari", "Nongsa Terminal Bahari")),
        (
            "PLBN Skouw (Papua New Guinea border, opposite Wutung)",
            "land_border",
            ("PLBN Skouw (perbatasan Papua Nugini, seberang Wutung)", "PLBN Skouw (Papua New Guinea border, opposite Wutung)"),
        ),
    ],
)
def test_checkpoint_names(name, kind, expected):
    assert naming.checkpoint_names(name, kind) == expected


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        (
            {"sending_entity": "Japan", "mission_type": "embassy", "city": "Jakarta Pusat", "country_name_id": "Jepang"},
            ("Kedutaan Besar Jepang", "Embassy of Japan"),
        ),
        (
            {
                "sending_entity": "Netherlands",
                "mission_type": "honorary_consulate",
                "city": "Bali (city not stated)",
                "country_name_id": "Belanda",
            },
            ("Konsulat Kehormatan Belanda di Bali", "Honorary Consulate of the Netherlands in Bali"),
        ),
        (
            {
                "sending_entity": "United States",
                "mission_type": "consulate_general",
                "city": "Surabaya",
                "country_name_id": "Amerika Serikat",
            },
            ("Konsulat Jenderal Amerika Serikat di Surabaya", "Consulate-General of the United States in Surabaya"),
        ),
        (
            {
                "sending_entity": "ASEAN Secretariat",
                "mission_type": "international_organisation",
                "city": "Jakarta Selatan",
                "country_name_id": None,
            },
            ("Sekretariat ASEAN", "ASEAN Secretariat"),
        ),
        (
            {"sending_entity": "World Bank", "mission_type": "international_organisation", "city": "Jakarta", "country_name_id": None},
            ("World Bank", "World Bank"),
        ),
    ],
)
def test_mission_names(kwargs, expected):
    assert naming.mission_names(**kwargs) == expected


def test_country_short_name_prefers_the_common_name_unless_corrected():
    assert naming.country_short_name_id("IRN", "Iran, Republik Islam") == "Iran"
    assert naming.country_short_name_id("SYR", "Republik Arab Syria") == "Suriah"
    assert naming.country_short_name_id("JPN", "Jepang") == "Jepang"
    # an administrator's correction wins
    assert naming.country_short_name_id("SYR", "Republik Arab Suriah") == "Republik Arab Suriah"
