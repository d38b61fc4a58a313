"""Fixed bilingual (Indonesian, English) wording of the notification document and e-mail.

A notice to a mission is always in both languages, whatever the language of the officer who
dispatches it, so its wording is kept here as pairs rather than looked up in the active
translation catalogue. Each entry is `(Indonesian, English)`.
"""

from __future__ import annotations

import datetime as dt

Pair = tuple[str, str]

MINISTRY: Pair = ("Kementerian Luar Negeri Republik Indonesia", "Ministry of Foreign Affairs of the Republic of Indonesia")
DIRECTORATE_GENERAL: Pair = ("Direktorat Jenderal Protokol dan Konsuler", "Directorate General of Protocol and Consular Affairs")
MINISTRY_ADDRESS = "Jalan Taman Pejambon No. 6, Jakarta Pusat 10110"
MINISTRY_CITY = "Jakarta"
# Which text prevails if the two differ: the consular directorate's decision (UX.md §2).
PREVAILING_TEXT: Pair = (
    "Apabila terdapat perbedaan penafsiran, teks dalam bahasa Indonesia yang berlaku.",
    "In case of divergence of interpretation, the Indonesian text shall prevail.",
)
TITLE: Pair = ("Notifikasi Kekonsuleran", "Consular Notification")

TRIGGERS: dict[str, Pair] = {
    "detention": ("Penahanan atau penangkapan", "Detention or arrest"),
    "administrative_action": ("Tindakan administratif keimigrasian", "Immigration administrative action"),
    "deportation": ("Pendeportasian", "Deportation"),
    "conviction": ("Putusan pidana", "Criminal conviction"),
    "transfer": ("Pemindahan tempat penahanan", "Transfer between places of detention"),
    "serious_illness": ("Sakit berat", "Serious illness"),
    "release": ("Pembebasan", "Release"),
    "death": ("Kematian", "Death"),
    "guardianship": ("Perwalian anak atau orang yang tidak cakap", "Guardianship of a minor or incapacitated person"),
    "wreck_or_air_accident": ("Kecelakaan kapal atau pesawat udara", "Wreck or air accident"),
}

SEXES: dict[str, Pair] = {"M": ("Laki-laki", "Male"), "F": ("Perempuan", "Female"), "X": ("Tidak disebutkan", "Unspecified")}

DOCUMENT_TYPES: dict[str, Pair] = {
    "P": ("Paspor", "Passport"),
    "ID": ("Kartu identitas", "Identity card"),
    "TD": ("Dokumen perjalanan", "Travel document"),
    "OT": ("Dokumen lain", "Other document"),
}

# The consent statement, by the basis of the notification (never the reason for holding one
# back: a notification exists only when the decision was to notify).
CONSENT: dict[str, Pair] = {
    "requested": (
        "Yang bersangkutan telah diberi tahu tentang haknya berdasarkan Pasal 36 ayat (1) huruf b Konvensi Wina "
        "tentang Hubungan Konsuler 1963 dan meminta agar perwakilan konsuler negaranya diberi tahu.",
        "The person was informed of their rights under Article 36(1)(b) of the Vienna Convention on Consular "
        "Relations 1963 and asked for their consular post to be notified.",
    ),
    "mandatory": (
        "Notifikasi ini wajib disampaikan berdasarkan perjanjian konsuler bilateral; persetujuan yang bersangkutan tidak diperlukan.",
        "This notification is made under a bilateral consular agreement that makes notification mandatory; "
        "the person's consent is not required.",
    ),
    "article_37": (
        "Notifikasi ini disampaikan berdasarkan Pasal 37 Konvensi Wina tentang Hubungan Konsuler 1963; persetujuan tidak diperlukan.",
        "This notification is made under Article 37 of the Vienna Convention on Consular Relations 1963; consent is not required.",
    ),
    "other": (
        "Notifikasi ini disampaikan berdasarkan Konvensi Wina tentang Hubungan Konsuler 1963.",
        "This notification is made under the Vienna Convention on Consular Relations 1963.",
    ),
}
INFORMED_AT: Pair = ("Diberi tahu tentang haknya pada", "Informed of their rights on")
VISITS_OBJECTED: Pair = (
    "Yang bersangkutan secara tegas menolak kunjungan konsuler (Pasal 36 ayat (1) huruf c).",
    "The person has expressly objected to consular visits (Article 36(1)(c)).",
)
VISITS_NOT_OBJECTED: Pair = (
    "Tidak tercatat penolakan terhadap kunjungan konsuler.",
    "No objection to consular visits has been recorded.",
)

CONSULAR_DESK: Pair = ("Direktorat Konsuler", "Directorate of Consular Affairs")

MONTHS_ID = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember")
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December")


def pair(table: dict[str, Pair], key: str) -> dict[str, str]:
    """`{"id": …, "en": …}` for `key`, the key itself in both when unknown."""
    found = table.get(key, (key, key))
    return {"id": found[0], "en": found[1]}


def long_date(day: dt.date, lang: str) -> str:
    """28 November 2026 in either language (the same order in both)."""
    months = MONTHS_ID if lang == "id" else MONTHS_EN
    return f"{day.day} {months[day.month - 1]} {day.year}"


def partial_birth_date(year: int | None, month: int | None, day: int | None, lang: str) -> str:
    """A date of birth that may be partial: `14 Maret 1985`, `Maret 1985`, `1985`, or ``."""
    if not year:
        return ""
    months = MONTHS_ID if lang == "id" else MONTHS_EN
    if month and day:
        return f"{day} {months[month - 1]} {year}"
    if month:
        return f"{months[month - 1]} {year}"
    return str(year)
