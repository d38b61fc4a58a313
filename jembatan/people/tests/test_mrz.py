"""ICAO Doc 9303 MRZ: the specimen documents as fixed vectors, and properties of the
check-digit scheme over generated documents."""

from __future__ import annotations

import datetime as dt
import string

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from jembatan.people import mrz

TD3 = ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10")
TD1 = ("I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<")
TD2 = ("I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408122F1204159<<<<<<<6")
KNOWN = {"UTO", "D", "AUS", "IDN", "XXA"}
TODAY = dt.date(2026, 11, 28)


def _replace(lines: tuple[str, ...], line: int, pos: int, char: str) -> str:
    changed = list(lines)
    changed[line] = changed[line][:pos] + char + changed[line][pos + 1 :]
    return "\n".join(changed)


def _other_char(c: str) -> str:
    """A different character whose value differs by a non-multiple of 10 (always detectable)."""
    for candidate in "0123456789":
        if (mrz.char_value(candidate) - mrz.char_value(c)) % 10:
            return candidate
    raise AssertionError(c)


# --- the specimens --------------------------------------------------------------------


def test_td3_specimen_decodes_every_field():
    data = mrz.parse("\n".join(TD3), known_codes=KNOWN, today=TODAY)
    assert data.format == "TD3"
    assert data.document_code == "P"
    assert data.issuing_state == "UTO"
    assert data.surname == "ERIKSSON"
    assert data.given_names == "ANNA MARIA"
    assert data.document_number == "L898902C3"
    assert data.nationality == "UTO"
    assert data.birth_date == dt.date(1974, 8, 12)
    assert data.sex == "F"
    assert data.expiry_date == dt.date(2012, 4, 15)
    assert data.optional_data == "ZE184226B"


def test_td1_specimen_decodes_every_field():
    data = mrz.parse("\n".join(TD1), known_codes=KNOWN, today=TODAY)
    assert (data.format, data.document_code, data.issuing_state) == ("TD1", "I", "UTO")
    assert (data.surname, data.given_names) == ("ERIKSSON", "ANNA MARIA")
    assert data.document_number == "D23145890"
    assert data.nationality == "UTO"
    assert data.birth_date == dt.date(1974, 8, 12)
    assert data.sex == "F"
    assert data.expiry_date == dt.date(2012, 4, 15)
    assert (data.optional_data, data.optional_data_2) == ("", "")


def test_td2_specimen_decodes_every_field():
    data = mrz.parse("\n".join(TD2), known_codes=KNOWN, today=TODAY)
    assert (data.format, data.document_code, data.issuing_state) == ("TD2", "I", "UTO")
    assert (data.surname, data.given_names) == ("ERIKSSON", "ANNA MARIA")
    assert data.document_number == "D23145890"
    assert data.nationality == "UTO"
    assert data.birth_date == dt.date(1974, 8, 12)
    assert data.sex == "F"
    assert data.expiry_date == dt.date(2012, 4, 15)


def test_composers_reproduce_the_specimens_exactly():
    common = {
        "issuing_state": "UTO",
        "surname": "Eriksson",
        "given_names": "Anna Maria",
        "nationality": "UTO",
        "birth_date": dt.date(1974, 8, 12),
        "sex": "F",
        "expiry_date": dt.date(2012, 4, 15),
    }
    assert mrz.compose_td3(document_number="L898902C3", optional_data="ZE184226B", **common) == TD3
    assert mrz.compose_td1(document_number="D23145890", **common) == TD1
    assert mrz.compose_td2(document_number="D23145890", **common) == TD2


def test_pasted_mrz_with_spaces_lowercase_and_blank_lines_is_normalised():
    pasted = "\n  p<utoeriksson<<anna<maria<<<<<<<<<<<<<<<<<<<  \n\n L898902C36UTO 7408122F1204159ZE184226B<<<<<10\n"
    assert mrz.parse(pasted, today=TODAY).document_number == "L898902C3"


def test_a_scanner_sending_one_88_character_line_is_split():
    assert mrz.parse("".join(TD3), today=TODAY).surname == "ERIKSSON"


# --- one-character changes are refused, naming the field --------------------------------

TD3_FIELDS = [
    ("document_number", 1, range(0, 10)),
    ("birth_date", 1, range(13, 20)),
    ("expiry_date", 1, range(21, 28)),
    ("optional_data", 1, range(28, 43)),
    ("composite", 1, range(43, 44)),
]
TD1_FIELDS = [
    ("document_number", 0, range(5, 15)),
    ("birth_date", 1, range(0, 7)),
    ("expiry_date", 1, range(8, 15)),
    ("composite", 0, range(15, 30)),  # line 1 optional data: protected by the composite only
    ("composite", 1, range(18, 30)),  # line 2 optional data and the composite digit
]
TD2_FIELDS = [
    ("document_number", 1, range(0, 10)),
    ("birth_date", 1, range(13, 20)),
    ("expiry_date", 1, range(21, 28)),
    ("composite", 1, range(28, 36)),  # optional data has no check digit of its own in TD2
]


@pytest.mark.parametrize(
    ("lines", "fields"),
    [pytest.param(TD3, TD3_FIELDS, id="TD3"), pytest.param(TD1, TD1_FIELDS, id="TD1"), pytest.param(TD2, TD2_FIELDS, id="TD2")],
)
def test_every_one_character_change_in_a_checked_field_is_refused_naming_it(lines, fields):
    for field_name, line, positions in fields:
        for pos in positions:
            original = lines[line][pos]
            text = _replace(lines, line, pos, _other_char(original))
            with pytest.raises(mrz.MrzError) as caught:
                mrz.parse(text, today=TODAY)
            assert caught.value.field == field_name, (field_name, line, pos, text)
            assert caught.value.message_en
            assert caught.value.message_id


def test_check_digit_error_says_what_was_expected_in_both_languages():
    with pytest.raises(mrz.MrzError) as caught:
        mrz.parse(_replace(TD3, 1, 19, "3"), today=TODAY)
    assert caught.value.field == "birth_date"
    assert "expected 2, found 3" in caught.value.message_en
    assert "seharusnya 2, tertulis 3" in caught.value.message_id


def test_wrong_length_is_refused_with_what_was_pasted():
    with pytest.raises(mrz.MrzError) as caught:
        mrz.parse(TD3[0] + "\n" + TD3[1][:-1])
    assert caught.value.field == "format"
    assert "44, 43" in caught.value.message_en


def test_characters_outside_the_mrz_alphabet_are_refused_naming_the_line():
    with pytest.raises(mrz.MrzError) as caught:
        mrz.parse(TD3[0] + "\n" + TD3[1][:-1] + "*")
    assert caught.value.field == "line 2"


# --- codes and dates ----------------------------------------------------------------------


def _passport(**overrides):
    fields = {
        "issuing_state": "AUS",
        "surname": "Mitchell",
        "given_names": "Chloe",
        "document_number": "PA1234567",
        "nationality": "AUS",
        "birth_date": dt.date(1990, 5, 17),
        "sex": "F",
        "expiry_date": dt.date(2031, 2, 28),
    }
    fields.update(overrides)
    return "\n".join(mrz.compose_td3(**fields))


def test_unknown_nationality_is_refused_when_known_codes_are_given():
    text = _passport(nationality="ZZZ")
    assert mrz.parse(text, today=TODAY).nationality == "ZZZ"  # without reference data: accepted
    with pytest.raises(mrz.MrzError) as caught:
        mrz.parse(text, known_codes=KNOWN, today=TODAY)
    assert caught.value.field == "nationality"


def test_unknown_issuing_state_is_refused_when_known_codes_are_given():
    with pytest.raises(mrz.MrzError) as caught:
        mrz.parse(_passport(issuing_state="QQQ"), known_codes=KNOWN, today=TODAY)
    assert caught.value.field == "issuing_state"


def test_germany_written_d_fillers_is_read_as_d():
    text = _passport(issuing_state="D", nationality="D", surname="Müller", given_names="Jürgen")
    line1, line2 = text.splitlines()
    assert line1.startswith("P<D<<MUELLER<<JUERGEN<")
    assert line2[10:13] == "D<<"
    data = mrz.parse(text, known_codes=KNOWN, today=TODAY)
    assert (data.issuing_state, data.nationality) == ("D", "D")
    assert data.surname == "MUELLER"


def test_stateless_holder_has_nationality_xxa():
    data = mrz.parse(_passport(issuing_state="D", nationality="XXA"), known_codes=KNOWN, today=TODAY)
    assert data.nationality == "XXA"


@pytest.mark.parametrize(("raw", "field_name"), [("740231", "birth_date"), ("741312", "birth_date"), ("740800", "birth_date")])
def test_impossible_birth_dates_are_refused_even_with_right_check_digits(raw, field_name):
    with pytest.raises(mrz.MrzError) as caught:
        mrz.parse(_passport(birth_date=raw), today=TODAY)
    assert caught.value.field == field_name
    assert caught.value.message_en == "is not a real calendar date"


def test_impossible_expiry_date_is_refused():
    with pytest.raises(mrz.MrzError) as caught:
        mrz.parse(_passport(expiry_date="310229"), today=TODAY)
    assert caught.value.field == "expiry_date"


def test_birth_year_resolves_to_the_past_and_expiry_to_the_near_future():
    data = mrz.parse(_passport(birth_date=dt.date(2026, 12, 24), expiry_date=dt.date(2034, 1, 1)), today=TODAY)
    assert data.birth_date == dt.date(1926, 12, 24)  # born "261224" cannot be next month
    assert data.expiry_date == dt.date(2034, 1, 1)
    assert mrz.parse(_passport(birth_date=dt.date(2005, 1, 2)), today=TODAY).birth_date == dt.date(2005, 1, 2)


def test_partly_unknown_birth_date_keeps_the_raw_value():
    data = mrz.parse(_passport(birth_date="85<<<<"), today=TODAY)
    assert data.birth_date is None
    assert data.birth_date_raw == "85<<<<"


def test_unspecified_sex_is_written_as_filler_and_read_as_x():
    text = _passport(sex="X")
    assert text.splitlines()[1][20] == "<"
    assert mrz.parse(text, today=TODAY).sex == "X"


def test_visa_has_no_composite_check():
    line1, line2 = TD3
    visa = "V" + line1[1:] + "\n" + line2[:43] + "7"  # the last digit means nothing on an MRV-A
    data = mrz.parse(visa, today=TODAY)
    assert data.format == "MRVA"
    assert data.document_number == "L898902C3"


def test_long_document_numbers_continue_in_the_optional_data():
    lines = mrz.compose_td1(
        issuing_state="UTO",
        surname="Eriksson",
        given_names="Anna",
        document_number="D23145890123",
        nationality="UTO",
        birth_date=dt.date(1974, 8, 12),
        sex="F",
        expiry_date=dt.date(2012, 4, 15),
        optional_data="AB",
    )
    assert lines[0][14] == "<"
    data = mrz.parse("\n".join(lines), today=TODAY)
    assert (data.document_number, data.optional_data) == ("D23145890123", "AB")
    with pytest.raises(mrz.MrzError) as caught:
        mrz.parse(_replace(lines, 0, 17, "9"), today=TODAY)  # a digit of the extension
    assert caught.value.field == "document_number"


# --- properties ---------------------------------------------------------------------------

ALNUM = string.ascii_uppercase + string.digits
names = st.text(alphabet=st.sampled_from(string.ascii_uppercase + " -'"), min_size=1, max_size=16).filter(
    lambda s: any(c.isalpha() for c in s)
)
dates = st.dates(min_value=dt.date(1930, 1, 1), max_value=dt.date(2025, 12, 31))
expiries = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2045, 12, 31))
codes = st.sampled_from(["UTO", "D", "AUS", "IDN", "XXA", "GBN"])
document_fields = st.fixed_dictionaries(
    {
        "issuing_state": codes,
        "nationality": codes,
        "surname": names,
        "given_names": names,
        "document_number": st.text(alphabet=ALNUM, min_size=1, max_size=9),
        "birth_date": dates,
        "sex": st.sampled_from(["M", "F", "X"]),
        "expiry_date": expiries,
    }
)


def _expected_name(text: str) -> str:
    return mrz.to_mrz_name_part(text).replace("<", " ")


@settings(max_examples=300, database=None, deadline=None)
@given(fields=document_fields, optional=st.text(alphabet=ALNUM + "<", max_size=14))
def test_td3_round_trips(fields, optional):
    """Whatever valid fields go in come back out of `parse`, names normalised."""
    lines = mrz.compose_td3(optional_data=optional, **fields)
    data = mrz.parse("\n".join(lines), known_codes=KNOWN | {"GBN"}, today=TODAY)
    assert data.format == "TD3"
    assert data.issuing_state == fields["issuing_state"]
    assert data.nationality == fields["nationality"]
    assert data.document_number == fields["document_number"]
    assert data.birth_date == fields["birth_date"]
    assert data.expiry_date == fields["expiry_date"]
    assert data.sex == fields["sex"]
    assert data.optional_data == optional.strip("<")
    assert data.surname == _expected_name(fields["surname"])
    full = mrz.to_mrz_name_part(fields["surname"]) + "<<" + mrz.to_mrz_name_part(fields["given_names"])
    if len(full) <= 39:
        assert data.given_names == _expected_name(fields["given_names"])


@settings(max_examples=200, database=None, deadline=None)
@given(fields=document_fields, long_number=st.text(alphabet=ALNUM, min_size=1, max_size=12))
def test_td1_and_td2_round_trip(fields, long_number):
    fields = {**fields, "document_number": long_number}
    td1 = mrz.parse("\n".join(mrz.compose_td1(**fields)), today=TODAY)
    assert (td1.format, td1.document_number, td1.birth_date, td1.expiry_date) == (
        "TD1",
        long_number,
        fields["birth_date"],
        fields["expiry_date"],
    )
    td2 = mrz.parse("\n".join(mrz.compose_td2(**fields)), today=TODAY)
    assert (td2.format, td2.document_number, td2.nationality) == ("TD2", long_number, fields["nationality"])


# Positions on TD3 line 2 covered by a check digit, with the field each belongs to.
PROTECTED = [(pos, "document_number") for pos in range(0, 10)]
PROTECTED += [(pos, "birth_date") for pos in range(13, 20)]
PROTECTED += [(pos, "expiry_date") for pos in range(21, 28)]
PROTECTED += [(pos, "optional_data") for pos in range(28, 43)]
PROTECTED += [(43, "composite")]


@settings(max_examples=500, database=None, deadline=None)
@given(
    fields=document_fields,
    optional=st.text(alphabet=ALNUM, min_size=1, max_size=14),
    target=st.sampled_from(PROTECTED),
    replacement=st.sampled_from(ALNUM + "<"),
)
def test_single_substitution_in_a_protected_field_is_detected(fields, optional, target, replacement):
    """A substitution whose character values differ by other than a multiple of 10 is always
    refused, naming its field. (Those that differ by 10, 20 or 30 — `0`↔`A`, `<`↔`0` — are
    the scheme's known blind spot: see the next test.)"""
    pos, field_name = target
    line1, line2 = mrz.compose_td3(optional_data=optional, **fields)
    original = line2[pos]
    assume(replacement != original)
    assume((mrz.char_value(replacement) - mrz.char_value(original)) % 10 != 0)
    with pytest.raises(mrz.MrzError) as caught:
        mrz.parse(line1 + "\n" + line2[:pos] + replacement + line2[pos + 1 :], today=TODAY)
    assert caught.value.field == field_name


@settings(max_examples=200, database=None, deadline=None)
@given(data=st.text(alphabet=ALNUM + "<", min_size=1, max_size=20), index=st.integers(min_value=0), shift=st.sampled_from([10, 20, 30]))
def test_the_check_digit_cannot_see_a_change_by_a_multiple_of_ten(data, index, shift):
    """Doc 9303's 7-3-1 scheme is blind to `0`→`A` and the like: why a valid MRZ proves
    arithmetic, not correctness, and why dates are also checked as dates."""
    index %= len(data)
    value = mrz.char_value(data[index]) + shift
    assume(value <= 35)
    swapped = data[:index] + (ALNUM[value - 10] if value >= 10 else str(value)) + data[index + 1 :]
    assert mrz.check_digit(swapped) == mrz.check_digit(data)
