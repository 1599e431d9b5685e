"""What an Ofsted Annex A workbook holds, and how its sheets, headings and cells are recognised.

Source: Ofsted, "Inspecting local authority children's services" (ILACS), Annex A: the data lists
an authority sends at the start of an inspection, one sheet per list and one row per child (or per
contact, referral, assessment or enquiry). Lists 1-7 are the ones the partnership's child
protection work needs; lists 8-11 (children in care, care leavers, adoption, adopters) are
recognised and reported as "not imported". The code lists are the DfE CIN census ones
(``safeguard.extracts.census.codes``), which Annex A uses for gender, ethnicity, referral source,
primary need, reason for closure and category of abuse.

Authorities label their columns in their own way ("Child Unique ID", "LA Child ID", "Person ID"...).
Every heading is normalised (lower case, punctuation and repeated spaces removed) and compared with
each field's patterns: the first field whose pattern matches takes the heading. Nothing here reads
files or writes the database: ``services.py`` streams the workbook and calls these functions.

Cell values are read the way authorities' workbooks hold them: dates as date cells, Excel serial
numbers or text (day/month/year, ISO, "5 March 2025"); codes as the code ("WBRI"), the code with
its label ("N1 - Abuse or neglect"), Ofsted's lettered options ("a) Male", "b) WIRI") or the label
alone ("Neglect"); yes/no as Yes/No, Y/N, True/False or 1/0.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from safeguard.extracts.census import codes as census_codes

# --- Field kinds ------------------------------------------------------------------------------
ID = "id"
DATE = "date"
CODE = "code"
YESNO = "yes/no"
COUNT = "count"
TEXT = "text"

#: Longest child ID stored (``Finding.la_child_id`` and the row tables hold 40 characters).
MAX_CHILD_ID_LENGTH = 40
#: Annex A lists have at most about 30 columns; anything past this is not read.
MAX_COLUMNS = 80
#: The heading row is looked for in the first rows of a sheet (some authorities add a title above it).
HEADER_SEARCH_ROWS = 10

EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 is 1 January 1900 (Excel's 1900 date system)
_FIRST_SERIAL, _LAST_SERIAL = 1, 73415  # 1 January 1900 to 31 December 2100


def normalise(text: Any) -> str:
    """``"Child's Unique ID (LA)"`` -> ``"child s unique id la"``: lower case, letters and digits
    only, single spaces. Headings, sheet names and labels are compared in this form."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    text = text.lower().replace("&", " and ")
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def _rx(*patterns: str) -> tuple[re.Pattern, ...]:
    return tuple(re.compile(p) for p in patterns)


# --- Code sets --------------------------------------------------------------------------------
@dataclass(frozen=True)
class CodeSet:
    """A list of allowed codes, with the labels and other spellings that mean each one."""

    name: str  # "gender", "category of abuse": used in messages
    codes: dict[str, str]  # code -> label
    aliases: dict[str, str] = field(default_factory=dict)  # normalised spelling -> code
    stored: dict[str, str] = field(default_factory=dict)  # code in the file -> code stored (GenderCurrent 1 -> M)

    def lookup(self) -> dict[str, str]:
        """Every accepted spelling (normalised) -> stored code."""
        found: dict[str, str] = {}
        for code, label in self.codes.items():
            target = self.stored.get(code, code)
            found[normalise(code)] = target
            found[normalise(label)] = target
        for spelling, code in self.aliases.items():
            found[normalise(spelling)] = self.stored.get(code, code)
        return found

    def examples(self, limit: int = 6) -> str:
        shown = [code for code in self.codes if code not in self.stored][:limit]
        more = len(self.codes) - len(self.stored) - len(shown)
        return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


GENDER = CodeSet(
    "gender",
    {**census_codes.SEXES, **{k: f"GenderCurrent {k}" for k in census_codes.GENDER_CURRENT_TO_SEX}},
    aliases={
        "male": "M",
        "boy": "M",
        "female": "F",
        "girl": "F",
        "not stated": "U",
        "not recorded": "U",
        "not stated recorded": "U",
        "not known": "U",
        "unknown": "U",
        "unborn": "U",
        "indeterminate": "U",
        "neither": "U",
        "other": "U",
    },
    stored=census_codes.GENDER_CURRENT_TO_SEX,
)
ETHNICITY = CodeSet(
    "ethnicity",
    census_codes.ETHNICITIES,
    aliases={
        "caribbean": "BCRB",
        "black caribbean": "BCRB",
        "african": "BAFR",
        "black african": "BAFR",
        "gypsy roma": "WROM",
        "gypsy": "WROM",
        "roma": "WROM",
        "traveller of irish heritage": "WIRT",
        "any other mixed background": "MOTH",
        "any other ethnic group": "OOTH",
        "information not yet obtained": "NOBT",
        "not obtained": "NOBT",
        "refused": "REFU",
        "declined": "REFU",
    },
)
REFERRAL_SOURCE = CodeSet(
    "referral or contact source",
    census_codes.REFERRAL_SOURCES,
    aliases={
        "police": "6",
        "schools": "2A",
        "school": "2A",
        "anonymous": "9",
        "unknown": "10",
        "other": "8",
        "housing": "4",
        "gp": "3A",
        "health visitor": "3B",
        "school nurse": "3C",
        "education services": "2B",
        "early help": "5D",
        "self": "1C",
    },
)
PRIMARY_NEED = CodeSet("primary need", census_codes.PRIMARY_NEED_CODES)
CLOSURE_REASON = CodeSet("reason for closure", census_codes.REASONS_FOR_CLOSURE)
CATEGORY_OF_ABUSE = CodeSet(
    "category of abuse",
    census_codes.CATEGORIES_OF_ABUSE,
    aliases={
        "multiple": "MUL",
        "multiple not recommended": "MUL",
        "multiple categories not recommended": "MUL",
        "physical": "PHY",
        "sexual": "SAB",
        "emotional": "EMO",
    },
)
#: List 6 "Case status": Ofsted's options, stored as short codes of our own.
CASE_STATUS = CodeSet(
    "case status",
    {
        "LAC": "Looked after child",
        "CPP": "Child protection plan",
        "CINP": "Child in need plan",
        "ASMT": "Open assessment",
        "CLOSED": "Closed episode",
    },
    aliases={
        "looked after": "LAC",
        "cla": "LAC",
        "child looked after": "LAC",
        "child in care": "LAC",
        "cp plan": "CPP",
        "child protection": "CPP",
        "cin plan": "CINP",
        "child in need": "CINP",
        "cin": "CINP",
        "assessment": "ASMT",
        "open assessment": "ASMT",
        "closed": "CLOSED",
    },
)
#: Disability: Annex A asks yes/no/unknown; some authorities give the DfE disability codes instead
#: (NONE is "no", any other code "yes"). Only the disability column reads them.
DISABILITY = CodeSet("disability", census_codes.DISABILITIES)
_DISABILITY_ANSWERS = {normalise(code): code != "NONE" for code in census_codes.DISABILITIES}

_LOOKUPS: dict[str, dict[str, str]] = {}


def _lookup_for(codes: CodeSet) -> dict[str, str]:
    if codes.name not in _LOOKUPS:
        _LOOKUPS[codes.name] = codes.lookup()
    return _LOOKUPS[codes.name]


# --- Fields and lists -------------------------------------------------------------------------
@dataclass(frozen=True)
class Field:
    """One column of a list: the model field it fills, its type and the headings that name it."""

    name: str  # the row model's field
    label: str  # Ofsted's heading for it, shown to the user
    kind: str
    patterns: tuple[re.Pattern, ...]
    exclude: tuple[re.Pattern, ...] = ()
    codes: CodeSet | None = None
    required: bool = False  # the column must be there and every row must have a value
    max_length: int = 0  # text fields: longest value kept
    blank_words: frozenset[str] = frozenset()  # normalised values that mean "no value" ("unborn" for an age)

    def matches(self, heading: str) -> bool:
        return any(p.search(heading) for p in self.patterns) and not any(p.search(heading) for p in self.exclude)


@dataclass(frozen=True)
class DateOrder:
    """``earlier`` must not be after ``later`` (or, with ``strict``, must be before it)."""

    earlier: str
    later: str
    strict: bool = False
    source: str = ""


@dataclass(frozen=True)
class ListSpec:
    number: int
    title: str
    sheet_patterns: tuple[re.Pattern, ...]
    fields: tuple[Field, ...]
    window_field: str  # the date that must fall inside the inspection window
    window_note: str  # what the window means for this list, in messages
    order: tuple[DateOrder, ...] = ()
    one_row_per_child: bool = False  # lists 6 and 7: a child's rows must not overlap in time
    period: tuple[str, str] | None = None  # (start, end) fields for the overlap check

    @property
    def name(self) -> str:
        return f"List {self.number} ({self.title.lower()})"

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    @property
    def required_fields(self) -> list[Field]:
        return [f for f in self.fields if f.required]


def _child_fields() -> tuple[Field, ...]:
    """The columns every list starts with (Ofsted's template, in its order), and the allocated team."""
    return (
        Field(
            "child_id",
            "Child unique ID",
            ID,
            _rx(
                r"\b(child|children|person|client|case|la|unique)\b.*\b(id|identifier|ref|reference|no|number)\b",
                r"^(unique )?id$",
                r"\blachildid\b",
                r"^(mosaic|lcs|liquidlogic|eclipse|carefirst|paris|azeus|protocol|ics) (id|number|no)\b",
            ),
            exclude=_rx(r"\b(worker|practitioner|team|upn|nhs|referral|contact|number of)\b"),
            required=True,
        ),
        Field("gender", "Gender", CODE, _rx(r"\b(gender|sex)\b"), codes=GENDER),
        Field("ethnicity", "Ethnicity", CODE, _rx(r"\bethnic"), codes=ETHNICITY),
        Field("birth_date", "Date of birth", DATE, _rx(r"\b(date of birth|birth date|birthdate|dob|d o b)\b")),
        Field(
            "age",
            "Age of child (years)",
            COUNT,
            _rx(r"^age\b", r"\bage (of|in|at)\b", r"\bage$", r"\bage years\b"),
            blank_words=frozenset({"unborn", "pre birth", "prebirth", "not known", "unknown", "n a"}),
        ),
        Field("disability", "Does the child have a disability", YESNO, _rx(r"\bdisab"), codes=DISABILITY),
        Field(
            "allocated_team",
            "Allocated team",
            TEXT,
            _rx(r"\bteam\b", r"\bservice area\b", r"\blocality\b"),
            exclude=_rx(r"\b(manager|worker|leader)\b"),
            max_length=200,
        ),
    )


_DATE_WORD = r"\b(date|dt|dated)\b"


def _date_of(*words: str) -> tuple[re.Pattern, ...]:
    """A date heading naming one of ``words``: "Date of contact", "Contact date", "Contact dt"."""
    joined = "|".join(words)
    return _rx(rf"{_DATE_WORD}.*\b({joined})", rf"\b({joined})\b.*{_DATE_WORD}")


_NUMBER_OF = r"\b(number|no|num|count|total|how many)\b"
_LAST_12 = r"\b(12|twelve) months?\b"

LISTS: dict[int, ListSpec] = {}


def _add(spec: ListSpec) -> None:
    LISTS[spec.number] = spec


_add(
    ListSpec(
        1,
        "Contacts",
        _rx(r"\bcontacts?\b"),
        (
            *_child_fields(),
            Field("contact_date", "Date of contact", DATE, _date_of("contact", "contacted"), required=True),
            Field(
                "contact_source",
                "Contact source",
                CODE,
                _rx(r"\bsource\b", r"\breferrer\b", r"\bwho contacted\b"),
                codes=REFERRAL_SOURCE,
            ),
        ),
        window_field="contact_date",
        window_note="contacts in the 12 months before the reference date",
    )
)
_add(
    ListSpec(
        2,
        "Early help",
        _rx(r"\bearly help\b", r"\beh\b", r"\bearly intervention\b"),
        (
            *_child_fields(),
            Field(
                "organisation",
                "Organisation completing the assessment",
                TEXT,
                _rx(r"\b(organisation|organization|agency|provider|lead professional)\b", r"\bcompleted by\b"),
                exclude=_rx(_DATE_WORD),
                max_length=200,
            ),
            Field(
                "start_date",
                "Assessment start date",
                DATE,
                (*_date_of("start", "started", "commenced", "began", "opened"), *_rx(r"\bstart date\b")),
                required=True,
            ),
            Field(
                "completion_date",
                "Assessment completion date",
                DATE,
                (*_date_of("complete", "completed", "completion", "end", "ended", "closed", "finished"),),
            ),
        ),
        window_field="start_date",
        window_note="early help assessments started in the 12 months before the reference date",
        order=(DateOrder("start_date", "completion_date", source="an assessment cannot end before it starts"),),
    )
)
_add(
    ListSpec(
        3,
        "Referrals",
        _rx(r"\breferrals?\b"),
        (
            *_child_fields(),
            Field(
                "referrals_last_12_months",
                "Number of referrals in the last 12 months",
                COUNT,
                _rx(rf"{_NUMBER_OF}.*\breferrals?\b", rf"\breferrals?\b.*{_LAST_12}", r"\bre ?referrals?\b"),
            ),
            Field("referral_date", "Date of referral", DATE, _date_of("referral", "referred"), required=True),
            Field(
                "referral_source", "Referral source", CODE, _rx(r"\bsource\b", r"\breferrer\b"), codes=REFERRAL_SOURCE
            ),
            Field("referral_nfa", "Referral NFA", YESNO, _rx(r"\bnfa\b", r"\bno further action\b", r"\bnfa d\b")),
        ),
        window_field="referral_date",
        window_note="referrals in the 12 months before the reference date",
    )
)
_add(
    ListSpec(
        4,
        "Assessments",
        _rx(r"\bassessments?\b", r"\bc and f\b", r"\bcfa\b", r"\bsingle assessments?\b"),
        (
            *_child_fields(),
            Field(
                "child_seen",
                "Child seen during the assessment",
                YESNO,
                _rx(r"\bseen\b", r"\bvisited\b"),
                exclude=_rx(_DATE_WORD),
            ),
            Field(
                "needs_support",
                "Was the child assessed as requiring children's social care support",
                YESNO,
                _rx(
                    r"\b(requir\w*|need\w*)\b.*\bsupport\b", r"\boutcome\b", r"\bsocial care support\b", r"\bin need\b"
                ),
                exclude=_rx(_DATE_WORD),
            ),
            Field(
                "start_date",
                "Assessment start date",
                DATE,
                (*_date_of("start", "started", "commenced", "began"), *_rx(r"\bstart date\b")),
                required=True,
            ),
            Field(
                "authorisation_date",
                "Assessment date of authorisation",
                DATE,
                (
                    *_date_of("authorised", "authorized", "authorisation", "authorization", "completed", "completion"),
                    *_rx(r"\bauthori[sz]", r"\bend date\b"),
                ),
            ),
        ),
        window_field="start_date",
        window_note="assessments started in the 12 months before the reference date",
        order=(
            DateOrder(
                "start_date",
                "authorisation_date",
                source="DfE CIN census rule 8608: an assessment cannot end before it starts",
            ),
        ),
    )
)
_add(
    ListSpec(
        5,
        "Section 47 enquiries and ICPCs",
        _rx(r"\bs ?47s?\b", r"\bsection 47\b", r"\bicpcs?\b", r"\bstrategy\b", r"\benquir"),
        (
            *_child_fields(),
            Field(
                "section47s_last_12_months",
                "Number of section 47 enquiries in the last 12 months",
                COUNT,
                _rx(rf"{_NUMBER_OF}.*\b(s ?47s?|section 47|enquiries|enquiry)\b"),
            ),
            Field(
                "icpcs_last_12_months",
                "Number of ICPCs in the last 12 months",
                COUNT,
                _rx(rf"{_NUMBER_OF}.*\b(icpcs?|conferences?)\b"),
            ),
            Field(
                "icpc_not_required",
                "ICPC not required",
                YESNO,
                _rx(r"\bnot (required|needed|necessary)\b", r"\bunnecessary\b", r"\bno icpc\b", r"\bicpc required\b"),
                exclude=_rx(_DATE_WORD),
            ),
            Field(
                "resulted_in_plan",
                "Did the ICPC result in a child protection plan",
                YESNO,
                _rx(r"\bresult", r"\bled to\b", r"\boutcome\b", r"\bplan\b"),
                exclude=_rx(_DATE_WORD),
            ),
            Field(
                "icpc_date",
                "Date of the initial child protection conference",
                DATE,
                _date_of("icpc", "initial child protection conference", "initial cp conference", "conference"),
            ),
            Field(
                "start_date",
                "Strategy discussion initiating the section 47 enquiry: start date",
                DATE,
                (
                    *_date_of("s ?47", "section 47", "strategy", "enquiry", "start", "started", "initiated"),
                    *_rx(r"\bstart date\b"),
                ),
                required=True,
            ),
        ),
        window_field="start_date",
        window_note="section 47 enquiries started in the 12 months before the reference date",
        order=(
            DateOrder(
                "start_date",
                "icpc_date",
                source="DfE CIN census rule 8615: the section 47 enquiry starts before the initial conference",
            ),
        ),
    )
)
_add(
    ListSpec(
        6,
        "Children in need",
        _rx(r"\bchildren in need\b", r"\bchild in need\b", r"\bcin\b"),
        (
            *_child_fields(),
            Field(
                "primary_need",
                "Primary need code",
                CODE,
                _rx(r"\bprimary need\b", r"\bneed code\b", r"\bcategory of need\b", r"\bneed\b"),
                exclude=_rx(_DATE_WORD),
                codes=PRIMARY_NEED,
            ),
            Field(
                "closure_reason",
                "Reason for closure",
                CODE,
                _rx(r"\breason\b"),
                exclude=_rx(_DATE_WORD),
                codes=CLOSURE_REASON,
            ),
            Field("case_status", "Case status", CODE, _rx(r"\bstatus\b"), exclude=_rx(_DATE_WORD), codes=CASE_STATUS),
            Field(
                "last_seen_date", "Date child was last seen", DATE, _rx(r"\bseen\b", r"\blast visit", r"\bvisit date\b")
            ),
            Field(
                "closure_date",
                "CIN closure date",
                DATE,
                (*_date_of("closure", "closed", "end", "ended", "ceased"),),
            ),
            Field(
                "start_date",
                "CIN start date",
                DATE,
                (*_date_of("start", "started", "referral", "opened", "open"), *_rx(r"\bstart\b")),
            ),
        ),
        window_field="closure_date",
        window_note="children in need now, or whose episode closed in the 12 months before the reference date",
        order=(
            DateOrder(
                "start_date", "closure_date", source="DfE CIN census rule 8630: closure cannot be before the start"
            ),
        ),
        one_row_per_child=True,
        period=("start_date", "closure_date"),
    )
)
_add(
    ListSpec(
        7,
        "Child protection",
        _rx(r"\bchild protection\b", r"\bcp\b", r"\bcpp\b", r"\bcp plans?\b", r"\bprotection plans?\b"),
        (
            *_child_fields(),
            Field(
                "previous_plans",
                "Number of previous child protection plans",
                COUNT,
                _rx(r"\b(previous|prior|past|earlier)\b.*\bplans?\b", rf"{_NUMBER_OF}.*\bplans?\b"),
            ),
            Field(
                "emergency_protection",
                "Subject to an EPO or police protection in the last six months",
                YESNO,
                _rx(r"\bepo\b", r"\bemergency protection\b", r"\bpolice (powers|protection)\b"),
                exclude=_rx(_DATE_WORD),
            ),
            Field("seen_alone", "Was the child seen alone", YESNO, _rx(r"\balone\b"), exclude=_rx(_DATE_WORD)),
            Field(
                "initial_category",
                "Initial category of abuse",
                CODE,
                _rx(r"\binitial\b.*\bcategor", r"\bcategor\w*\b.*\b(initial|at start|start)\b", r"^category of abuse$"),
                codes=CATEGORY_OF_ABUSE,
            ),
            Field(
                "latest_category",
                "Latest category of abuse",
                CODE,
                _rx(r"\b(latest|current|last|most recent)\b.*\bcategor", r"\bcategor\w*\b.*\b(latest|current)\b"),
                codes=CATEGORY_OF_ABUSE,
            ),
            Field(
                "last_visit_date", "Date of the last statutory visit", DATE, _rx(r"\bvisit"), exclude=_rx(r"\balone\b")
            ),
            Field("latest_review_date", "Date of the latest review conference", DATE, _rx(r"\breview", r"\brcpc\b")),
            Field(
                "end_date",
                "Child protection plan end date",
                DATE,
                (*_date_of("end", "ended", "ceased", "closed", "closure"),),
            ),
            Field(
                "start_date",
                "Child protection plan start date",
                DATE,
                (*_date_of("start", "started", "commenced", "began"), *_rx(r"\bstart\b")),
                required=True,
            ),
        ),
        window_field="end_date",
        window_note="children on a plan now, or whose plan ended in the 12 months before the reference date",
        order=(
            DateOrder(
                "start_date",
                "end_date",
                strict=True,
                source="DfE CIN census rules 8925 and 8840: a plan ends after the day it starts",
            ),
            DateOrder(
                "start_date",
                "latest_review_date",
                strict=True,
                source="DfE CIN census rule 8841: a review conference is after the plan starts",
            ),
        ),
        one_row_per_child=True,
        period=("start_date", "end_date"),
    )
)

#: Lists Safeguard recognises but does not import (outside the partnership's child protection focus).
OUT_OF_SCOPE: dict[int, tuple[str, tuple[re.Pattern, ...]]] = {
    8: (
        "Children in care",
        _rx(r"\bchildren in care\b", r"\bchild in care\b", r"\blooked after\b", r"\bcla\b", r"\blac\b", r"\bcic\b"),
    ),
    9: ("Care leavers", _rx(r"\bcare leavers?\b", r"\bleaving care\b")),
    10: ("Adoption", _rx(r"\badoption\b", r"\bplacement orders?\b")),
    11: ("Adopters", _rx(r"\badopters?\b")),
}

#: Headings that are recognised but never imported: staff and children's names are not needed.
NOT_KEPT: tuple[tuple[re.Pattern, str], ...] = (
    (
        re.compile(
            r"\b(worker|practitioner|case holder|keyworker|social worker|team manager|manager|lead professional name)\b"
        ),
        "staff names are not kept",
    ),
    (
        re.compile(
            r"\b(forename|surname|first name|last name|family name|given name|full name|child s name|child name|name)\b"
        ),
        "names are not kept",
    ),
    (re.compile(r"\b(address|postcode|post code)\b"), "addresses are not kept"),
    (re.compile(r"\b(upn|nhs number|nhs no)\b"), "other identifiers are not kept"),
)

# Sheet names: "List 1", "L1 Contacts", "List 01 - Contacts", "Annex A List 3", "List1".
_LIST_NUMBER = re.compile(r"^(?:annex a )?(?:list|l)\s?0?(\d{1,2})(?!\d)")
# Keyword order matters: "early help assessments" is list 2 before "assessments" is list 4.
_KEYWORD_ORDER = (9, 8, 11, 10, 2, 5, 7, 6, 3, 1, 4)


def match_sheet(name: str) -> int | None:
    """The Annex A list (1-11) a sheet holds, from its name, or None."""
    text = normalise(name)
    found = _LIST_NUMBER.match(text)
    if found and 1 <= int(found.group(1)) <= 11:
        return int(found.group(1))
    for number in _KEYWORD_ORDER:
        patterns = LISTS[number].sheet_patterns if number in LISTS else OUT_OF_SCOPE[number][1]
        if any(p.search(text) for p in patterns):
            return number
    return None


def list_title(number: int) -> str:
    return LISTS[number].title if number in LISTS else OUT_OF_SCOPE[number][0]


# --- Heading matching -------------------------------------------------------------------------
@dataclass
class ColumnMatch:
    """Which heading was matched to which field, what was not found, and what was ignored."""

    spec: ListSpec
    columns: dict[str, int] = field(default_factory=dict)  # field name -> column index (0-based)
    headings: dict[str, str] = field(default_factory=dict)  # field name -> heading as written
    ignored: list[tuple[int, str, str]] = field(default_factory=list)  # (column index, heading, why)

    @property
    def missing_required(self) -> list[Field]:
        return [f for f in self.spec.required_fields if f.name not in self.columns]

    @property
    def missing_optional(self) -> list[Field]:
        return [f for f in self.spec.fields if not f.required and f.name not in self.columns]

    @property
    def score(self) -> int:
        return len(self.columns)

    def as_json(self) -> dict:
        return {
            "columns": [
                {
                    "field": f.name,
                    "label": f.label,
                    "heading": self.headings[f.name],
                    "column": column_letter(self.columns[f.name]),
                }
                for f in sorted(
                    (f for f in self.spec.fields if f.name in self.columns), key=lambda f: self.columns[f.name]
                )
            ],
            "missing": [
                {"field": f.name, "label": f.label, "required": f.required}
                for f in self.spec.fields
                if f.name not in self.columns
            ],
            "ignored": [{"column": column_letter(i), "heading": h, "reason": why} for i, h, why in self.ignored],
        }


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def match_headings(spec: ListSpec, row: Sequence[Any]) -> ColumnMatch:
    """Match one row of headings to the list's fields. Each field takes the first heading (from the
    left) its patterns match; each heading goes to one field at most."""
    match = ColumnMatch(spec)
    cells = [(i, str(v).strip(), normalise(v)) for i, v in enumerate(row) if v is not None and str(v).strip()]
    used: set[int] = set()
    for f in spec.fields:
        for index, written, text in cells:
            if index not in used and f.matches(text):
                match.columns[f.name], match.headings[f.name] = index, written
                used.add(index)
                break
    for index, written, text in cells:
        if index not in used:
            match.ignored.append((index, written, _why_ignored(spec, text)))
    return match


def _why_ignored(spec: ListSpec, text: str) -> str:
    for pattern, why in NOT_KEPT:
        if pattern.search(text):
            return f"not imported: {why}"
    return f"not imported: not a column of {spec.name} that Safeguard uses"


def find_heading_row(spec: ListSpec, rows: Iterable[tuple[int, Sequence[Any]]]) -> tuple[int, ColumnMatch] | None:
    """The row (sheet row number) whose cells match most fields, among the first rows of a sheet.
    A heading row must match the child ID or at least two fields."""
    best: tuple[int, ColumnMatch] | None = None
    for number, row in rows:
        match = match_headings(spec, row)
        if match.score == 0 or ("child_id" not in match.columns and match.score < 2):
            continue
        if best is None or match.score > best[1].score:
            best = (number, match)
    return best


# --- Cell values ------------------------------------------------------------------------------
class CellError(ValueError):
    """A cell that could not be read as its field's type. ``kind`` says which check failed."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind
        self.message = message


def shown(value: Any) -> str:
    """A cell value as quoted in a message (long values cut)."""
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return f"“{text[:40]}…”" if len(text) > 40 else f"“{text}”"


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_child_id(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if len(text) > MAX_CHILD_ID_LENGTH:
        raise CellError(
            ID,
            f"The child ID {shown(text)} is {len(text)} characters long; "
            f"the most Safeguard keeps is {MAX_CHILD_ID_LENGTH}.",
        )
    if any(unicodedata.category(ch)[0] == "C" for ch in text):
        raise CellError(ID, f"The child ID {shown(text)} contains hidden control characters.")
    return text


_MONTHS = {
    **{
        m.lower(): i
        for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)
    },
    **{
        m.lower(): i
        for i, m in enumerate(
            (
                "january",
                "february",
                "march",
                "april",
                "may",
                "june",
                "july",
                "august",
                "september",
                "october",
                "november",
                "december",
            ),
            1,
        )
    },
    "sept": 9,
}
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})(?: \d{1,2}:\d{2}(?::\d{2})?)?$")
_NAMED = re.compile(r"^(?:[a-z]+,? )?(\d{1,2})(?:st|nd|rd|th)?[ \-]([a-z]{3,9})\.?,?[ \-](\d{4}|\d{2})$")
_SERIAL_TEXT = re.compile(r"^\d{5}(?:\.\d+)?$")
DATE_EXPECTED = "a date cell, or a day/month/year date such as 25/03/2025 (2025-03-25 and 25 March 2025 are also read)"


def _year(text: str) -> int:
    if len(text) == 4:
        return int(text)
    short = int(text)
    this = dt.date.today().year % 100
    return 2000 + short if short <= this + 1 else 1900 + short


def _make_date(year: int, month: int, day: int, raw: Any) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        if 1 <= day <= 12 < month <= 31:
            raise CellError(
                DATE,
                f"{shown(raw)} looks like month/day/year. Annex A dates are day/month/year: "
                f"write it as {month:02d}/{day:02d}/{year}.",
            ) from None
        raise CellError(
            DATE,
            f"{shown(raw)} is not a real date (there is no day {day} in month {month} of {year}). "
            f"Expected {DATE_EXPECTED}.",
        ) from None


def parse_date(value: Any) -> dt.date:
    """A date from a date cell, an Excel serial number or text. Raises ``CellError``."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise CellError(DATE, f"{shown(value)} is not a date. Expected {DATE_EXPECTED}.")
    if isinstance(value, int | float):
        return _from_number(value, value)
    text = re.sub(r"\s+", " ", str(value).strip().lower())
    if _SERIAL_TEXT.match(text):
        return _from_number(float(text), value)
    if found := _ISO.match(text):
        return _make_date(int(found[1]), int(found[2]), int(found[3]), value)
    if found := _DMY.match(text):
        return _make_date(_year(found[3]), int(found[2]), int(found[1]), value)
    if (found := _NAMED.match(text)) and found[2] in _MONTHS:
        return _make_date(_year(found[3]), _MONTHS[found[2]], int(found[1]), value)
    raise CellError(DATE, f"{shown(value)} is not a date. Expected {DATE_EXPECTED}.")


def _from_number(number: float, raw: Any) -> dt.date:
    if float(number).is_integer() and 19000101 <= number <= 21001231:  # 20250325 written as a number
        whole = int(number)
        return _make_date(whole // 10000, whole // 100 % 100, whole % 100, raw)
    if _FIRST_SERIAL <= number <= _LAST_SERIAL:
        return EXCEL_EPOCH + dt.timedelta(days=int(number))
    raise CellError(
        DATE,
        f"{shown(raw)} is a number, not a date. Expected {DATE_EXPECTED}; "
        "Excel date serial numbers between 1 (1900) and 73415 (2100) are also read.",
    )


_LETTER_OPTION = re.compile(r"^[a-z]\d?\)\s*")  # Ofsted's lettered options: "a) Male", "p1) 5D: LA services"
_CODE_SPLIT = re.compile("\\s*(?::|\\s[-\u2013\u2014]\\s|\\s)\\s*")  # "N1: x", "N1 - x", "N1 x" (dashes too)


_CODE_CACHE: dict[tuple[str, Any], str | CellError] = {}
_CODE_CACHE_SIZE = 50_000  # a workbook repeats a few hundred spellings; the cache stops growing past this


def parse_code(value: Any, codes: CodeSet) -> str:
    """The stored code for a cell: the code itself, "code: label", "a) code", or the label."""
    key = (codes.name, value)
    found = _CODE_CACHE.get(key)
    if found is None:
        try:
            found = _parse_code(value, codes)
        except CellError as exc:
            found = exc
        if len(_CODE_CACHE) < _CODE_CACHE_SIZE:
            _CODE_CACHE[key] = found
    if isinstance(found, CellError):
        raise CellError(found.kind, found.message)
    return found


def _parse_code(value: Any, codes: CodeSet) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    raw = str(value).strip()
    lookup = _lookup_for(codes)
    text = _LETTER_OPTION.sub("", raw.lower()).strip()
    candidates = [text, raw.lower(), _CODE_SPLIT.split(text, maxsplit=1)[0]]
    if ":" in text or " - " in text:
        candidates.append(re.split(r":| - ", text, maxsplit=1)[1])
    for candidate in candidates:
        code = lookup.get(normalise(candidate))
        if code is not None:
            return code
    article = "an" if codes.name[0] in "aeiou" else "a"
    raise CellError(
        CODE, f"{shown(value)} is not {article} {codes.name} code. Use one of {codes.examples()} (or its label)."
    )


_YES = {"y", "yes", "true", "1", "t"}
_NO = {"n", "no", "false", "0", "f"}
_UNKNOWN = {"unknown", "not known", "u", "not recorded", "unk", "n a", "na", "not applicable"}


def parse_yes_no(value: Any, *, disability_codes: bool = False) -> bool | None:
    """True, False, or None for an answer recorded as unknown. Raises ``CellError``."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = normalise(_LETTER_OPTION.sub("", str(value).strip().lower()))
    if text in _YES:
        return True
    if text in _NO:
        return False
    if text in _UNKNOWN:
        return None
    if disability_codes and text in _DISABILITY_ANSWERS:  # DfE disability codes (NONE, MOB, LD...)
        return _DISABILITY_ANSWERS[text]
    raise CellError(
        YESNO, f"{shown(value)} is not yes or no. Use Yes or No (Y/N, True/False and 1/0 are also read), or Unknown."
    )


def parse_count(value: Any) -> int:
    if isinstance(value, bool):
        raise CellError(COUNT, f"{shown(value)} is not a number.")
    if isinstance(value, int | float):
        number = value
    else:
        text = str(value).strip()
        try:
            number = float(text) if "." in text else int(text)
        except ValueError:
            raise CellError(COUNT, f"{shown(value)} is not a whole number. Write a number such as 0, 1 or 2.") from None
    if not float(number).is_integer() or number < 0:
        raise CellError(COUNT, f"{shown(value)} is not a whole number of 0 or more.")
    if number > 32767:
        raise CellError(COUNT, f"{shown(value)} is far too large for this count. Check the cell.")
    return int(number)


def parse_text(value: Any, max_length: int) -> tuple[str, bool]:
    """The text, and whether it had to be shortened to ``max_length``."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = re.sub(r"\s+", " ", str(value)).strip()
    if max_length and len(text) > max_length:
        return text[:max_length], True
    return text, False


def parse_cell(f: Field, value: Any) -> tuple[Any, bool]:
    """The typed value of one cell (None for a word meaning "no value"), and whether text was
    shortened. Raises ``CellError``."""
    if f.blank_words and isinstance(value, str) and normalise(value) in f.blank_words:
        return None, False
    if f.kind == DATE:
        return parse_date(value), False
    if f.kind == CODE:
        return parse_code(value, f.codes), False
    if f.kind == YESNO:
        return parse_yes_no(value, disability_codes=f.codes is DISABILITY), False
    if f.kind == COUNT:
        return parse_count(value), False
    if f.kind == ID:
        return parse_child_id(value), False
    return parse_text(value, f.max_length)
