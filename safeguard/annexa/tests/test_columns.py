"""Recognising sheets, headings and cell values the way authorities write them."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safeguard.annexa import columns
from safeguard.annexa.columns import LISTS, CellError, match_headings, match_sheet
from safeguard.annexa.generator import COMPLETION_HEADINGS, HEADINGS, START_HEADINGS
from safeguard.annexa.testing import OFSTED_HEADINGS

D = dt.date


# --- Sheets -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "number"),
    [
        ("List 1", 1),
        ("List1", 1),
        ("L1 Contacts", 1),
        ("List 01 - Contacts", 1),
        ("Contacts", 1),
        ("Annex A List 3", 3),
        ("Early Help Assessments", 2),
        ("L4 Assessments", 4),
        ("S47s", 5),
        ("Section 47 & ICPC", 5),
        ("CIN", 6),
        ("Children in Need", 6),
        ("CP Plans", 7),
        ("Child protection", 7),
        ("List 8", 8),
        ("Children in care", 8),
        ("Care leavers", 9),
        ("Adopters", 11),
        ("Cover", None),
        ("Notes", None),
        ("List 12", None),
        ("Sheet1", None),
    ],
)
def test_it_recognises_a_sheet_by_its_name(name, number):
    assert match_sheet(name) == number


# --- Headings ---------------------------------------------------------------------------------
@pytest.mark.parametrize("number", sorted(LISTS))
def test_ofsteds_own_headings_are_all_matched(number):
    match = match_headings(LISTS[number], OFSTED_HEADINGS[number])
    assert match.missing_required == []
    assert match.missing_optional == []
    assert [why for _, _, why in match.ignored] == ["not imported: staff names are not kept"]


@pytest.mark.parametrize("number", sorted(LISTS))
@pytest.mark.parametrize("variant", [0, 1, 2])
def test_real_world_spellings_of_every_heading_are_matched_to_the_right_field(number, variant):
    spec = LISTS[number]
    wanted = {}
    for f in spec.fields:
        if f.name == "start_date":
            wanted[f.name] = START_HEADINGS[number][variant]
        elif f.name == "completion_date":
            wanted[f.name] = COMPLETION_HEADINGS[variant]
        else:
            wanted[f.name] = HEADINGS[f.name][variant % len(HEADINGS[f.name])]
    headings = list(reversed(wanted.values()))  # order in the sheet does not matter
    match = match_headings(spec, headings)
    assert match.headings == wanted


@pytest.mark.parametrize(
    ("heading", "field"),
    [
        ("Child Unique ID", "child_id"),
        ("LA Child ID", "child_id"),
        ("LAchildID", "child_id"),
        ("Person ID", "child_id"),
        ("Mosaic ID", "child_id"),
        ("Child's unique identifier", "child_id"),
        ("  CHILD   UNIQUE   ID  ", "child_id"),
        ("Gender", "gender"),
        ("Sex", "gender"),
        ("Ethnic origin", "ethnicity"),
        ("D.O.B.", "birth_date"),
        ("Date of birth", "birth_date"),
        ("Age of Child (Years)", "age"),
        ("Does the Child have a Disability", "disability"),
        ("Allocated Team", "allocated_team"),
        ("Strategy discussion initiating Section 47 Enquiry Start Date", "start_date"),
        ("S.47 start date", "start_date"),
        ("Date of Initial Child Protection Conference", "icpc_date"),
        ("ICPC date", "icpc_date"),
        ("Was an Initial Child Protection Conference deemed unnecessary?", "icpc_not_required"),
        ("Number of ICPCs in the last 12 months", "icpcs_last_12_months"),
        ("No. of S47s in last 12 months", "section47s_last_12_months"),
    ],
)
def test_headings_match_case_punctuation_and_space_insensitively(heading, field):
    spec = LISTS[5] if field not in ("child_id",) else LISTS[1]
    match = match_headings(spec, [heading])
    assert match.headings == {field: heading.strip()}


def test_it_says_what_it_ignored_and_why():
    match = match_headings(
        LISTS[3],
        ["Child Unique ID", "Date of referral", "Allocated Worker", "Child's surname", "Postcode", "Favourite colour"],
    )
    assert [(columns.column_letter(i), why) for i, _, why in match.ignored] == [
        ("C", "not imported: staff names are not kept"),
        ("D", "not imported: names are not kept"),
        ("E", "not imported: addresses are not kept"),
        ("F", "not imported: not a column of List 3 (referrals) that Safeguard uses"),
    ]
    assert "referral_source" in {f.name for f in match.missing_optional}


def test_it_reports_a_missing_required_column():
    match = match_headings(LISTS[7], ["Child Unique ID", "Initial Category of Abuse"])
    assert [f.name for f in match.missing_required] == ["start_date"]


def test_each_heading_goes_to_one_field_only():
    match = match_headings(LISTS[3], ["Child ID", "Child ID", "Referral date"])
    assert match.columns == {"child_id": 0, "referral_date": 2}
    assert match.ignored[0][1] == "Child ID"


def test_the_heading_row_may_be_below_a_title():
    rows = [
        (1, ["Annex A list 3: referrals", None, None]),
        (2, [None, None, None]),
        (3, ["Child Unique ID", "Date of referral", "Referral Source"]),
    ]
    number, match = columns.find_heading_row(LISTS[3], rows)
    assert number == 3 and match.score == 3


def test_column_letters():
    assert [columns.column_letter(i) for i in (0, 25, 26, 51, 52, 701, 702)] == [
        "A",
        "Z",
        "AA",
        "AZ",
        "BA",
        "ZZ",
        "AAA",
    ]


# --- Dates ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.datetime(2025, 3, 25, 14, 30), D(2025, 3, 25)),
        (D(2025, 3, 25), D(2025, 3, 25)),
        (45741, D(2025, 3, 25)),
        (45741.5, D(2025, 3, 25)),
        ("45741", D(2025, 3, 25)),
        (20250325, D(2025, 3, 25)),
        ("25/03/2025", D(2025, 3, 25)),
        ("5/3/2025", D(2025, 3, 5)),
        ("25-03-2025", D(2025, 3, 25)),
        ("25.03.2025", D(2025, 3, 25)),
        ("25/03/25", D(2025, 3, 25)),
        ("25/03/2025 00:00", D(2025, 3, 25)),
        ("2025-03-25", D(2025, 3, 25)),
        ("2025-03-25T00:00:00", D(2025, 3, 25)),
        ("25 March 2025", D(2025, 3, 25)),
        ("25th March 2025", D(2025, 3, 25)),
        ("25-Mar-25", D(2025, 3, 25)),
        ("Tuesday 25 March 2025", D(2025, 3, 25)),
    ],
)
def test_it_reads_dates_as_authorities_write_them(value, expected):
    assert columns.parse_date(value) == expected


def test_a_month_day_year_date_is_explained():
    with pytest.raises(CellError) as error:
        columns.parse_date("03/25/2025")
    assert "looks like month/day/year" in error.value.message
    assert "25/03/2025" in error.value.message


@pytest.mark.parametrize("value", ["31/02/2025", "tomorrow", "2025/13/01", 0, -5, 99999999, True, "25 Smarch 2025"])
def test_a_value_that_is_not_a_date_says_which_format_was_expected(value):
    with pytest.raises(CellError) as error:
        columns.parse_date(value)
    assert error.value.kind == columns.DATE
    assert "25/03/2025" in error.value.message


@given(st.dates(min_value=D(1950, 1, 1), max_value=D(2099, 12, 31)))
def test_every_date_written_in_any_accepted_form_reads_back(day):
    serial = (day - columns.EXCEL_EPOCH).days
    for written in (day, serial, day.strftime("%d/%m/%Y"), day.isoformat(), day.strftime("%d %B %Y"), str(serial)):
        assert columns.parse_date(written) == day


# --- Codes, yes/no, counts, IDs, text ---------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "codes", "expected"),
    [
        ("M", columns.GENDER, "M"),
        ("a) Male", columns.GENDER, "M"),
        ("b) Female", columns.GENDER, "F"),
        ("c) Not stated/recorded", columns.GENDER, "U"),
        ("d) Neither", columns.GENDER, "U"),
        (2, columns.GENDER, "F"),
        ("wbri", columns.ETHNICITY, "WBRI"),
        ("a) WBRI", columns.ETHNICITY, "WBRI"),
        ("WBRI - White British", columns.ETHNICITY, "WBRI"),
        ("White British", columns.ETHNICITY, "WBRI"),
        ("Caribbean", columns.ETHNICITY, "BCRB"),
        ("a) 1A: Individual", columns.REFERRAL_SOURCE, "1A"),
        ("6: Police", columns.REFERRAL_SOURCE, "6"),
        (6, columns.REFERRAL_SOURCE, "6"),
        (6.0, columns.REFERRAL_SOURCE, "6"),
        ("Police", columns.REFERRAL_SOURCE, "6"),
        ("Health services: other", columns.REFERRAL_SOURCE, "3F"),
        ("N1 - Abuse or neglect", columns.PRIMARY_NEED, "N1"),
        (
            "RC7 - Services ceased for any other reason, including child no longer in need",
            columns.CLOSURE_REASON,
            "RC7",
        ),
        ("a) Neglect", columns.CATEGORY_OF_ABUSE, "NEG"),
        ("Multiple/not recommended", columns.CATEGORY_OF_ABUSE, "MUL"),
        ("b) Child Protection plan", columns.CASE_STATUS, "CPP"),
    ],
)
def test_it_reads_codes_labels_and_ofsteds_lettered_options(value, codes, expected):
    assert columns.parse_code(value, codes) == expected


def test_an_unknown_code_names_the_list_and_gives_examples():
    with pytest.raises(CellError) as error:
        columns.parse_code("ZZZZ", columns.ETHNICITY)
    assert error.value.message.startswith("“ZZZZ” is not an ethnicity code. Use one of WBRI, WIRI")
    with pytest.raises(CellError):  # the second time comes from the cache, with the same message
        columns.parse_code("ZZZZ", columns.ETHNICITY)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        *[("Yes", True), ("y", True), ("a) Yes", True), (1, True), (True, True), ("TRUE", True)],
        *[("No", False), ("N", False), ("b) No", False), (0, False), ("false", False)],
        *[("Unknown", None), ("c) Unknown", None), ("Not recorded", None)],
    ],
)
def test_it_reads_yes_and_no(value, expected):
    assert columns.parse_yes_no(value) is expected


def test_disability_codes_are_read_only_in_the_disability_column():
    disability = LISTS[4].field("disability")
    assert columns.parse_cell(disability, "NONE") == (False, False)
    assert columns.parse_cell(disability, "AUT") == (True, False)
    with pytest.raises(CellError):
        columns.parse_cell(LISTS[4].field("child_seen"), "AUT")


@pytest.mark.parametrize("value", ["Maybe", "2", "Sometimes"])
def test_a_yes_no_it_cannot_read_is_refused(value):
    with pytest.raises(CellError) as error:
        columns.parse_yes_no(value)
    assert "Use Yes or No" in error.value.message


@pytest.mark.parametrize(("value", "expected"), [(3, 3), (3.0, 3), ("3", 3), (" 0 ", 0), ("2.0", 2)])
def test_it_reads_counts(value, expected):
    assert columns.parse_count(value) == expected


@pytest.mark.parametrize("value", [-1, 2.5, "two", "1,000", True, 10**6])
def test_a_count_that_is_not_a_whole_number_is_refused(value):
    with pytest.raises(CellError):
        columns.parse_count(value)


def test_an_unborn_childs_age_is_blank_not_an_error():
    assert columns.parse_cell(LISTS[1].field("age"), "Unborn") == (None, False)


def test_child_ids_are_text_and_at_most_40_characters():
    assert columns.parse_child_id(12345.0) == "12345"
    assert columns.parse_child_id(" AB-123 ") == "AB-123"
    with pytest.raises(CellError):
        columns.parse_child_id("X" * 41)
    with pytest.raises(CellError):
        columns.parse_child_id("AB\x00123")


def test_long_text_is_shortened_and_says_so():
    assert columns.parse_text("A" * 250, 200) == ("A" * 200, True)
    assert columns.parse_text("  North   team ", 200) == ("North team", False)
