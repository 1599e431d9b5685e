"""Synthetic Ofsted Annex A workbooks, for tests, benchmarks and demonstrations.

Every value is made up: child IDs are ``SYN`` and six digits, teams are invented, and the "allocated
worker" column (which the import ignores) holds ``Worker 017``-style labels, never a name. The data
are plausible: proportions between the lists follow England's children in need statistics (many
more contacts than child protection plans), dates fall in the 12 months before the reference date
(lists 6 and 7 hold open cases started years earlier too), and each workbook spells its headings,
sheet names, codes and dates in one of the ways authorities do ("Child Unique ID" or "LA Child ID",
"a) Male" or "M", date cells, day/month/year text or Excel serial numbers).

With ``error_rate`` above 0, that share of rows gets one deliberate error of a kind the import must
find (a date that is not a date, a code not in its list, dates in the wrong order, a date after the
reference date, a yes/no it cannot read, a blank child ID, a count that is not a whole number); the
result says how many of each were made. With ``error_rate=0`` the workbook has no errors and no
queries.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import zipfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO
from xml.sax.saxutils import escape

from safeguard.extracts.census import codes as census_codes

from .columns import EXCEL_EPOCH, LISTS, column_letter

DAY = dt.timedelta(days=1)

#: Share of rows per list (contacts are the most numerous, child protection plans the fewest).
LIST_SHARES = {1: 0.34, 2: 0.08, 3: 0.18, 4: 0.17, 5: 0.08, 6: 0.10, 7: 0.05}

SHEET_NAMES = {
    1: ["List 1", "L1 Contacts", "List 1 - Contacts", "Contacts"],
    2: ["List 2", "L2 Early Help", "List 2 - Early help", "Early Help"],
    3: ["List 3", "L3 Referrals", "List 3 - Referrals", "Referrals"],
    4: ["List 4", "L4 Assessments", "List 4 - Assessments", "Assessments"],
    5: ["List 5", "L5 S47 and ICPC", "List 5 - Section 47", "S47s"],
    6: ["List 6", "L6 CIN", "List 6 - Children in need", "Children in Need"],
    7: ["List 7", "L7 CP", "List 7 - Child protection", "Child Protection Plans"],
}

#: Ways authorities write each heading (every one is recognised by ``columns``; tests check it).
HEADINGS: dict[str, list[str]] = {
    "child_id": ["Child Unique ID", "LA Child ID", "Child ID", "Person ID", "Unique ID", "Child's unique identifier"],
    "gender": ["Gender", "Sex", "Gender (M/F)"],
    "ethnicity": ["Ethnicity", "Ethnic origin", "Ethnicity code"],
    "birth_date": ["Date of Birth", "DOB", "Birth date", "D.O.B."],
    "age": ["Age of Child (Years)", "Age", "Age in years"],
    "disability": ["Does the Child have a Disability", "Disability", "Disabled (Y/N)"],
    "allocated_team": ["Allocated Team", "Team", "Responsible team"],
    "contact_date": ["Date of Contact", "Contact Date", "Contact date (dd/mm/yyyy)"],
    "contact_source": ["Contact Source", "Source of contact", "Contact source code"],
    "organisation": ["Organisation completing assessment", "Lead agency", "Organisation completing the EHA"],
    "referrals_last_12_months": [
        "Number of Referrals in Last 12 Months",
        "No. of referrals in previous 12 months",
        "Referrals in last 12 months",
    ],
    "referral_date": ["Date of referral", "Referral date", "Referral Date (dd/mm/yyyy)"],
    "referral_source": ["Referral Source", "Source of referral", "Referral source (CIN code)"],
    "referral_nfa": ["Referral NFA?", "NFA (Y/N)", "Referral resulted in no further action"],
    "child_seen": ["Child Seen During Continuous Assessment", "Child seen?", "Was the child seen"],
    "needs_support": [
        "Was the child assessed as requiring LA children's social care support?",
        "Outcome: needs social care support",
        "Assessed as in need of support",
    ],
    "authorisation_date": [
        "Continuous Assessment Date of Authorisation",
        "Assessment authorised date",
        "Date assessment completed",
    ],
    "section47s_last_12_months": [
        "Number of Section 47 Enquiries in the last 12 months",
        "No. of S47s in last 12 months",
        "Number of S47 enquiries (12 months)",
    ],
    "icpcs_last_12_months": [
        "Number of ICPCs in the last 12 months",
        "No. of ICPCs in last 12 months",
        "Number of initial conferences (12 months)",
    ],
    "icpc_not_required": [
        "Was an Initial Child Protection Conference deemed unnecessary?",
        "ICPC not required",
        "ICPC not required (Y/N)",
    ],
    "resulted_in_plan": [
        "Did the Initial Child Protection Conference Result in a Child Protection Plan",
        "ICPC outcome: CP plan",
        "Resulted in CP plan (Y/N)",
    ],
    "icpc_date": ["Date of Initial Child Protection Conference", "ICPC date", "Date of ICPC"],
    "primary_need": ["Primary Need Code", "Primary need", "Category of need"],
    "closure_reason": ["Reason for Closure", "Closure reason", "Reason case closed"],
    "case_status": ["Case Status", "Status", "Current status"],
    "last_seen_date": ["Date Child Was Last Seen", "Last seen date", "Date last seen"],
    "closure_date": ["CIN Closure Date", "Case closure date", "Date closed"],
    "previous_plans": ["Number of Previous Child Protection Plans", "Previous CP plans", "No. of previous plans"],
    "emergency_protection": [
        "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months (Y/N)",
        "EPO or police protection in last 6 months",
        "EPO/PPO in last six months",
    ],
    "seen_alone": ["Was the Child Seen Alone?", "Seen alone (Y/N)", "Child seen alone at last visit"],
    "initial_category": ["Initial Category of Abuse", "Category of abuse at start", "Initial category"],
    "latest_category": ["Latest Category of Abuse", "Current category of abuse", "Latest category"],
    "last_visit_date": ["Date of the Last Statutory Visit", "Last statutory visit date", "Date of last visit"],
    "latest_review_date": ["Date of latest review conference", "Latest RCPC date", "Last review date"],
    "end_date": ["Child Protection Plan End Date", "CP plan end date", "Date plan ended"],
}
#: ``start_date`` is spelt per list.
START_HEADINGS = {
    2: ["Assessment start date", "EH assessment start date", "Date early help assessment started"],
    4: ["Continuous Assessment Start Date", "Assessment start date", "C&F assessment start date"],
    5: ["Strategy discussion initiating Section 47 Enquiry Start Date", "S47 start date", "Date S47 started"],
    6: ["CIN Start Date", "Child in need start date", "Episode start date"],
    7: ["Child Protection Plan Start Date", "CP plan start date", "Plan start"],
}
#: The date each list is about (the one a deliberate date error goes into).
KEY_DATES = {1: "contact_date", 3: "referral_date"} | dict.fromkeys((2, 4, 5, 6, 7), "start_date")
COMPLETION_HEADINGS = ["Assessment completion date", "Date assessment completed", "EH assessment end date"]

TEAMS = [
    "North Safeguarding Team",
    "Central Assessment Team",
    "South Family Support Team",
    "Children with Disabilities Team",
    "Front Door (MASH)",
    "East Child Protection Team",
]
ORGANISATIONS = ["Primary school", "Secondary school", "Health visiting", "Family hub", "Youth service", "GP surgery"]
ETHNICITY_WEIGHTS = {
    "WBRI": 64,
    "WOTH": 6,
    "MWBC": 3,
    "MOTH": 3,
    "AIND": 2,
    "APKN": 4,
    "ABAN": 1,
    "BAFR": 4,
    "BCRB": 2,
    "OOTH": 3,
    "WROM": 1,
    "NOBT": 4,
    "REFU": 1,
    "CHNE": 1,
    "WIRI": 1,
}
SOURCE_WEIGHTS = {"6": 28, "2A": 18, "3A": 4, "3B": 3, "3E": 4, "3F": 3, "1A": 8, "1C": 1, "5A": 3, "5D": 8, "8": 6}
NEED_WEIGHTS = {"N1": 56, "N2": 10, "N3": 4, "N4": 10, "N5": 13, "N6": 2, "N7": 1, "N8": 3, "N0": 1}
CATEGORY_WEIGHTS = {"NEG": 50, "EMO": 37, "PHY": 7, "SAB": 4, "MUL": 2}
LETTERED_GENDER = {"M": "a) Male", "F": "b) Female", "U": "c) Not stated/recorded"}


@dataclasses.dataclass
class Child:
    child_id: str
    gender: str
    ethnicity: str
    birth_date: dt.date
    disability: bool


@dataclasses.dataclass
class GeneratedWorkbook:
    rows: dict[int, int]  # list number -> rows written
    errors: Counter  # rule code -> deliberate errors made
    reference_date: dt.date

    def as_json(self) -> dict:
        return {
            "reference_date": self.reference_date.isoformat(),
            "rows": {str(k): v for k, v in self.rows.items()},
            "errors_made": dict(sorted(self.errors.items())),
        }


class _Style:
    """How one authority writes its workbook: headings, sheet names, codes and dates."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.variant = rng.randrange(3)
        self.sheet_variant = rng.randrange(4)
        self.lettered = rng.random() < 0.4  # Ofsted's "a) Male" options
        self.text_dates = rng.random() < 0.3  # dates typed as text
        self.serial_dates = rng.random() < 0.15  # dates pasted as numbers

    def heading(self, list_number: int, name: str) -> str:
        if name == "start_date":
            return START_HEADINGS[list_number][self.variant]
        if name == "completion_date":
            return COMPLETION_HEADINGS[self.variant]
        return HEADINGS[name][self.variant % len(HEADINGS[name])]

    def date(self, day: dt.date | None) -> Any:
        if day is None:
            return None
        roll = self.rng.random()
        if self.serial_dates and roll < 0.5:
            return (day - EXCEL_EPOCH).days
        if self.text_dates and roll < 0.7:
            return day.strftime("%d/%m/%Y")
        return day

    def gender(self, code: str) -> str:
        return LETTERED_GENDER[code] if self.lettered else code

    def ethnicity(self, code: str) -> str:
        if self.lettered:
            return f"{code} - {census_codes.ETHNICITIES[code]}"
        return code

    def yes_no(self, value: bool | None) -> str | None:
        if value is None:
            return "c) Unknown" if self.lettered else "Unknown"
        if self.lettered:
            return "a) Yes" if value else "b) No"
        return ("Yes", "No", "Y", "N")[(0 if value else 1) + 2 * (self.variant == 2)]


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _between(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    if last <= first:
        return first
    return first + dt.timedelta(days=rng.randrange((last - first).days + 1))


def _age(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


class _Builder:
    def __init__(self, *, rows: int, seed: int, error_rate: float, reference_date: dt.date):
        self.rng = random.Random(seed)  # noqa: S311 - synthetic test data, not security
        self.style = _Style(self.rng)
        self.ref = reference_date
        self.window_start = self._year_before(reference_date) + DAY
        self.error_rate = error_rate
        self.errors: Counter = Counter()
        self.counts = self._split(rows)
        self.pool = [self._child(n) for n in range(max(10, int(rows * 0.6)))]
        self.extra_children = 0

    @staticmethod
    def _year_before(day: dt.date) -> dt.date:
        try:
            return day.replace(year=day.year - 1)
        except ValueError:
            return day.replace(year=day.year - 1, day=28)

    @staticmethod
    def _split(rows: int) -> dict[int, int]:
        counts = {number: int(rows * share) for number, share in LIST_SHARES.items()}
        if rows >= len(counts):
            for number in counts:
                counts[number] = max(1, counts[number])
        counts[1] += rows - sum(counts.values())
        return counts

    def _child(self, n: int) -> Child:
        rng = self.rng
        return Child(
            child_id=f"SYN{100000 + n:06d}",
            gender=rng.choices(["M", "F", "U"], weights=[50, 48, 2])[0],
            ethnicity=_weighted(rng, ETHNICITY_WEIGHTS),
            birth_date=_between(rng, self.ref - dt.timedelta(days=17 * 365), self.ref - dt.timedelta(days=30)),
            disability=rng.random() < 0.1,
        )

    def _children_once(self, count: int) -> list[Child]:
        """``count`` different children (for the lists with one row per child)."""
        chosen = self.rng.sample(self.pool, min(count, len(self.pool)))
        while len(chosen) < count:
            chosen.append(self._child(len(self.pool) + self.extra_children))
            self.extra_children += 1
        return chosen

    # --- rows -----------------------------------------------------------------------------
    def common(self, child: Child) -> dict[str, Any]:
        return {
            "child_id": child.child_id,
            "gender": child.gender,
            "ethnicity": child.ethnicity,
            "birth_date": child.birth_date,
            "age": _age(child.birth_date, self.ref),
            "disability": child.disability,
            "allocated_team": self.rng.choice(TEAMS),
        }

    def in_window(self, after: dt.date | None = None) -> dt.date:
        return _between(self.rng, max(self.window_start, after or self.window_start), self.ref)

    def row(self, number: int, child: Child) -> dict[str, Any]:
        rng = self.rng
        values = self.common(child)
        born = child.birth_date
        if number == 1:
            values |= {"contact_date": self.in_window(born), "contact_source": _weighted(rng, SOURCE_WEIGHTS)}
        elif number == 2:
            start = self.in_window(born)
            done = start + dt.timedelta(days=rng.randrange(10, 60)) if rng.random() < 0.7 else None
            values |= {
                "start_date": start,
                "completion_date": done if done and done <= self.ref else None,
                "organisation": rng.choice(ORGANISATIONS),
            }
        elif number == 3:
            values |= {
                "referral_date": self.in_window(born),
                "referral_source": _weighted(rng, SOURCE_WEIGHTS),
                "referral_nfa": rng.random() < 0.07,
                "referrals_last_12_months": rng.choices([1, 2, 3, 4], weights=[70, 20, 7, 3])[0],
            }
        elif number == 4:
            start = self.in_window(born)
            done = start + dt.timedelta(days=rng.randrange(5, 60)) if rng.random() < 0.85 else None
            done = done if done and done <= self.ref else None
            values |= {
                "start_date": start,
                "child_seen": rng.random() < 0.95,
                "authorisation_date": done,
                "needs_support": (rng.random() < 0.65) if done else None,
            }
        elif number == 5:
            values |= self._section47(born)
        elif number == 6:
            values |= self._child_in_need(born)
        else:
            values |= self._protection_plan(born)
        return values

    def _section47(self, born: dt.date) -> dict[str, Any]:
        rng = self.rng
        start = self.in_window(born)
        held = start + dt.timedelta(days=rng.randrange(7, 35)) if rng.random() < 0.45 else None
        held = held if held and held <= self.ref else None
        return {
            "start_date": start,
            "icpc_not_required": False if held else rng.random() < 0.7,
            "icpc_date": held,
            "resulted_in_plan": (rng.random() < 0.85) if held else None,
            "section47s_last_12_months": rng.choices([1, 2, 3], weights=[80, 15, 5])[0],
            "icpcs_last_12_months": (1 if held else 0) + (rng.random() < 0.05),
        }

    def _child_in_need(self, born: dt.date) -> dict[str, Any]:
        rng = self.rng
        start = _between(rng, max(born, self.ref - dt.timedelta(days=5 * 365)), self.ref)
        closed = self.in_window(start) if rng.random() < 0.35 else None
        seen = _between(rng, max(start, (closed or self.ref) - dt.timedelta(days=60)), closed or self.ref)
        return {
            "start_date": start,
            "primary_need": _weighted(rng, NEED_WEIGHTS),
            "last_seen_date": seen,
            "closure_date": closed,
            "closure_reason": rng.choice(["RC7", "RC8", "RC9", "RC5"]) if closed else "",
            "case_status": "CLOSED" if closed else rng.choice(["CINP", "CPP", "LAC", "ASMT"]),
        }

    def _protection_plan(self, born: dt.date) -> dict[str, Any]:
        rng = self.rng
        start = _between(rng, max(born, self.ref - dt.timedelta(days=900)), self.ref - DAY)
        ended = self.in_window(start + DAY) if rng.random() < 0.3 else None
        last = ended or self.ref
        review = _between(rng, start + dt.timedelta(days=90), last) if (last - start).days > 90 else None
        initial = _weighted(rng, CATEGORY_WEIGHTS)
        return {
            "start_date": start,
            "initial_category": initial,
            "latest_category": initial if rng.random() < 0.85 else _weighted(rng, CATEGORY_WEIGHTS),
            "last_visit_date": _between(rng, max(start, last - dt.timedelta(days=20)), last),
            "seen_alone": rng.choice([True, True, True, False, None]),
            "latest_review_date": review,
            "end_date": ended,
            "emergency_protection": rng.random() < 0.03,
            "previous_plans": rng.choices([0, 1, 2], weights=[75, 20, 5])[0],
        }

    # --- deliberate errors ----------------------------------------------------------------
    def maybe_break(self, number: int, values: dict[str, Any]) -> None:
        if self.error_rate <= 0 or self.rng.random() >= self.error_rate:
            return
        breakers = self._breakers(number, values)
        code, damage = self.rng.choice(breakers)
        damage()
        self.errors[code] += 1

    def _breakers(self, number: int, values: dict[str, Any]) -> list[tuple[str, Callable[[], None]]]:
        key = KEY_DATES[number]
        yes_no = next(f.name for f in LISTS[number].fields if f.kind == "yes/no" and f.name in values)
        count = next((f.name for f in LISTS[number].fields if f.kind == "count" and f.name != "age"), "age")
        out: list[tuple[str, Callable[[], None]]] = [
            ("AA02", lambda: values.__setitem__(key, "31/02/2025")),
            ("AA03", lambda: values.__setitem__("ethnicity", "ZZZZ")),
            ("AA05", lambda: values.__setitem__(key, self.ref + dt.timedelta(days=10))),
            ("AA07", lambda: values.__setitem__(yes_no, "Maybe")),
            ("AA08", lambda: values.__setitem__("child_id", None)),
            ("AA09", lambda: values.__setitem__(count, "two")),
        ]
        later = {2: "completion_date", 4: "authorisation_date", 5: "icpc_date", 6: "closure_date", 7: "end_date"}
        if number in later:
            start_name = "start_date"

            def wrong_order():
                values[later[number]] = values[start_name] - dt.timedelta(days=3)
                if number == 7:
                    values["latest_review_date"] = None
                if number == 6 and not values["closure_reason"]:
                    values["closure_reason"], values["case_status"] = "RC7", "CLOSED"
                if number == 5:
                    values["icpc_not_required"] = False

            out.append(("AA04", wrong_order))
        return out

    # --- writing --------------------------------------------------------------------------
    def cell(self, name: str, value: Any) -> Any:
        if value is None or (isinstance(value, str) and name not in ("gender", "ethnicity")):
            return value
        if isinstance(value, dt.date):
            return self.style.date(value)
        if isinstance(value, bool):
            return self.style.yes_no(value)
        if name == "gender":
            return self.style.gender(value)
        if name == "ethnicity":
            return self.style.ethnicity(value) if value in census_codes.ETHNICITIES else value
        return value

    def fill(self, workbook: XlsxWriter, number: int) -> int:
        spec = LISTS[number]
        names = [f.name for f in spec.fields]
        rows: list[list[Any]] = [[self.style.heading(number, name) for name in names] + ["Allocated Worker"]]
        count = self.counts[number]
        children = self._children_once(count) if spec.one_row_per_child else self.rng.choices(self.pool, k=count)
        for child in children:
            values = self.row(number, child)
            self.maybe_break(number, values)
            worker = f"Worker {self.rng.randrange(1, 120):03d}"
            rows.append([self.cell(name, values.get(name)) for name in names] + [worker])
        workbook.add_sheet(SHEET_NAMES[number][self.style.sheet_variant], rows)
        return count


class XlsxWriter:
    """A minimal Excel workbook writer that stores text in a shared strings table, as Excel does
    (openpyxl writes every text cell inline, which makes its files slower to read than real ones,
    and a benchmark on them unrepresentative). Dates are written as date-formatted serial numbers."""

    _MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    _REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    _PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"

    def __init__(self) -> None:
        self.sheets: list[tuple[str, str]] = []  # (name, worksheet XML)
        self.strings: dict[str, int] = {}

    def _string(self, text: str) -> int:
        index = self.strings.get(text)
        if index is None:
            index = self.strings[text] = len(self.strings)
        return index

    def _cell(self, ref: str, value: Any) -> str:
        if isinstance(value, dt.date):
            return f'<c r="{ref}" s="1"><v>{(value - EXCEL_EPOCH).days}</v></c>'
        if isinstance(value, bool):
            return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
        if isinstance(value, int | float):
            return f'<c r="{ref}"><v>{value}</v></c>'
        return f'<c r="{ref}" t="s"><v>{self._string(str(value))}</v></c>'

    def add_sheet(self, name: str, rows: list[list[Any]]) -> None:
        width = max((len(row) for row in rows), default=1)
        letters = [column_letter(i) for i in range(width)]
        parts = [f'<worksheet xmlns="{self._MAIN}"><dimension ref="A1:{letters[-1]}{max(1, len(rows))}"/><sheetData>']
        for number, row in enumerate(rows, start=1):
            cells = "".join(
                self._cell(f"{letters[i]}{number}", value) for i, value in enumerate(row) if value is not None
            )
            parts.append(f'<row r="{number}">{cells}</row>')
        parts.append("</sheetData></worksheet>")
        self.sheets.append((name, "".join(parts)))

    def save(self, output: Path | str | BinaryIO) -> None:
        with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("[Content_Types].xml", self._content_types())
            archive.writestr("_rels/.rels", self._rels([("officeDocument", "xl/workbook.xml")]))
            archive.writestr("xl/workbook.xml", self._workbook())
            links = [("worksheet", f"worksheets/sheet{i}.xml") for i in range(1, len(self.sheets) + 1)]
            links += [("styles", "styles.xml"), ("sharedStrings", "sharedStrings.xml")]
            archive.writestr("xl/_rels/workbook.xml.rels", self._rels(links))
            for i, (_name, xml) in enumerate(self.sheets, start=1):
                archive.writestr(f"xl/worksheets/sheet{i}.xml", xml)
            archive.writestr("xl/styles.xml", self._styles())
            strings = "".join(f"<si><t>{escape(text)}</t></si>" for text in self.strings)
            archive.writestr(
                "xl/sharedStrings.xml",
                f'<sst xmlns="{self._MAIN}" uniqueCount="{len(self.strings)}">{strings}</sst>',
            )

    def _content_types(self) -> str:
        base = "application/vnd.openxmlformats-officedocument.spreadsheetml"
        sheets = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{base}.worksheet+xml"/>'
            for i in range(1, len(self.sheets) + 1)
        )
        return (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{base}.sheet.main+xml"/>{sheets}'
            f'<Override PartName="/xl/styles.xml" ContentType="{base}.styles+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{base}.sharedStrings+xml"/>'
            "</Types>"
        )

    def _rels(self, links: list[tuple[str, str]]) -> str:
        items = "".join(
            f'<Relationship Id="rId{i}" Type="{self._REL}/{kind}" Target="{target}"/>'
            for i, (kind, target) in enumerate(links, start=1)
        )
        head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        return f'{head}<Relationships xmlns="{self._PKG_REL}">{items}</Relationships>'

    def _workbook(self) -> str:
        sheets = "".join(
            f'<sheet name="{escape(name, {chr(34): "&quot;"})}" sheetId="{i}" r:id="rId{i}"/>'
            for i, (name, _xml) in enumerate(self.sheets, start=1)
        )
        return f'<workbook xmlns="{self._MAIN}" xmlns:r="{self._REL}"><sheets>{sheets}</sheets></workbook>'

    def _styles(self) -> str:
        return (
            f'<styleSheet xmlns="{self._MAIN}">'
            '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill>'
            '<fill><patternFill patternType="gray125"/></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
            '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            "</styleSheet>"
        )


def generate_annex_a(
    *, output: Path | str | BinaryIO, rows: int, seed: int = 0, error_rate: float = 0.0, reference_date: dt.date
) -> GeneratedWorkbook:
    """Write a synthetic Annex A workbook with about ``rows`` rows over lists 1-7 (and a small list 8,
    which the import reports as not imported, and a cover sheet)."""
    if rows < 0:
        raise ValueError("rows must be 0 or more")
    if not 0 <= error_rate <= 1:
        raise ValueError("error_rate must be between 0 and 1")
    builder = _Builder(rows=rows, seed=seed, error_rate=error_rate, reference_date=reference_date)
    workbook = XlsxWriter()
    workbook.add_sheet(
        "Cover", [["Synthetic Annex A workbook made by Safeguard: no real children"], ["Lists run to", reference_date]]
    )
    written = {number: builder.fill(workbook, number) for number in LISTS}
    in_care = [["Child Unique ID", "Gender", "Date started to be looked after"]]
    in_care += [[child.child_id, child.gender, builder.in_window()] for child in builder.pool[:3]]
    workbook.add_sheet("List 8 - Children in care", in_care)
    workbook.save(output)
    return GeneratedWorkbook(rows=written, errors=builder.errors, reference_date=reference_date)
