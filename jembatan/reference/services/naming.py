"""How the loader names things in the language its source did not use.

The compiled CSVs give offices and detention centres an Indonesian name only, checkpoints
mostly an English one, and missions only the sending State. These rules build the other
language from the one given. Each rule recognises a fixed pattern; a name it does not
recognise is kept as written rather than guessed at, and an administrator can correct it
in the admin (the loader then leaves the corrected row alone).
"""

from __future__ import annotations

import gettext
import re
from functools import cache

import pycountry

# --- Countries ----------------------------------------------------------------------------

# Where pycountry's Indonesian catalogue differs from the name the Government of Indonesia
# uses officially. Kept deliberately short; every entry says why.
COUNTRY_NAME_ID_OVERRIDES = {
    # "Timor Timur" was the name of the Indonesian province (1976-1999); the independent
    # State is "Timor-Leste" in Indonesian official usage (Kemlu).
    "TLS": "Timor-Leste",
    # Keppres 12/2014 replaced "Cina" with "Tiongkok" for the People's Republic of China.
    "CHN": "Tiongkok",
}


@cache
def _iso3166_id() -> gettext.NullTranslations:
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["id"], fallback=True)


def country_name_id(country: object) -> str:
    """The Indonesian name of a pycountry country, from pycountry's bundled catalogue."""
    code = country.alpha_3  # type: ignore[attr-defined]
    if code in COUNTRY_NAME_ID_OVERRIDES:
        return COUNTRY_NAME_ID_OVERRIDES[code]
    return _iso3166_id().gettext(country.name)  # type: ignore[attr-defined]


def country_short_name_id(code: str, stored_name_id: str) -> str:
    """The Indonesian short name used inside a mission's name ("Kedutaan Besar Iran").

    ISO names are sometimes inverted or long ("Iran, Republik Islam", "Republik Arab Syria");
    where pycountry has a common name ("Iran", "Syria") its translation reads better inside a
    title ("Suriah"). A country name an administrator corrected is used as corrected, so the
    correction carries into its missions' names on the next load.
    """
    if code in COUNTRY_NAME_ID_OVERRIDES:
        return COUNTRY_NAME_ID_OVERRIDES[code]
    country = pycountry.countries.get(alpha_3=code)
    common = getattr(country, "common_name", None) if country else None
    if common and country is not None and stored_name_id == country_name_id(country):
        return _iso3166_id().gettext(common)
    return stored_name_id


# Indonesian names of the ICAO Doc 9303 special codes (the CSV's `meaning` is English).
ICAO_NAMES_ID = {
    "D": 'Jerman (ditulis "D<<" pada MRZ)',
    "GBD": "Warga Negara Wilayah Seberang Laut Britania (BOTC)",
    "GBN": "Warga Negara Britania (Seberang Laut) (BNO)",
    "GBO": "Warga Negara Seberang Laut Britania (BOC)",
    "GBP": "Orang yang dilindungi Britania (BPP)",
    "GBS": "Subjek Britania",
    "EUE": "Uni Eropa (penerbit laissez-passer UE)",
    "UNO": "Perserikatan Bangsa-Bangsa (pejabat PBB / laissez-passer PBB)",
    "UNA": "Badan khusus Perserikatan Bangsa-Bangsa (pejabat)",
    "UNK": "Penduduk Kosovo yang dokumen perjalanannya diterbitkan oleh UNMIK",
    "XBA": "Bank Pembangunan Afrika (AfDB)",
    "XIM": "Bank Ekspor-Impor Afrika (Afreximbank)",
    "XCC": "Masyarakat Karibia (CARICOM) atau utusannya",
    "XCE": "Dewan Eropa",
    "XCO": "Pasar Bersama Afrika Timur dan Selatan (COMESA)",
    "XDC": "Masyarakat Pembangunan Afrika Selatan (SADC)",
    "XEC": "Masyarakat Ekonomi Negara-Negara Afrika Barat (ECOWAS)",
    "XES": "Organisasi Negara-Negara Karibia Timur (OECS)",
    "XMP": "Majelis Parlemen Mediterania (PAM)",
    "XOM": "Ordo Militer Berdaulat Malta atau utusannya",
    "XPO": "Organisasi Polisi Kriminal Internasional (INTERPOL)",
    "XXA": "Orang tanpa kewarganegaraan (Konvensi 1954)",
    "XXB": "Pengungsi menurut Konvensi 1951 (diubah Protokol 1967)",
    "XXC": "Pengungsi selain yang dimaksud XXB",
    "XXX": "Kewarganegaraan tidak disebutkan",
    "UTO": "Utopia (negara fiktif, hanya pada dokumen contoh ICAO)",
    "RKS": "Republik Kosovo (kode pada paspor terbitan Kosovo)",
    "ANT": "Antillen Belanda (kode ISO yang telah dicabut; masih berlaku pada dokumen lama)",
    "NTZ": "Zona Netral (kode ISO yang telah dicabut; masih berlaku pada dokumen lama)",
    "IAO": "Organisasi Penerbangan Sipil Internasional (ICAO), hanya untuk master list",
}

# ICAO special codes every installation needs, whatever the CSV holds (domain.md §10.1).
# Used only when the CSV has no row for the code and the table has none either.
REQUIRED_ICAO_CODES: dict[str, tuple[str, str]] = {
    "XXA": ("Stateless person as defined in Article 1 of the 1954 Convention relating to the Status of Stateless Persons", ""),
    "XXB": ("Refugee as defined in Article 1 of the 1951 Convention relating to the Status of Refugees", ""),
    "XXC": ("Refugee other than those covered by XXB", ""),
    "XXX": ("Person of unspecified nationality", ""),
    "UTO": ("Utopia - fictitious State used only on ICAO specimen documents", ""),
    "D": ('Germany (written "D<<" in the MRZ)', "DEU"),
    "EUE": ("European Union (issuer of EU laissez-passer)", ""),
    "UNO": ("United Nations Organization (UN officials / UN laissez-passer)", ""),
}

# --- Immigration offices and detention centres -------------------------------------------

_NEW_OFFICE_NOTE = re.compile(r"\s*\(new office\b[^)]*\)")


def office_name_id(raw: str) -> tuple[str, bool]:
    """The office's Indonesian name without the compiler's English note, and whether the note
    marked it as a new (January 2026) office."""
    cleaned = _NEW_OFFICE_NOTE.sub("", raw).strip()
    return cleaned, cleaned != raw.strip()


def office_name_en(name_id: str, office_class: str) -> str:
    """ "Kantor Imigrasi Kelas I TPI Banda Aceh" → "Banda Aceh Immigration Office (Class I TPI)".

    `Khusus` becomes "Special"; TPI (Tempat Pemeriksaan Imigrasi, the office runs a
    checkpoint) is kept as the abbreviation officers use in both languages.
    """
    if office_class:
        prefix = f"Kantor Imigrasi Kelas {office_class} "
        if name_id.startswith(prefix):
            place = name_id[len(prefix) :].strip()
            return f"{place} Immigration Office (Class {office_class.replace('Khusus', 'Special')})"
    if name_id.startswith("Kantor Imigrasi "):
        return f"{name_id[len('Kantor Imigrasi ') :].strip()} Immigration Office"
    return name_id


_PLACE_AND_NOTE = re.compile(r"^(?P<place>[^(]+?)\s*(?P<note>\(.*\))?$")


def detention_centre_name_en(name_id: str) -> str:
    """ "Rumah Detensi Imigrasi Medan" → "Medan Immigration Detention Centre"; a parenthesised
    Indonesian alias ("(Rudenim Pusat Tanjungpinang)") is kept after the English name."""
    prefix = "Rumah Detensi Imigrasi "
    if not name_id.startswith(prefix):
        return name_id
    match = _PLACE_AND_NOTE.match(name_id[len(prefix) :].strip())
    if not match:
        return name_id
    note = f" {match['note']}" if match["note"] else ""
    return f"{match['place']} Immigration Detention Centre{note}"


# --- Checkpoints --------------------------------------------------------------------------

_AIRPORT = re.compile(r"^(?P<name>.+?) (?P<intl>International )?Airport(?P<rest>\s*\(.*\))?$")
_PORT = re.compile(r"^Pelabuhan (?P<name>.+)$")
_BORDER_NOTE = re.compile(
    r"\((?P<country>Malaysia/Sabah|Malaysia/Sarawak|Malaysia|Timor-Leste|Papua New Guinea) border"
    r"(?:, (?:opposite (?P<opposite>[^,)]+)|(?P<other>[^,)]+)))?\)"
)
_COUNTRIES_ID = {"Papua New Guinea": "Papua Nugini"}
_NOTES_ID = {
    "(international ferry terminal)": "(terminal feri internasional)",
    "(sea border post)": "(pos lintas batas laut)",
}


def _border_note_id(match: re.Match[str]) -> str:
    country = _COUNTRIES_ID.get(match["country"], match["country"])
    if match["opposite"]:
        return f"(perbatasan {country}, seberang {match['opposite']})"
    if match["other"]:
        return f"(perbatasan {country}, {match['other']})"
    return f"(perbatasan {country})"


def checkpoint_names(name: str, kind: str) -> tuple[str, str]:
    """(name_id, name_en) of a checkpoint from the CSV's one name and its kind.

    - Airports are named in English in the CSV: "X International Airport (Y)" becomes
      "Bandar Udara Internasional X (Y)" and "X Airport" "Bandar Udara X".
    - Seaports are mostly named in Indonesian ("Pelabuhan X (note)"): the English name is
      "X Port (note)"; the two English notes the file uses are translated for Indonesian.
    - Land posts are "PLBN X (<country> border, …)": PLBN (Pos Lintas Batas Negara) is kept
      in both languages and the border note is translated.
    Anything else (a terminal's proper name such as "Nongsa Terminal Bahari", "TPI Sampit")
    has no safe rule and is kept as written in both languages.
    """
    name = name.strip()
    if kind == "airport":
        match = _AIRPORT.match(name)
        if match:
            intl = "Internasional " if match["intl"] else ""
            return f"Bandar Udara {intl}{match['name']}{match['rest'] or ''}", name
        return name, name
    if kind == "seaport":
        name_id = name
        for en, id_ in _NOTES_ID.items():
            name_id = name_id.replace(en, id_)
        match = _PORT.match(name)
        if not match:
            return name_id, name
        parts = _PLACE_AND_NOTE.match(match["name"])
        if not parts:
            return name_id, name
        note = f" {parts['note']}" if parts["note"] else ""
        return name_id, f"{parts['place']} Port{note}"
    if kind == "land_border":
        return _BORDER_NOTE.sub(_border_note_id, name), name
    return name, name


# --- Foreign missions ---------------------------------------------------------------------

# English country names that read with "the" inside a title ("Embassy of the Netherlands").
_WITH_ARTICLE = ("United ", "Republic of ", "Dominican Republic", "Central African", "Czech Republic", "Holy See")
_WITH_ARTICLE_EXACT = {"Netherlands", "Philippines", "Bahamas", "Maldives", "Gambia", "Comoros", "Seychelles"}

_MISSION_WORDS = {
    # mission_type: (English title, Indonesian title)
    "embassy": ("Embassy of {en}", "Kedutaan Besar {id}"),
    "consulate_general": ("Consulate-General of {en} in {city}", "Konsulat Jenderal {id} di {city}"),
    "consulate": ("Consulate of {en} in {city}", "Konsulat {id} di {city}"),
    "honorary_consulate": ("Honorary Consulate of {en} in {city}", "Konsulat Kehormatan {id} di {city}"),
    "representative_office": ("Representative Office of {en} in {city}", "Kantor Perwakilan {id} di {city}"),
}

# Named posts whose title is not "<type> of <State>". Keyed by (sending entity, type).
_SPECIAL_MISSIONS = {
    ("Holy See (Vatican)", "embassy"): ("Apostolic Nunciature (Holy See)", "Kedutaan Besar Takhta Suci Vatikan (Nunsiatura Apostolik)"),
    ("Taiwan", "representative_office"): (
        "Taipei Economic and Trade Office (TETO) in {city}",
        "Kantor Dagang dan Ekonomi Taipei (TETO) di {city}",
    ),
}

# International organisations: the CSV names them in English; these are their usual
# Indonesian names. An organisation not listed keeps its English name in both languages.
_ORGANISATIONS_ID = {
    "European Union": ("Delegation of the European Union to Indonesia", "Delegasi Uni Eropa untuk Indonesia"),
    "ASEAN Secretariat": ("ASEAN Secretariat", "Sekretariat ASEAN"),
    "United Nations (Resident Coordinator Office; UNDP)": (
        "United Nations (Resident Coordinator Office; UNDP)",
        "Perserikatan Bangsa-Bangsa (Kantor Koordinator Residen; UNDP)",
    ),
    "UNHCR (UN Refugee Agency), Representation in Indonesia": (
        "UNHCR (UN Refugee Agency), Representation in Indonesia",
        "UNHCR (Badan PBB untuk Pengungsi), Perwakilan di Indonesia",
    ),
    "IOM (International Organization for Migration), Indonesia mission": (
        "IOM (International Organization for Migration), Indonesia mission",
        "IOM (Organisasi Internasional untuk Migrasi), Misi Indonesia",
    ),
    "ICRC (International Committee of the Red Cross), regional delegation": (
        "ICRC (International Committee of the Red Cross), regional delegation",
        "ICRC (Komite Internasional Palang Merah), Delegasi Regional",
    ),
}

_CITY_NOTE = re.compile(r"\s*\(.*\)$")


def _with_article(name_en: str) -> str:
    if name_en in _WITH_ARTICLE_EXACT or name_en.startswith(_WITH_ARTICLE) or name_en.endswith(" Islands"):
        return f"the {name_en}"
    return name_en


def mission_names(*, sending_entity: str, mission_type: str, city: str, country_name_id: str | None) -> tuple[str, str]:
    """(name_id, name_en): "Kedutaan Besar Jepang"/"Embassy of Japan",
    "Konsulat Jenderal Jepang di Surabaya"/"Consulate-General of Japan in Surabaya"."""
    city_name = _CITY_NOTE.sub("", city).strip() or city
    if mission_type == "international_organisation":
        name_en, name_id = _ORGANISATIONS_ID.get(sending_entity, (sending_entity, sending_entity))
        return name_id, name_en
    special = _SPECIAL_MISSIONS.get((sending_entity, mission_type))
    if special:
        return special[1].format(city=city_name), special[0].format(city=city_name)
    template_en, template_id = _MISSION_WORDS[mission_type]
    values = {"en": _with_article(sending_entity), "id": country_name_id or sending_entity, "city": city_name}
    return template_id.format(**values), template_en.format(**values)
