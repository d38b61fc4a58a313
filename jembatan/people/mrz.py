"""ICAO Doc 9303 machine-readable zones: check digits, composing and parsing TD1, TD2, TD3.

Own code rather than the `mrz` package (GPLv3, unmaintained since 2020: STACK.md §1.1).
Field positions follow Doc 9303 Parts 4 (TD3), 5 (TD1) and 6 (TD2).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

MRZ_CHARS = re.compile(r"^[A-Z0-9<]+$")
WEIGHTS = (7, 3, 1)


class MrzError(ValueError):
    """An MRZ that cannot be accepted. `field` names the MRZ field at fault."""

    def __init__(self, field: str, message_en: str, message_id: str) -> None:
        super().__init__(f"{field}: {message_en}")
        self.field = field
        self.message_en = message_en
        self.message_id = message_id


def char_value(c: str) -> int:
    if c.isdigit():
        return ord(c) - 48
    if "A" <= c <= "Z":
        return ord(c) - 55
    if c == "<":
        return 0
    raise ValueError(f"invalid MRZ character {c!r}")


def check_digit(data: str) -> str:
    """The 7-3-1 weighted check digit of `data` (ICAO 9303-3 §4.9)."""
    return str(sum(char_value(c) * WEIGHTS[i % 3] for i, c in enumerate(data)) % 10)


def pad(value: str, length: int) -> str:
    if len(value) > length:
        raise ValueError(f"{value!r} is longer than {length}")
    return value + "<" * (length - len(value))


def to_mrz_name_part(text: str) -> str:
    """Upper-case Latin letters with `<` for spaces and hyphens; other characters dropped."""
    from anyascii import anyascii

    ascii_text = anyascii(text).upper()
    ascii_text = re.sub(r"[\s\-]+", "<", ascii_text)
    return re.sub(r"[^A-Z<]", "", ascii_text)


def name_field(surname: str, given_names: str, length: int) -> str:
    value = to_mrz_name_part(surname)
    if given_names:
        value += "<<" + to_mrz_name_part(given_names)
    return pad(value[:length], length)


def yymmdd(date: dt.date) -> str:
    return date.strftime("%y%m%d")


@dataclass(frozen=True)
class MrzData:
    """What an MRZ says, decoded. Dates are full dates; unknown parts of a birth date
    (`<<` in the MRZ) leave `birth_date` None and keep the raw `birth_date_raw`."""

    format: str  # TD1, TD2, TD3
    document_code: str
    issuing_state: str
    surname: str
    given_names: str
    document_number: str
    nationality: str
    birth_date: dt.date | None
    birth_date_raw: str
    sex: str  # M, F, X
    expiry_date: dt.date | None
    optional_data: str = ""
    lines: tuple[str, ...] = field(default_factory=tuple)


def compose_td3(
    *,
    document_code: str = "P",
    issuing_state: str,
    surname: str,
    given_names: str,
    document_number: str,
    nationality: str,
    birth_date: dt.date,
    sex: str,
    expiry_date: dt.date,
    optional_data: str = "",
) -> tuple[str, str]:
    """Compose the two 44-character lines of a passport (TD3) MRZ with valid check digits."""
    line1 = pad(document_code, 2) + pad(issuing_state, 3) + name_field(surname, given_names, 39)
    doc = pad(document_number, 9)
    opt = pad(optional_data, 14)
    dob = yymmdd(birth_date)
    exp = yymmdd(expiry_date)
    opt_cd = check_digit(opt) if optional_data else "<"
    body = doc + check_digit(doc) + pad(nationality, 3) + dob + check_digit(dob) + sex + exp + check_digit(exp) + opt + opt_cd
    composite = check_digit(body[0:10] + body[13:20] + body[21:43])
    line2 = body + composite
    assert len(line1) == 44 and len(line2) == 44
    return line1, line2


def _parse_date(raw: str, *, field_name: str, future: bool) -> dt.date | None:
    if "<" in raw:
        return None
    if not raw.isdigit():
        raise MrzError(field_name, "must be a date written YYMMDD", "harus tanggal dengan format YYMMDD")
    yy, mm, dd = int(raw[:2]), int(raw[2:4]), int(raw[4:])
    today = dt.date.today()
    century = 2000 if (yy + 2000 <= today.year + (20 if future else 0)) else 1900
    try:
        return dt.date(century + yy, mm, dd)
    except ValueError:
        raise MrzError(field_name, "is not a real calendar date", "bukan tanggal yang ada di kalender") from None


def _check(data: str, digit: str, field_name: str, *, optional: bool = False) -> None:
    if optional and digit == "<" and set(data) <= {"<"}:
        return
    if digit != check_digit(data):
        raise MrzError(
            field_name,
            f"check digit is wrong (expected {check_digit(data)}, found {digit})",
            f"digit pemeriksa salah (seharusnya {check_digit(data)}, tertulis {digit})",
        )


def _split_name(raw: str) -> tuple[str, str]:
    surname, _, given = raw.partition("<<")
    return surname.replace("<", " ").strip(), given.replace("<", " ").strip()


def normalise_lines(text: str) -> list[str]:
    """Split pasted or scanned MRZ text into lines, dropping blanks and spaces."""
    return [line.strip().replace(" ", "").upper() for line in text.strip().splitlines() if line.strip()]


def parse(text: str, *, known_codes: set[str] | None = None) -> MrzData:
    """Parse and validate a TD1, TD2 or TD3 MRZ; raise `MrzError` naming the bad field.

    `known_codes` (nationality and issuing-state codes from reference data) is checked when
    given; Germany's `D` is written `D<<` in the MRZ and compared as `D`.
    """
    lines = normalise_lines(text)
    lengths = [len(line) for line in lines]
    if lengths == [44, 44]:
        fmt = "TD3"
    elif lengths == [36, 36]:
        fmt = "TD2"
    elif lengths == [30, 30, 30]:
        fmt = "TD1"
    else:
        raise MrzError(
            "format",
            "must be 2 lines of 44 (passport), 2 of 36 (TD2) or 3 of 30 characters (ID card)",
            "harus 2 baris 44 karakter (paspor), 2 baris 36 (TD2) atau 3 baris 30 karakter (kartu identitas)",
        )
    for i, line in enumerate(lines, start=1):
        if not MRZ_CHARS.match(line):
            raise MrzError(f"line {i}", "may contain only A–Z, 0–9 and <", "hanya boleh berisi A–Z, 0–9 dan <")

    if fmt == "TD1":
        l1, l2, l3 = lines
        code, issuer = l1[0:2], l1[2:5]
        doc, doc_cd, opt1 = l1[5:14], l1[14], l1[15:30]
        dob, dob_cd, sex, exp, exp_cd, nat, opt2, comp = l2[0:6], l2[6], l2[7], l2[8:14], l2[14], l2[15:18], l2[18:29], l2[29]
        surname, given = _split_name(l3)
        _check(doc, doc_cd, "document_number")
        _check(dob, dob_cd, "birth_date")
        _check(exp, exp_cd, "expiry_date")
        _check(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29], comp, "composite")
        optional = (opt1 + opt2).strip("<")
    else:
        l1, l2 = lines
        code, issuer = l1[0:2], l1[2:5]
        surname, given = _split_name(l1[5:])
        doc, doc_cd, nat = l2[0:9], l2[9], l2[10:13]
        dob, dob_cd, sex, exp, exp_cd = l2[13:19], l2[19], l2[20], l2[21:27], l2[27]
        _check(doc, doc_cd, "document_number")
        _check(dob, dob_cd, "birth_date")
        _check(exp, exp_cd, "expiry_date")
        if fmt == "TD3":
            opt, opt_cd, comp = l2[28:42], l2[42], l2[43]
            _check(opt, opt_cd, "optional_data", optional=True)
            _check(l2[0:10] + l2[13:20] + l2[21:43], comp, "composite")
        else:
            opt, comp = l2[28:35], l2[35]
            _check(l2[0:10] + l2[13:20] + l2[21:35], comp, "composite")
        optional = opt.strip("<")

    if code[0] not in "PIACV":
        raise MrzError("document_code", "must start with P, I, A, C or V", "harus diawali P, I, A, C atau V")
    if sex not in "MFX<":
        raise MrzError("sex", "must be M, F or <", "harus M, F atau <")
    issuer_code, nat_code = issuer.strip("<"), nat.strip("<")
    if known_codes is not None:
        if issuer_code not in known_codes:
            raise MrzError("issuing_state", f"code {issuer!r} is not a known ICAO/ISO code", f"kode {issuer!r} tidak dikenal")
        if nat_code not in known_codes:
            raise MrzError("nationality", f"code {nat!r} is not a known ICAO/ISO code", f"kode {nat!r} tidak dikenal")
    return MrzData(
        format=fmt,
        document_code=code.strip("<"),
        issuing_state=issuer_code,
        surname=surname,
        given_names=given,
        document_number=doc.strip("<"),
        nationality=nat_code,
        birth_date=_parse_date(dob, field_name="birth_date", future=False),
        birth_date_raw=dob,
        sex="X" if sex == "<" else sex,
        expiry_date=_parse_date(exp, field_name="expiry_date", future=True),
        optional_data=optional,
        lines=tuple(lines),
    )
