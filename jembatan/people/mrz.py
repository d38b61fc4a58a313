"""ICAO Doc 9303 machine-readable zones: check digits, composing and parsing TD1, TD2, TD3
and machine-readable visas (MRV-A, MRV-B).

Own code rather than the `mrz` package (GPLv3, unmaintained since 2020: STACK.md §1.1).
Field positions follow Doc 9303 Parts 4 (TD3), 5 (TD1), 6 (TD2) and 7 (visas); the
summary is in `domain.md` §10.1.

What a check digit can and cannot prove: the 7-3-1 weighted sum modulo 10 catches every
single-character substitution whose character values differ by anything other than a
multiple of 10, so `0`→`A` (0→10), `A`→`K` (10→20) or `<`→`0` (both 0) pass unnoticed.
A valid MRZ is arithmetically consistent, not authentic; line 1 (names) is unprotected.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

MRZ_CHARS = re.compile(r"^[A-Z0-9<]+$")
FIELD_CHARS = re.compile(r"^[A-Z0-9<]*$")
WEIGHTS = (7, 3, 1)
# Two-digit expiry years up to this many years ahead are read as 20xx (documents are valid
# for at most ten years; long-lived identity cards fit too); further ahead means 19xx.
EXPIRY_YEARS_AHEAD = 30


class MrzError(ValueError):
    """An MRZ that cannot be accepted. `field` names the MRZ field at fault."""

    def __init__(self, field: str, message_en: str, message_id: str) -> None:
        super().__init__(f"{field}: {message_en}")
        self.field = field
        self.message_en = message_en
        self.message_id = message_id


def char_value(c: str) -> int:
    """The value of one MRZ character: digits 0–9, A–Z 10–35, filler 0 (Doc 9303-3 §4.9)."""
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


# Doc 9303 Part 3 §6 recommended transliterations where a letter does not simply lose its
# diacritic (Latin) or where ICAO differs from a generic romanisation (Cyrillic). Everything
# else goes through anyascii.
ICAO_TRANSLITERATIONS = {
    "Ä": "AE",
    "Å": "AA",
    "Æ": "AE",
    "Ð": "D",
    "Ö": "OE",
    "Ø": "OE",
    "Ü": "UE",
    "Þ": "TH",
    "Œ": "OE",
    "Ĳ": "IJ",
    "ẞ": "SS",
    "Ё": "E",
    "Ж": "ZH",
    "Й": "I",
    "Х": "KH",
    "Ц": "TS",
    "Ч": "CH",
    "Ш": "SH",
    "Щ": "SHCH",
    "Ъ": "IE",
    "Ы": "Y",
    "Ь": "",
    "Э": "E",
    "Ю": "IU",
    "Я": "IA",
    "Є": "IE",
    "І": "I",
    "Ї": "I",
    "Ґ": "G",
}


def to_mrz_name_part(text: str) -> str:
    """Upper-case Latin letters with `<` for spaces and hyphens; other characters dropped.

    Apostrophes and other punctuation are omitted, `Ü`→`UE`, `Ø`→`OE`, `Я`→`IA` and the
    rest of Doc 9303 Part 3's table apply, other scripts go through anyascii, and
    separators never start or end a part.
    """
    from anyascii import anyascii

    upper = "".join(ICAO_TRANSLITERATIONS.get(c, c) for c in text.upper())
    ascii_text = anyascii(upper).upper()
    ascii_text = re.sub(r"[\s\-]+", "<", ascii_text)
    ascii_text = re.sub(r"[^A-Z<]", "", ascii_text)
    return re.sub(r"<{2,}", "<", ascii_text).strip("<")


def name_field(surname: str, given_names: str, length: int) -> str:
    value = to_mrz_name_part(surname)
    given = to_mrz_name_part(given_names)
    if given:
        value += "<<" + given
    return pad(value[:length].rstrip("<") if len(value) > length else value, length)


def yymmdd(date: dt.date | str) -> str:
    """A date as YYMMDD; a six-character string passes through (`85<<<<` for a year only)."""
    if isinstance(date, str):
        if len(date) != 6 or not FIELD_CHARS.match(date):
            raise ValueError(f"{date!r} is not a YYMMDD date with optional < for unknown parts")
        return date
    return date.strftime("%y%m%d")


@dataclass(frozen=True)
class MrzData:
    """What an MRZ says, decoded. Dates are full dates; unknown parts of a birth date
    (`<<` in the MRZ) leave `birth_date` None and keep the raw `birth_date_raw`.

    `optional_data` is the optional field of the line that has one (TD3 personal number,
    TD1 line 1 after any document-number extension); TD1 has a second optional field on
    line 2, `optional_data_2`.
    """

    format: str  # TD1, TD2, TD3, MRVA, MRVB
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
    optional_data_2: str = ""
    lines: tuple[str, ...] = field(default_factory=tuple)


def _code_field(value: str, name: str) -> str:
    value = value.upper()
    if not re.fullmatch(r"[A-Z]{1,3}", value):
        raise ValueError(f"{name} must be 1–3 letters, not {value!r}")
    return pad(value, 3)


def _number_field(value: str) -> str:
    value = value.upper().replace(" ", "")
    if not re.fullmatch(r"[A-Z0-9]+", value):
        raise ValueError(f"document number must be letters and digits, not {value!r}")
    return value


def _optional_field(value: str, length: int) -> str:
    value = re.sub(r"[\s\-]", "<", value.upper())
    if not FIELD_CHARS.match(value):
        raise ValueError(f"optional data must be letters, digits and <, not {value!r}")
    return pad(value, length)


def _sex_field(sex: str) -> str:
    sex = sex.upper()
    if sex in ("X", "<", ""):
        return "<"  # Doc 9303: unspecified is the filler in the MRZ (X appears only in the VIZ)
    if sex not in ("M", "F"):
        raise ValueError(f"sex must be M, F or X, not {sex!r}")
    return sex


def _document_code(code: str) -> str:
    code = code.upper()
    if not re.fullmatch(r"[A-Z][A-Z<]?", code):
        raise ValueError(f"document code must be one or two letters, not {code!r}")
    return pad(code, 2)


def compose_td3(
    *,
    document_code: str = "P",
    issuing_state: str,
    surname: str,
    given_names: str,
    document_number: str,
    nationality: str,
    birth_date: dt.date | str,
    sex: str,
    expiry_date: dt.date | str,
    optional_data: str = "",
) -> tuple[str, str]:
    """Compose the two 44-character lines of a passport (TD3) MRZ with valid check digits.

    Names go through `to_mrz_name_part` (transliterated, upper-cased) and are truncated to
    the 39 positions of line 1. The document number must fit in nine characters.
    """
    doc = _number_field(document_number)
    if len(doc) > 9:
        raise ValueError("a TD3 document number has at most 9 characters")
    line1 = _document_code(document_code) + _code_field(issuing_state, "issuing_state") + name_field(surname, given_names, 39)
    doc = pad(doc, 9)
    opt = _optional_field(optional_data, 14)
    dob = yymmdd(birth_date)
    exp = yymmdd(expiry_date)
    opt_cd = check_digit(opt) if opt.strip("<") else "<"
    body = (
        doc
        + check_digit(doc)
        + _code_field(nationality, "nationality")
        + dob
        + check_digit(dob)
        + _sex_field(sex)
        + exp
        + check_digit(exp)
        + opt
        + opt_cd
    )
    composite = check_digit(body[0:10] + body[13:20] + body[21:43])
    line2 = body + composite
    assert len(line1) == len(line2) == 44
    return line1, line2


def _long_number(doc: str) -> tuple[str, str]:
    """Document-number field and extension for TD1/TD2 (Doc 9303-5 §4.2.2 note j).

    Up to nine characters: the number padded, its check digit, no extension. Longer: the
    first nine characters, `<` in the check-digit position, and the rest of the number
    followed by its check digit and a filler at the start of the optional data.
    """
    if len(doc) <= 9:
        padded = pad(doc, 9)
        return padded + check_digit(padded), ""
    return doc[:9] + "<", doc[9:] + check_digit(doc) + "<"


def compose_td1(
    *,
    document_code: str = "I",
    issuing_state: str,
    surname: str,
    given_names: str,
    document_number: str,
    nationality: str,
    birth_date: dt.date | str,
    sex: str,
    expiry_date: dt.date | str,
    optional_data: str = "",
    optional_data_2: str = "",
) -> tuple[str, str, str]:
    """Compose the three 30-character lines of an identity card (TD1) MRZ."""
    doc_part, extension = _long_number(_number_field(document_number))
    line1 = _document_code(document_code) + _code_field(issuing_state, "issuing_state") + doc_part
    line1 += _optional_field(extension + optional_data, 15)
    dob = yymmdd(birth_date)
    exp = yymmdd(expiry_date)
    line2 = dob + check_digit(dob) + _sex_field(sex) + exp + check_digit(exp) + _code_field(nationality, "nationality")
    line2 += _optional_field(optional_data_2, 11)
    line2 += check_digit(line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29])
    line3 = name_field(surname, given_names, 30)
    assert len(line1) == len(line2) == len(line3) == 30
    return line1, line2, line3


def compose_td2(
    *,
    document_code: str = "I",
    issuing_state: str,
    surname: str,
    given_names: str,
    document_number: str,
    nationality: str,
    birth_date: dt.date | str,
    sex: str,
    expiry_date: dt.date | str,
    optional_data: str = "",
) -> tuple[str, str]:
    """Compose the two 36-character lines of a TD2 MRZ."""
    doc_part, extension = _long_number(_number_field(document_number))
    line1 = _document_code(document_code) + _code_field(issuing_state, "issuing_state") + name_field(surname, given_names, 31)
    dob = yymmdd(birth_date)
    exp = yymmdd(expiry_date)
    body = doc_part + _code_field(nationality, "nationality") + dob + check_digit(dob) + _sex_field(sex) + exp + check_digit(exp)
    body += _optional_field(extension + optional_data, 7)
    line2 = body + check_digit(body[0:10] + body[13:20] + body[21:35])
    assert len(line1) == len(line2) == 36
    return line1, line2


def _parse_date(raw: str, *, field_name: str, future: bool, today: dt.date) -> dt.date | None:
    """Read YYMMDD; two-digit years resolve to the past for births, near future for expiry."""
    if "<" in raw:
        if not re.fullmatch(r"(?:[0-9]{2}(?:[0-9]{2}|<<)<<|<{6})", raw):
            raise MrzError(field_name, "must be a date written YYMMDD", "harus tanggal dengan format YYMMDD")
        return None
    if not raw.isdigit():
        raise MrzError(field_name, "must be a date written YYMMDD", "harus tanggal dengan format YYMMDD")
    yy, mm, dd = int(raw[:2]), int(raw[2:4]), int(raw[4:])
    if future:
        year = 2000 + yy if 2000 + yy <= today.year + EXPIRY_YEARS_AHEAD else 1900 + yy
    else:
        year = 2000 + yy
        if (year, mm, dd) > (today.year, today.month, today.day):
            year -= 100  # nobody is born in the future: a later date is from the 1900s
    try:
        value = dt.date(year, mm, dd)
    except ValueError:
        raise MrzError(field_name, "is not a real calendar date", "bukan tanggal yang ada di kalender") from None
    return value


def _check(data: str, digit: str, field_name: str, *, optional: bool = False) -> None:
    if optional and digit == "<" and set(data) <= {"<"}:
        return
    expected = check_digit(data)
    if digit != expected:
        raise MrzError(
            field_name,
            f"check digit is wrong (expected {expected}, found {digit})",
            f"digit pemeriksa salah (seharusnya {expected}, tertulis {digit})",
        )


def _split_name(raw: str) -> tuple[str, str]:
    surname, _, given = raw.partition("<<")
    return surname.replace("<", " ").strip(), given.replace("<", " ").strip()


def _split_long_number(doc: str, doc_cd: str, optional: str, field_name: str = "document_number") -> tuple[str, str]:
    """Check the document number (with any extension in the optional data); return the
    whole number and the optional data that follows it."""
    if doc_cd == "<" and optional[:1] not in ("", "<"):
        extension, _, rest = optional.partition("<")
        if len(extension) < 2:
            raise MrzError(field_name, "check digit is missing", "digit pemeriksa tidak ada")
        number = doc + extension[:-1]
        _check(number, extension[-1], field_name)
        return number, rest
    _check(doc, doc_cd, field_name)
    return doc, optional


def normalise_lines(text: str) -> list[str]:
    """Split pasted or scanned MRZ text into lines, dropping blanks and whitespace.

    A scanner that sends the whole zone as one line (88, 72 or 90 characters) is split
    into the lines of the format it can only be.
    """
    lines = ["".join(line.split()).upper() for line in text.strip().splitlines() if line.strip()]
    if len(lines) == 1:
        single = lines[0]
        for total, size in ((88, 44), (72, 36), (90, 30)):
            if len(single) == total:
                return [single[i : i + size] for i in range(0, total, size)]
    return lines


def parse(text: str, *, known_codes: set[str] | frozenset[str] | None = None, today: dt.date | None = None) -> MrzData:
    """Parse and validate a TD1, TD2, TD3 or visa MRZ; raise `MrzError` naming the bad field.

    Check digits are verified field by field (document number, birth date, expiry date,
    TD3 optional data) and then the composite; the first failure is reported. Visas (code
    `V`) have no composite check and no optional-data check. `known_codes` (nationality and
    issuing-state codes from reference data) is checked when given; Germany's `D` is
    written `D<<` in the MRZ and compared as `D`. `today` (default: the current date)
    resolves two-digit years.
    """
    today = today or dt.date.today()  # noqa: DTZ011 (a calendar date, not an instant)
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
            "must be 2 lines of 44 (passport), 2 of 36 (TD2) or 3 of 30 characters (ID card); "
            f"found {len(lines)} line(s) of {', '.join(str(n) for n in lengths) or '0'} characters",
            "harus 2 baris 44 karakter (paspor), 2 baris 36 (TD2) atau 3 baris 30 karakter (kartu identitas); "
            f"yang ditempel: {len(lines)} baris berisi {', '.join(str(n) for n in lengths) or '0'} karakter",
        )
    for i, line in enumerate(lines, start=1):
        if not MRZ_CHARS.match(line):
            raise MrzError(f"line {i}", "may contain only A–Z, 0–9 and <", "hanya boleh berisi A–Z, 0–9 dan <")

    code = lines[0][0:2]
    if code[0] not in "PIACV":
        raise MrzError("document_code", "must start with P, I, A, C or V", "harus diawali P, I, A, C atau V")
    if code[0] == "V" and fmt != "TD1":
        fmt = "MRVA" if fmt == "TD3" else "MRVB"

    optional_2 = ""
    if fmt == "TD1":
        l1, l2, l3 = lines
        issuer = l1[2:5]
        dob, dob_cd, sex, exp, exp_cd, nat, opt2, comp = l2[0:6], l2[6], l2[7], l2[8:14], l2[14], l2[15:18], l2[18:29], l2[29]
        surname, given = _split_name(l3)
        doc, opt1 = _split_long_number(l1[5:14], l1[14], l1[15:30])
        _check(dob, dob_cd, "birth_date")
        _check(exp, exp_cd, "expiry_date")
        _check(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29], comp, "composite")
        optional = opt1.strip("<")
        optional_2 = opt2.strip("<")
    else:
        l1, l2 = lines
        issuer = l1[2:5]
        surname, given = _split_name(l1[5:])
        nat = l2[10:13]
        dob, dob_cd, sex, exp, exp_cd = l2[13:19], l2[19], l2[20], l2[21:27], l2[27]
        if fmt == "TD2":
            doc, opt = _split_long_number(l2[0:9], l2[9], l2[28:35])
        else:
            doc = l2[0:9]
            _check(doc, l2[9], "document_number")
            opt = l2[28:]
        _check(dob, dob_cd, "birth_date")
        _check(exp, exp_cd, "expiry_date")
        if fmt == "TD3":
            opt, opt_cd, comp = l2[28:42], l2[42], l2[43]
            _check(opt, opt_cd, "optional_data", optional=True)
            _check(l2[0:10] + l2[13:20] + l2[21:43], comp, "composite")
        elif fmt == "TD2":
            _check(l2[0:10] + l2[13:20] + l2[21:35], l2[35], "composite")
        optional = opt.strip("<")

    # Doc 9303 writes unspecified sex as "<"; "X" is not in the MRZ alphabet of Part 4 but
    # some issuers print it there, so it is read rather than refusing a real document.
    if sex not in ("M", "F", "X", "<"):
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
        birth_date=_parse_date(dob, field_name="birth_date", future=False, today=today),
        birth_date_raw=dob,
        sex="X" if sex == "<" else sex,
        expiry_date=_parse_date(exp, field_name="expiry_date", future=True, today=today),
        optional_data=optional,
        optional_data_2=optional_2,
        lines=tuple(lines),
    )
