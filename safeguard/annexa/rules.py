"""Annex A validation checks, and who may import and read Annex A workbooks.

Validation
----------
Each check is a small named function registered with ``@annex_rule``: its code (``AA`` and two
digits; a ``Q`` at the end marks a query), severity, a title and how to fix it. The source of each
check is in its docstring. An **error** stops the workbook from being loaded (nothing of it is
kept but the findings); a **query** is for the authority to look at and does not stop the load.

- a **row** check is ``f(row: RowRecord, ctx: AnnexAContext) -> Iterable[Hit]``;
- a **sheet** check is ``f(sheet: SheetRecord, ctx) -> Iterable[Hit]`` (the column headings);
- a **file** check is a class with ``see(row, ctx)`` for every row and ``finish(ctx)`` yielding
  ``(child_id, Hit)`` after the last one (rows of one child across a list);
- a **workbook** check is ``f(found: dict[int, int], ctx) -> Iterable[Hit]`` with the rows read
  per list.

Cell-level problems (a date that is not a date, a code not in its list...) are found while the
cell is read (``columns.parse_cell``) and carried on the row as ``CellProblem``; the checks AA02,
AA03, AA07, AA08, AA09, AA11 and AA16Q turn them into findings.

Permissions (django-rules)
--------------------------
- ``annexa.import_extract``: upload and import a workbook: ``extracts.import`` (the analyst role).
- ``annexa.view_extract``: see how a workbook was read (sheets, headings, row counts; no child-level
  data): ``indicators.view`` (every staff role and read-only).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import rules

from safeguard.core.access import has_capability
from safeguard.core.roles import Capability
from safeguard.extracts.census.validation import ERROR, QUERY, FindingRecord, Hit

from . import columns
from .columns import ColumnMatch, ListSpec


# --- Permissions ------------------------------------------------------------------------------
def _partnership_id(obj):
    if obj is None:
        return None
    if obj.__class__.__name__ == "Partnership":
        return obj.pk
    return obj.partnership_id


@rules.predicate
def can_import_annex_a(user, obj=None) -> bool:
    return has_capability(user, _partnership_id(obj), Capability.IMPORT_EXTRACTS)


@rules.predicate
def can_view_annex_a(user, obj=None) -> bool:
    return has_capability(user, _partnership_id(obj), Capability.VIEW_INDICATORS)


rules.add_perm("annexa.import_extract", can_import_annex_a)
rules.add_perm("annexa.view_extract", can_view_annex_a)


# --- What the checks read ---------------------------------------------------------------------
@dataclass(slots=True)
class CellProblem:
    field: str  # the field's name (columns.Field.name)
    kind: str  # columns.DATE, CODE, YESNO, COUNT, ID, or MISSING / SHORTENED below
    message: str


MISSING = "missing"
SHORTENED = "shortened"


@dataclass(slots=True)
class RowRecord:
    """One data row of a list sheet, read and typed."""

    spec: ListSpec
    sheet: str
    line: int
    values: dict[str, Any]
    headings: dict[str, str]  # field name -> heading as written in the sheet
    problems: list[CellProblem] = field(default_factory=list)

    @property
    def child_id(self) -> str:
        return self.values.get("child_id") or ""

    @property
    def has_cell_errors(self) -> bool:
        return any(p.kind != SHORTENED for p in self.problems)

    def where(self, name: str) -> str:
        """``Sheet “L3 Referrals”, row 12, column “Date of referral”``."""
        heading = self.headings.get(name)
        column = f", column “{heading}”" if heading else ""
        return f"Sheet “{self.sheet}” ({self.spec.name}), row {self.line}{column}"


@dataclass(slots=True)
class SheetRecord:
    """A sheet taken for a list, with its heading row matched to the list's fields."""

    name: str
    spec: ListSpec
    header_row: int | None  # None: no heading row was recognised
    match: ColumnMatch


@dataclass
class AnnexAContext:
    """The date the lists run to and the inspection window before it."""

    reference_date: dt.date
    window_start: dt.date = field(init=False)

    def __post_init__(self) -> None:
        self.window_start = years_before(self.reference_date, 1) + dt.timedelta(days=1)


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def fmt(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


# --- Registry ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class AnnexRule:
    code: str
    severity: str
    title: str
    fix: str
    scope: str  # "row", "sheet", "file", "workbook" or "note"
    func: Callable | None

    @property
    def source(self) -> str:
        return (self.func.__doc__ or "").strip() if self.func else ""


REGISTRY: dict[str, AnnexRule] = {}
SCOPES = ("row", "sheet", "file", "workbook", "note")


def annex_rule(code: str, *, severity: str, title: str, fix: str, scope: str = "row"):
    """Register a check (a function, or a class for ``scope="file"``). Returns it unchanged."""
    if severity not in (ERROR, QUERY):
        raise ValueError(f"Rule {code}: severity must be 'error' or 'query'.")
    if scope not in SCOPES:
        raise ValueError(f"Rule {code}: scope must be one of {', '.join(SCOPES)}.")
    if code in REGISTRY:
        raise ValueError(f"Rule {code} is registered twice.")
    if code.endswith("Q") != (severity == QUERY):
        raise ValueError(f"Rule {code}: codes ending in Q are queries, and only they are.")

    def register(func):
        REGISTRY[code] = AnnexRule(code, severity, title, fix, scope, func)
        return func

    return register


def all_rules() -> list[AnnexRule]:
    return sorted(REGISTRY.values(), key=lambda r: r.code)


def _cell_hits(row: RowRecord, kind: str) -> Iterator[Hit]:
    for problem in row.problems:
        if problem.kind == kind:
            yield Hit(row.headings.get(problem.field, ""), row.line, f"{row.where(problem.field)}: {problem.message}")


# --- Sheet checks -----------------------------------------------------------------------------
@annex_rule(
    "AA01",
    severity=ERROR,
    title="A column the list needs is missing",
    fix="Add the column to the sheet, or give it a heading Safeguard recognises (the column matching page "
    "shows the headings read and the usual wording), then import the workbook again.",
    scope="sheet",
)
def required_column_missing(sheet: SheetRecord, ctx: AnnexAContext) -> Iterator[Hit]:
    """Source: Ofsted ILACS Annex A list definitions: every list identifies the child (child unique
    ID) and dates the event it lists (contact, referral, assessment, enquiry or plan start)."""
    if sheet.header_row is None:
        yield Hit(
            "",
            None,
            f"Sheet “{sheet.name}” ({sheet.spec.name}): no row of column headings was recognised in its first "
            f"{columns.HEADER_SEARCH_ROWS} rows, so none of its columns could be read (the list needs at least "
            + ", ".join(f"“{f.label}”" for f in sheet.spec.required_fields)
            + ").",
        )
        return
    for f in sheet.match.missing_required:
        yield Hit(
            f.label,
            sheet.header_row,
            f"Sheet “{sheet.name}” ({sheet.spec.name}) has no column for “{f.label}”. "
            f"Headings were read from row {sheet.header_row}.",
        )


# --- Cell checks ------------------------------------------------------------------------------
@annex_rule(
    "AA02",
    severity=ERROR,
    title="A date cannot be read",
    fix="Enter the date as a date cell or as day/month/year (for example 25/03/2025).",
)
def date_not_readable(row: RowRecord, ctx: AnnexAContext) -> Iterator[Hit]:
    """Source: Ofsted ILACS Annex A asks for dates as dd/mm/yyyy. Date cells, Excel serial numbers
    and ISO dates (2025-03-25) are read too."""
    yield from _cell_hits(row, columns.DATE)


@annex_rule(
    "AA03",
    severity=ERROR,
    title="A code is not in its list",
    fix="Use a code from the DfE children in need census code set (or Ofsted's wording of it), for example "
    "WBRI for White British, N1 for abuse or neglect, NEG for neglect.",
)
def code_not_in_list(row: RowRecord, ctx: AnnexAContext) -> Iterator[Hit]:
    """Source: DfE "Children in need census: guide", code sets for sex, ethnicity, referral source,
    primary need, reason for closure and category of abuse (``safeguard.extracts.census.codes``);
    the census rules 4180, 4220, 8866, 8650, 8640, 8905 and 8910 check the same codes. Ofsted's
    Annex A uses these code sets."""
    yield from _cell_hits(row, columns.CODE)


@annex_rule(
    "AA07",
    severity=ERROR,
    title="A yes/no answer is not recognised",
    fix="Enter Yes or No (Y/N, True/False and 1/0 are also read), or Unknown where Annex A allows it.",
)
def yes_no_not_recognised(row: RowRecord, ctx: AnnexAContext) -> Iterator[Hit]:
    """Source: Ofsted ILACS Annex A yes/no columns (child seen, referral NFA, ICPC not required,
    seen alone, EPO in the last six months, disability)."""
    yield from _cell_hits(row, columns.YESNO)


@annex_rule(
    "AA08",
    severity=ERROR,
    title="A value the list needs is blank",
    fix="Fill in the cell: every row needs the child's unique ID and the date of the event the list is about.",
)
def required_value_missing(row: RowRecord, ctx: AnnexAContext) -> Iterator[Hit]:
    """Source: Ofsted ILACS Annex A list definitions (one row per child or event, identified by the
    child unique ID and dated)."""
    yield from _cell_hits(row, MISSING)


@annex_rule(
    "AA09",
    severity=ERROR,
    title="A number is not a whole number",
    fix="Enter a whole number of 0 or more (for example the number of previous plans).",
)
def count_not_whole_number(row: RowRecord, ctx: AnnexAContext) -> Iterator[Hit]:
    """Source: Ofsted ILACS Annex A count columns (age, referrals, enquiries and ICPCs in the last 12
    months, previous child protection plans); DfE rule 8730 asks for the number of previous plans."""
    yield from _cell_hits(row, columns.COUNT)


@annex_rule(
    "AA11",
    severity=ERROR,
    title="A child ID cannot be used",
    fix="Use the child's ID from the case management system: at most 40 letters, digits and separators.",
)
def child_id_unusable(row: RowRecord, ctx: AnnexAContext) -> Iterator[Hit]:
    """Source: DfE CIN census rules 1570 and 1580 (LAchildID length and characters), relaxed to the
    40 characters Safeguard stores since Annex A IDs come from several systems."""
    yield from _cell_hits(row, columns.ID)


@annex_rule(
    "AA16Q",
    severity=QUERY,
    title="A text was too long and was shortened",
    fix="Check the cell: only the start of the text was kept.",
)
def text_shortened(row: RowRecord, ctx: AnnexAContext) -> Iterator[Hit]:
    """Source: Safeguard's storage limits (200 characters for a team or organisation name)."""
    yield from _cell_hits(row, SHORTENED)


# --- Row checks -------------------------------------------------------------------------------
@annex_rule(
    "AA04",
    severity=ERROR,
    title="Dates are in the wrong order",
    fix="Check both dates against the case record: one of them is wrong.",
)
def dates_in_wrong_order(row: RowRecord, ctx: AnnexAContext) -> Iterator[Hit]:
    """Source: the order of events in each list (``columns.ListSpec.order`` names the DfE CIN census
    rule behind each pair: 8608 assessment, 8615 section 47 and ICPC, 8630 CIN closure, 8925, 8840
    and 8841 child protection plans)."""
    for order in row.spec.order:
        earlier, later = row.values.get(order.earlier), row.values.get(order.later)
        if earlier is None or later is None:
            continue
        if later < earlier or (order.strict and later == earlier):
            first, second = row.spec.field(order.earlier), row.spec.field(order.later)
            relation = "the same day as" if later == earlier else "before"
            yield Hit(
                row.headings.get(order.later, ""),
                row.line,
                f"{row.where(order.later)}: {second.label} {fmt(later)} is {relation} "
                f"{first.label.lower()} {fmt(earlier)} ({order.source}).",
            )


@annex_rule(
    "AA05",
    severity=ERROR,
    title="A date is after the date the lists run to",
    fix="Correct the date, or import again with the reference date the lists really run to.",
)
def date_after_reference_date(row: RowRecord, ctx: AnnexAContext) -> Iterator[Hit]:
    """Source: Ofsted ILACS Annex A: the lists run to the date in Ofsted's request, so no event can
    be after it. Dates of birth are not checked (an unborn child's expected date may be later)."""
    for f in row.spec.fields:
        value = row.values.get(f.name)
        if f.kind == columns.DATE and f.name != "birth_date" and value is not None and value > ctx.reference_date:
            yield Hit(
                row.headings.get(f.name, ""),
                row.line,
                f"{row.where(f.name)}: {fmt(value)} is after the reference date {fmt(ctx.reference_date)}.",
            )


@annex_rule(
    "AA05Q",
    severity=QUERY,
    title="A date is before the inspection window",
    fix="Check the date. If it is right, the row probably does not belong in this list.",
)
def date_before_window(row: RowRecord, ctx: AnnexAContext) -> Iterator[Hit]:
    """Source: Ofsted ILACS Annex A: each list covers the 12 months before the reference date
    (lists 1-5: events in the window; lists 6 and 7: open cases, and cases closed in the window, so
    only their closure or end date is checked; their start can be years earlier)."""
    name = row.spec.window_field
    value = row.values.get(name)
    if value is not None and value < ctx.window_start:
        yield Hit(
            row.headings.get(name, ""),
            row.line,
            f"{row.where(name)}: {fmt(value)} is before {fmt(ctx.window_start)}; this list holds "
            f"{row.spec.window_note}.",
        )


@annex_rule(
    "AA10Q",
    severity=QUERY,
    title="The age does not match the date of birth",
    fix="Check the date of birth and the age.",
)
def age_disagrees_with_birth_date(row: RowRecord, ctx: AnnexAContext) -> Iterator[Hit]:
    """Source: Ofsted ILACS Annex A gives both the date of birth and the age in years; the age may be
    taken at the reference date or at the event, so either is accepted."""
    age, born = row.values.get("age"), row.values.get("birth_date")
    if age is None or born is None or born > ctx.reference_date:
        return
    event = row.values.get(row.spec.window_field)
    allowed = {whole_years(born, ctx.reference_date)}
    if event is not None and event >= born:
        allowed.add(whole_years(born, event))
    if age not in allowed:
        expected = " or ".join(str(a) for a in sorted(allowed))
        yield Hit(
            row.headings.get("age", ""),
            row.line,
            f"{row.where('age')}: age {age} does not match the date of birth {fmt(born)} (expected {expected}).",
        )


def whole_years(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


@annex_rule(
    "AA12",
    severity=ERROR,
    title="A closure date and its reason do not go together",
    fix="Give both the closure date and the reason for closure, or neither if the episode is still open.",
)
def closure_date_and_reason_disagree(row: RowRecord, ctx: AnnexAContext) -> Iterator[Hit]:
    """Source: DfE CIN census rules 8805 (a closure date needs a reason) and 8810 (a reason needs a
    closure date), applied to Annex A list 6."""
    if row.spec.number != 6 or "closure_reason" not in row.headings or "closure_date" not in row.headings:
        return
    closed, reason = row.values.get("closure_date"), row.values.get("closure_reason")
    if closed is not None and not reason and not _failed(row, "closure_reason"):
        yield Hit(
            row.headings["closure_reason"],
            row.line,
            f"{row.where('closure_reason')}: the episode closed on {fmt(closed)} but no reason for closure is given.",
        )
    if reason and closed is None and not _failed(row, "closure_date"):
        yield Hit(
            row.headings["closure_date"],
            row.line,
            f"{row.where('closure_date')}: a reason for closure ({reason}) is given but no closure date.",
        )


def _failed(row: RowRecord, name: str) -> bool:
    return any(p.field == name for p in row.problems)


@annex_rule(
    "AA13Q",
    severity=QUERY,
    title="The section 47 outcome columns disagree",
    fix="Check whether an initial child protection conference was held, and correct the columns that are wrong.",
)
def section47_outcome_disagrees(row: RowRecord, ctx: AnnexAContext) -> Iterator[Hit]:
    """Source: DfE CIN census guide, Section47 module: ICPCnotRequired is set only when no initial
    conference is held (rules 8868 and 8675Q check the same outcome); a child protection plan follows
    a conference."""
    if row.spec.number != 5:
        return
    held, not_required = row.values.get("icpc_date"), row.values.get("icpc_not_required")
    if held is not None and not_required is True:
        yield Hit(
            row.headings.get("icpc_not_required", ""),
            row.line,
            f"{row.where('icpc_not_required')}: the conference is marked as not required, but it is dated {fmt(held)}.",
        )
    if held is None and row.values.get("resulted_in_plan") is True and "icpc_date" in row.headings:
        yield Hit(
            row.headings.get("resulted_in_plan", ""),
            row.line,
            f"{row.where('resulted_in_plan')}: a child "
            "protection plan is recorded as the result, but there is no conference date.",
        )


# --- Checks across rows -----------------------------------------------------------------------
@annex_rule(
    "AA06",
    severity=ERROR,
    title="A child is on the list twice for the same time",
    fix="Remove the duplicate row, or correct the start and end dates so the periods do not overlap.",
    scope="file",
)
class OverlappingRowsForOneChild:
    """Source: DfE CIN census rules 8820 (a child's CIN episodes overlap) and 8940 (a child's child
    protection plans overlap), applied to Annex A lists 6 and 7, which hold one row per child per
    episode or plan."""

    def __init__(self) -> None:
        self.periods: dict[tuple[int, str], list[tuple[dt.date, dt.date, int, str, str]]] = defaultdict(list)

    def see(self, row: RowRecord, ctx: AnnexAContext) -> None:
        if not row.spec.one_row_per_child or not row.child_id or row.spec.period is None:
            return
        start_name, end_name = row.spec.period
        start = row.values.get(start_name) or dt.date.min
        end = row.values.get(end_name) or dt.date.max
        self.periods[(row.spec.number, row.child_id)].append(
            (start, end, row.line, row.where(start_name), row.headings.get(start_name, ""))
        )

    def finish(self, ctx: AnnexAContext) -> Iterator[tuple[str, Hit]]:
        for (_number, child_id), periods in self.periods.items():
            if len(periods) < 2:
                continue
            periods.sort()
            latest_start, latest_end, latest_line = periods[0][0], periods[0][1], periods[0][2]
            for start, end, line, where, heading in periods[1:]:
                if start < latest_end or start == latest_start:
                    yield (
                        child_id,
                        Hit(
                            heading,
                            line,
                            f"{where}: child {child_id} is also on row {latest_line}, "
                            "for a period that overlaps this one.",
                        ),
                    )
                if end >= latest_end:
                    latest_start, latest_end, latest_line = start, end, line


@annex_rule(
    "AA14Q",
    severity=QUERY,
    title="A list is missing or empty",
    fix="If the authority has rows for this list, add its sheet (named, for example, “List 5”) and import again.",
    scope="workbook",
)
def list_missing_or_empty(found: dict[int, int], ctx: AnnexAContext) -> Iterator[Hit]:
    """Source: Ofsted ILACS Annex A asks for lists 1-7 (an authority with nothing to list sends the
    sheet with its headings)."""
    for number, spec in columns.LISTS.items():
        if number not in found:
            yield Hit("", 0, f"The workbook has no sheet for {spec.name}: figures that need it will be blank.")
        elif found[number] == 0:
            yield Hit("", 0, f"The sheet for {spec.name} has headings but no rows.")


@annex_rule(
    "AA99Q",
    severity=QUERY,
    title="More findings than are listed",
    fix="Put right the findings listed and import the workbook again to see the rest.",
    scope="note",
)
def findings_not_all_listed(limit: int, total: int) -> Iterator[Hit]:
    """Source: Safeguard keeps the first findings of a workbook (the counts by code are complete)."""
    yield Hit("", 0, f"Only the first {limit:,} of {total:,} findings are listed; the counts by code include them all.")


#: code -> (severity, title, fix) for every Annex A check: what the generic findings report
#: (``safeguard.extracts.selectors.rule_texts``) shows beside each code.
ANNEX_A_CHECKS: dict[str, tuple[str, str, str]] = {r.code: (r.severity, r.title, r.fix) for r in all_rules()}


# --- The validator ----------------------------------------------------------------------------
class AnnexAValidator:
    """Runs every check over a workbook as it is read.

    Usage (what the import does)::

        validator = AnnexAValidator(ctx)
        findings = validator.check_sheet(sheet)         # for each list sheet
        findings += validator.check_row(row)            # for each row
        findings += validator.finish(rows_per_list)     # after the last sheet
        validator.counts                                 # Counter of findings by code
    """

    def __init__(self, ctx: AnnexAContext, rules_: Iterable[AnnexRule] | None = None):
        self.ctx = ctx
        chosen = list(rules_) if rules_ is not None else all_rules()
        self.row_rules = [r for r in chosen if r.scope == "row"]
        self.sheet_rules = [r for r in chosen if r.scope == "sheet"]
        self.workbook_rules = [r for r in chosen if r.scope == "workbook"]
        self.file_rules = [(r, r.func()) for r in chosen if r.scope == "file"]
        self.counts: Counter[str] = Counter()

    def _finding(self, r: AnnexRule, hit: Hit, child_id: str = "") -> FindingRecord:
        self.counts[r.code] += 1
        return FindingRecord(r.code, r.severity, hit.message, r.fix, hit.field, hit.line or None, child_id)

    def check_sheet(self, sheet: SheetRecord) -> list[FindingRecord]:
        return [self._finding(r, hit) for r in self.sheet_rules for hit in r.func(sheet, self.ctx)]

    def check_row(self, row: RowRecord) -> list[FindingRecord]:
        out = [self._finding(r, hit, row.child_id) for r in self.row_rules for hit in r.func(row, self.ctx)]
        for _r, state in self.file_rules:
            state.see(row, self.ctx)
        return out

    def finish(self, found: dict[int, int]) -> list[FindingRecord]:
        out = [
            self._finding(r, hit, child_id) for r, state in self.file_rules for child_id, hit in state.finish(self.ctx)
        ]
        out += [self._finding(r, hit) for r in self.workbook_rules for hit in r.func(found, self.ctx)]
        return out

    def note_cap(self, *, limit: int, total: int) -> FindingRecord:
        r = REGISTRY["AA99Q"]
        hit = next(iter(r.func(limit, total)))
        self.counts[r.code] += 1
        return FindingRecord(r.code, r.severity, hit.message, r.fix)
