"""The indicators in SQL: one statement per indicator over the child-level census tables.

Every indicator is a *measure* over a *family* of rows: one row per counted thing (a referral, an
assessment, a plan...), with SQL expressions for whether the row counts in the numerator and in
the denominator. Then

- a family's figures are ``SUM(numerator), SUM(denominator)`` of each of its measures, grouped by
  locality and breakdown, in one statement (``family_totals``): the partnership's total is the sum
  of every group, including children placed in no locality;
- the drill-through selects one measure's rows (``events_sql``) and lists the children of those
  counted (``members``), so a figure and the children behind it cannot disagree.

Working days come from the calendar table (``workdays_calendarday.working_index``, see
docs/working-days.md): each date is joined to its row, never computed row by row in Python.
"Working days after ``a`` up to and including ``b``" is ``idx(b) - idx(a)``. The partnership's
local closure days are honoured: its closure dates that are national working days travel as query
parameters, and a date's index is the national index less the closures on or before it (closures
are a handful a year, so this costs a few comparisons per row and keeps the calendar join a primary
key lookup with exact row estimates). "Within N working days" is the rule of
``safeguard.workdays.calendar``: day 0 is the start date; the event is in time when it falls on or
before the start, or when ``count + (0 if the event is a working day else 1) <= N`` (the hypothesis
test in ``tests/test_compute_workdays.py`` checks it against the Python calendar).

On PostgreSQL each statement runs with JIT compilation off (it costs seconds on these statements
and gains nothing) and a larger ``work_mem`` for the sorts of the window functions.

"Within 12 months", "2 years or more", "within 3 / 6 months" use calendar months, compared through
a month key ``(year * 12 + month - 1) * 100 + day``: adding 12 months adds 1200. A date is within
12 months after ``p`` when it is on or before the same day of the month a year later; when that day
does not exist (29 February), on or before the last day of that month. The same in both databases
(SQLite's ``date(x, '+12 months')`` and PostgreSQL's ``interval`` disagree at month ends).

The census year of collection year ``Y`` runs from 1 April ``Y-1`` to 31 March ``Y``.
"""

# ruff: noqa: S608, S611
# S608/S611 (SQL built from strings, RawSQL): every statement here is assembled from constant
# fragments of this module; values (dates, ids, codes) always travel as query parameters (``bind``).
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models.expressions import RawSQL

from safeguard.extracts.choices import ExtractKind
from safeguard.extracts.models import CensusChild, Extract

CATEGORIES = ("NEG", "EMO", "PHY", "SAB", "MUL")
NOT_RECORDED = "not_recorded"
#: How far back earlier census files are searched for a child's previous referrals and plans:
#: 12 months before a referral on 1 April reaches the previous census year; 2 years before a plan
#: starting on 1 April reaches the census year before that.
HISTORY_YEARS = 2


@dataclass(frozen=True)
class Scope:
    """What one computation reads: a partnership's current census extracts of one year."""

    partnership_id: int
    year: int
    extract_ids: tuple[int, ...]
    #: current census extracts of the same partnership for ``year - HISTORY_YEARS`` .. ``year``
    history_ids: tuple[int, ...]
    #: the partnership's closure days that are national working days, up to the end of the year
    closures: tuple[dt.date, ...] = ()
    locality_ids: tuple[int, ...] = field(default=())
    #: results shared by the indicators of one computation (``family_totals``)
    memo: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def start(self) -> dt.date:
        return dt.date(self.year - 1, 4, 1)

    @property
    def end(self) -> dt.date:
        return dt.date(self.year, 3, 31)


def current_extracts(partnership_id: int, years: Iterable[int] | None = None):
    qs = Extract.objects.filter(
        partnership_id=partnership_id, kind=ExtractKind.CIN_CENSUS, is_current=True, collection_year__isnull=False
    )
    if years is not None:
        qs = qs.filter(collection_year__in=list(years))
    return qs


def scope_for(extracts: Sequence, year: int) -> Scope:
    """The scope of ``extracts`` (Extract objects or ids of one partnership) for census ``year``
    (a ``Scope`` is returned as it is: a computation of many indicators builds it once)."""
    if isinstance(extracts, Scope):
        if extracts.year != year:
            raise ValueError(f"This scope is for {extracts.year}, not {year}.")
        return extracts
    from safeguard.partnerships.models import Locality
    from safeguard.workdays.models import CalendarDay, ClosureDay

    ids = tuple(sorted({getattr(e, "pk", e) for e in extracts}))
    if not ids:
        raise ValueError("No extracts given: the computation needs the current census extracts of the year.")
    partnerships = set(Extract.objects.filter(pk__in=ids).values_list("partnership_id", flat=True))
    if len(partnerships) != 1:
        raise ValueError("The extracts of one computation must belong to one partnership.")
    partnership_id = partnerships.pop()
    history = current_extracts(partnership_id, range(year - HISTORY_YEARS, year + 1))
    history_ids = tuple(sorted(set(history.values_list("pk", flat=True)) | set(ids)))
    return Scope(
        partnership_id=partnership_id,
        year=year,
        extract_ids=ids,
        history_ids=history_ids,
        closures=tuple(
            ClosureDay.objects.filter(
                partnership_id=partnership_id,
                date__lte=dt.date(year, 3, 31),
                date__in=CalendarDay.objects.filter(is_working=True).values("date"),
            )
            .order_by("date")
            .values_list("date", flat=True)
        ),
        locality_ids=tuple(Locality.objects.filter(partnership_id=partnership_id).values_list("pk", flat=True)),
    )


# --- SQL building ---------------------------------------------------------------------------------
_NAMED = re.compile(r"%\((\w+)\)s")


def bind(sql: str, values: dict) -> tuple[str, list]:
    """Named placeholders to positional ones (``%s``) with their parameters in order; a tuple value
    becomes a list of placeholders (``IN (%(ids)s)``)."""
    params: list = []

    def replace(match: re.Match) -> str:
        value = values[match.group(1)]
        if isinstance(value, tuple | list):
            params.extend(value)
            return ", ".join(["%s"] * len(value))
        params.append(value)
        return "%s"

    return _NAMED.sub(replace, sql), params


def month_key(column: str) -> str:
    """``(year * 12 + month - 1) * 100 + day`` of a date column: + 1200 is "12 months later"."""
    if connection.vendor == "postgresql":
        return (
            f"((EXTRACT(YEAR FROM {column})::int * 12 + EXTRACT(MONTH FROM {column})::int - 1) * 100"
            f" + EXTRACT(DAY FROM {column})::int)"
        )
    return (
        f"((CAST(strftime('%%Y', {column}) AS INTEGER) * 12 + CAST(strftime('%%m', {column}) AS INTEGER) - 1) * 100"
        f" + CAST(strftime('%%d', {column}) AS INTEGER))"
    )


def months_within(earlier: str, later: str, months: int) -> str:
    """True when ``later`` is on or before the date ``months`` calendar months after ``earlier``.

    On PostgreSQL ``earlier + interval`` (which moves a day that the month lacks to its last day)
    gives exactly the month-key comparison, and is cheaper."""
    if connection.vendor == "postgresql":
        return f"({later}) <= ({earlier}) + INTERVAL '{int(months)} months'"
    return f"{month_key(later)} <= {month_key(earlier)} + {months * 100}"


def _closures_up_to(scope: Scope, day: str) -> str:
    """How many of the partnership's closure days fall on or before ``day`` (0 without closures)."""
    if not scope.closures:
        return "0"
    terms = " + ".join(f"CASE WHEN {day} >= %(closure_{n})s THEN 1 ELSE 0 END" for n in range(len(scope.closures)))
    return f"({terms})"


def idx(scope: Scope, alias: str, day: str) -> str:
    """The partnership's working-day index of ``day``, read from its row ``alias`` of the national
    calendar: the national index less the closures up to that day."""
    if not scope.closures:
        return f"{alias}.working_index"
    return f"({alias}.working_index - {_closures_up_to(scope, day)})"


def working(scope: Scope, alias: str, day: str) -> str:
    """1 when ``day`` is a working day for the partnership, else 0."""
    if not scope.closures:
        return f"CASE WHEN {alias}.is_working THEN 1 ELSE 0 END"
    marks = ", ".join(f"%(closure_{n})s" for n in range(len(scope.closures)))
    return f"CASE WHEN {alias}.is_working AND {day} NOT IN ({marks}) THEN 1 ELSE 0 END"


def working_days_between(scope: Scope, start: tuple[str, str], event: tuple[str, str]) -> str:
    """Working days after the start up to and including the event; ``(alias, date column)`` pairs,
    the alias being the date's row of ``workdays_calendarday``."""
    return f"({idx(scope, event[0], event[1])} - {idx(scope, start[0], start[1])})"


def within_working_days(scope: Scope, start: tuple[str, str], event: tuple[str, str], days: int) -> str:
    """1 when the event falls on or before the ``days``-th working day after the start, else 0
    (0 as well when a date is missing or outside the calendar)."""
    (start_alias, start_col), (event_alias, event_col) = start, event
    count = working_days_between(scope, start, event)
    return (
        f"CASE WHEN {start_col} IS NULL OR {event_col} IS NULL OR {start_alias}.date IS NULL"
        f" OR {event_alias}.date IS NULL THEN 0"
        f" WHEN {event_col} <= {start_col} THEN 1"
        f" WHEN {count} + (1 - {working(scope, event_alias, event_col)}) <= {days} THEN 1 ELSE 0 END"
    )


def _values(scope: Scope) -> dict:
    return {
        "extracts": scope.extract_ids,
        "history": scope.history_ids,
        "others": _others(scope) or (0,),
        "start": scope.start,
        "end": scope.end,
        "partnership": scope.partnership_id,
        "end_key": (scope.year * 12 + 2) * 100 + 31,  # month_key of 31 March
        **{f"closure_{n}": day for n, day in enumerate(scope.closures)},
    }


# --- Families and measures -------------------------------------------------------------------------
# A *family* is the rows several indicators count: "referrals in the year", "plans open at 31
# March"... (``source``: the FROM and WHERE of one statement, with the child's row as ``c``). A
# *measure* is one indicator's numerator and denominator expressions over those rows. The figures
# of a whole family come from one statement (``family_totals``: one scan instead of one per
# indicator); an indicator's drill-through selects its rows alone (``events_sql``).

_IN_YEAR = "{column} >= %(start)s AND {column} <= %(end)s"


def _child(alias: str) -> str:
    """The counted row's child (``c``), for its locality. On PostgreSQL the (implied) extract
    condition lets the hash join read only this year's children when several years are loaded;
    SQLite, which joins by primary key look-ups, is faster without it."""
    condition = " AND c.extract_id IN (%(extracts)s)" if connection.vendor == "postgresql" else ""
    return f"JOIN extracts_censuschild c ON c.id = {alias}.child_id{condition}"


_OPEN_AT_END = "p.start_date <= %(end)s AND (p.end_date IS NULL OR p.end_date > %(end)s)"
Expression = str | Callable[[Scope], str]


def _text(expression: Expression, scope: Scope) -> str:
    return expression(scope) if callable(expression) else expression


@dataclass(frozen=True)
class Family:
    code: str
    child: str  # the counted row's child id
    source: Callable[[Scope], str]  # " FROM ... WHERE ...", the child's row joined as ``c``
    breakdown: str = "''"


@dataclass(frozen=True)
class Measure:
    family: Family
    num: Expression = "1"
    den: Expression = "1"
    days: Expression | None = None  # for a median: working days of each row


def _others(scope: Scope) -> tuple[int, ...]:
    """Earlier (or other) current files searched for the same children."""
    return tuple(pk for pk in scope.history_ids if pk not in scope.extract_ids)


def _referrals_source(scope: Scope) -> str:
    """This year's referrals ``e``, each with the child's previous referral date in this year's
    files (``e.prev_here``: ``LAG``, which also sees earlier years' episodes still open on 1 April)
    and, when there are earlier years' files, the latest referral there (``o.prev_there``, matched
    by LAchildID and authority). Every referral in an earlier year's file is dated before this
    census year began, so it can only be the previous one when the file holds none later."""
    rows = (
        "SELECT e0.id, e0.child_id, e0.extract_id, e0.referral_date, e0.referral_nfa,"
        " LAG(e0.referral_date) OVER (PARTITION BY e0.child_id ORDER BY e0.referral_date, e0.id) AS prev_here"
        " FROM extracts_cinepisode e0 WHERE e0.extract_id IN (%(extracts)s)"
    )
    source = f" FROM ({rows}) e " + _child("e")
    if _others(scope):
        latest = (
            "SELECT p2.child_id AS hid, MAX(p2.referral_date) AS prev_there FROM extracts_cinepisode p2"
            " WHERE p2.extract_id IN (%(others)s) GROUP BY p2.child_id"
        )
        earlier = (
            "SELECT hx.local_authority_code AS la, hc.la_child_id AS cid, MAX(l.prev_there) AS prev_there"
            f" FROM ({latest}) l JOIN extracts_censuschild hc ON hc.id = l.hid AND hc.extract_id IN (%(others)s)"
            " JOIN extracts_extract hx ON hx.id = hc.extract_id"
            " GROUP BY hx.local_authority_code, hc.la_child_id"
        )
        source += (
            " JOIN extracts_extract x ON x.id = e.extract_id"
            f" LEFT JOIN ({earlier}) o ON o.cid = c.la_child_id AND o.la = x.local_authority_code"
        )
    return source + " WHERE " + _IN_YEAR.format(column="e.referral_date")


def _previous_referral(scope: Scope) -> str:
    if not _others(scope):
        return "e.prev_here"
    return "CASE WHEN e.prev_here IS NULL OR o.prev_there > e.prev_here THEN o.prev_there ELSE e.prev_here END"


REFERRALS = Family("referrals", "e.child_id", _referrals_source)
REFERRAL = Measure(REFERRALS)
RE_REFERRAL = Measure(
    REFERRALS,
    num=lambda scope: (
        f"CASE WHEN {_previous_referral(scope)} < e.referral_date"
        f" AND {months_within(_previous_referral(scope), 'e.referral_date', 12)} THEN 1 ELSE 0 END"
    ),
)
REFERRAL_NFA = Measure(REFERRALS, num="CASE WHEN e.referral_nfa THEN 1 ELSE 0 END")


def _assessment_clock() -> str:
    """Assessments with the date their 45 working days run from: the referral for the first
    assessment of an episode, the assessment's own start for any later one."""
    return (
        "SELECT a.child_id, a.authorisation_date AS done,"
        " CASE WHEN ROW_NUMBER() OVER (PARTITION BY a.episode_id"
        " ORDER BY COALESCE(a.start_date, e.referral_date), a.id) = 1"
        " THEN e.referral_date ELSE COALESCE(a.start_date, e.referral_date) END AS clock"
        " FROM extracts_censusassessment a"
        " JOIN extracts_cinepisode e ON e.id = a.episode_id"
        + (" AND e.extract_id IN (%(extracts)s)" if connection.vendor == "postgresql" else "")
        + " WHERE a.extract_id IN (%(extracts)s)"
    )


def _assessments_source(scope: Scope) -> str:
    return (
        f" FROM ({_assessment_clock()}) ac "
        + _child("ac")
        + " LEFT JOIN workdays_calendarday s ON s.date = ac.clock LEFT JOIN workdays_calendarday t ON t.date = ac.done"
        " WHERE " + _IN_YEAR.format(column="ac.done")
    )


ASSESSMENTS = Family("assessments", "ac.child_id", _assessments_source)
ASSESSMENT = Measure(ASSESSMENTS)
ASSESSMENT_45 = Measure(
    ASSESSMENTS, num=lambda scope: within_working_days(scope, ("s", "ac.clock"), ("t", "ac.done"), 45)
)
ASSESSMENT_DAYS = Measure(
    ASSESSMENTS, days=lambda scope: working_days_between(scope, ("s", "ac.clock"), ("t", "ac.done"))
)

S47S = Family(
    "s47s",
    "s.child_id",
    lambda scope: (
        " FROM extracts_section47 s "
        + _child("s")
        + " WHERE s.extract_id IN (%(extracts)s) AND "
        + _IN_YEAR.format(column="s.start_date")
    ),
)
S47 = Measure(S47S)
S47_ICPC = Measure(S47S, num="CASE WHEN s.icpc_date IS NOT NULL THEN 1 ELSE 0 END")


def _conferences_source(scope: Scope) -> str:
    """Initial conferences in the year: on a section 47 enquiry, or on the episode (``via_s47`` 0)."""
    conferences = (
        "SELECT s.child_id, s.start_date AS s47_start, s.icpc_date AS icpc, 1 AS via_s47 FROM extracts_section47 s"
        " WHERE s.extract_id IN (%(extracts)s) AND " + _IN_YEAR.format(column="s.icpc_date") + " UNION ALL"
        " SELECT e.child_id, CAST(NULL AS date), e.initial_cpc_date, 0 FROM extracts_cinepisode e"
        " WHERE e.extract_id IN (%(extracts)s) AND " + _IN_YEAR.format(column="e.initial_cpc_date")
    )
    return (
        f" FROM ({conferences}) i " + _child("i") + " LEFT JOIN workdays_calendarday ws ON ws.date = i.s47_start"
        " LEFT JOIN workdays_calendarday wi ON wi.date = i.icpc"
    )


CONFERENCES = Family("conferences", "i.child_id", _conferences_source)
ICPC = Measure(CONFERENCES)
ICPC_15 = Measure(
    CONFERENCES,
    num=lambda scope: within_working_days(scope, ("ws", "i.s47_start"), ("wi", "i.icpc"), 15),
    den="CASE WHEN i.via_s47 = 1 AND i.s47_start IS NOT NULL THEN 1 ELSE 0 END",
)


def _category(column: str) -> str:
    codes = ", ".join(f"'{code}'" for code in CATEGORIES)
    return f"CASE WHEN {column} IN ({codes}) THEN {column} ELSE '{NOT_RECORDED}' END"


PLANS_STARTED = Family(
    "plans_started",
    "p.child_id",
    lambda scope: (
        " FROM extracts_childprotectionplan p " + _child("p") + " JOIN extracts_extract x ON x.id = p.extract_id"
        " WHERE p.extract_id IN (%(extracts)s) AND " + _IN_YEAR.format(column="p.start_date")
    ),
    breakdown=_category("p.initial_category"),
)


def _earlier_plan(scope: Scope, condition: str) -> str:
    """A plan ``q`` of the same child meeting ``condition``: in this year's file, or (by LAchildID)
    in the other current files of the same authority."""
    same_file = (
        "EXISTS (SELECT 1 FROM extracts_childprotectionplan q WHERE q.child_id = p.child_id AND q.id <> p.id"
        f" AND {condition})"
    )
    if not _others(scope):
        return same_file
    other_files = (
        "EXISTS (SELECT 1 FROM extracts_censuschild hc JOIN extracts_extract hx ON hx.id = hc.extract_id"
        " JOIN extracts_childprotectionplan q ON q.child_id = hc.id"
        " WHERE hc.extract_id IN (%(others)s) AND hc.la_child_id = c.la_child_id"
        f" AND hx.local_authority_code = x.local_authority_code AND {condition})"
    )
    return f"({same_file} OR {other_files})"


PLAN_STARTED = Measure(PLANS_STARTED)
PLAN_SECOND = Measure(
    PLANS_STARTED,
    num=lambda scope: (
        "CASE WHEN p.previous_plans > 0 OR "
        + _earlier_plan(scope, "q.start_date < p.start_date")
        + " THEN 1 ELSE 0 END"
    ),
)
PLAN_SECOND_2Y = Measure(
    PLANS_STARTED,
    num=lambda scope: (
        "CASE WHEN "
        + _earlier_plan(
            scope,
            "q.end_date IS NOT NULL AND q.end_date <= p.start_date AND "
            + months_within("q.end_date", "p.start_date", 24),
        )
        + " THEN 1 ELSE 0 END"
    ),
)


def _reviews_summary() -> str:
    """Per plan: first and last review after its start, and 1 if any gap between reviews was more
    than 6 months."""
    reviews = (
        "SELECT r.plan_id, r.review_date,"
        " LAG(r.review_date) OVER (PARTITION BY r.plan_id ORDER BY r.review_date, r.id) AS previous"
        " FROM extracts_cpreview r JOIN extracts_childprotectionplan rp ON rp.id = r.plan_id"
        " WHERE r.extract_id IN (%(extracts)s) AND r.review_date IS NOT NULL"
        " AND r.review_date > rp.start_date AND r.review_date <= %(end)s"
    )
    gap = f"CASE WHEN rv.previous IS NOT NULL AND NOT ({months_within('rv.previous', 'rv.review_date', 6)})"
    return (
        "SELECT rv.plan_id, MIN(rv.review_date) AS first_review, MAX(rv.review_date) AS last_review,"
        f" MAX({gap} THEN 1 ELSE 0 END) AS late_gap FROM ({reviews}) rv GROUP BY rv.plan_id"
    )


PLANS_OPEN = Family(
    "plans_open",
    "p.child_id",
    lambda scope: (
        " FROM extracts_childprotectionplan p "
        + _child("p")
        + f" LEFT JOIN ({_reviews_summary()}) rs ON rs.plan_id = p.id"
        f" WHERE p.extract_id IN (%(extracts)s) AND {_OPEN_AT_END}"
    ),
    breakdown=_category("p.latest_category"),
)
PLAN_OPEN = Measure(PLANS_OPEN)
_LASTED_3_MONTHS = f"{month_key('p.start_date')} + 300 <= %(end_key)s"
REVIEWED_ON_TIME = Measure(
    PLANS_OPEN,
    num=f"CASE WHEN {_LASTED_3_MONTHS} AND rs.first_review IS NOT NULL AND rs.late_gap = 0"
    f" AND {months_within('p.start_date', 'rs.first_review', 3)}"
    f" AND %(end_key)s <= {month_key('rs.last_review')} + 600 THEN 1 ELSE 0 END",
    den=f"CASE WHEN {_LASTED_3_MONTHS} THEN 1 ELSE 0 END",
)

PLANS_ENDED = Family(
    "plans_ended",
    "p.child_id",
    lambda scope: (
        " FROM extracts_childprotectionplan p "
        + _child("p")
        + " WHERE p.extract_id IN (%(extracts)s) AND "
        + _IN_YEAR.format(column="p.end_date")
    ),
)
PLAN_ENDED = Measure(PLANS_ENDED)
PLAN_ENDED_2Y = Measure(
    PLANS_ENDED,
    num=f"CASE WHEN {month_key('p.end_date')} >= {month_key('p.start_date')} + 2400 THEN 1 ELSE 0 END",
)


# --- Running them -----------------------------------------------------------------------------------
Row = tuple[int | None, str, int | None, int | None]


def _run(sql: str, values: dict) -> list[tuple]:
    text, params = bind(sql, values)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # SET LOCAL: until the end of the surrounding transaction (the computation's).
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute(text, params)
        return cursor.fetchall()


def events_sql(measure: Measure, scope: Scope) -> str:
    """One row per counted thing: ``child_id, locality_id, breakdown, num, den`` (and ``days``)."""
    family = measure.family
    days = f", {_text(measure.days, scope)} AS days" if measure.days is not None else ""
    return (
        f"SELECT {family.child} AS child_id, c.locality_id AS locality_id, {family.breakdown} AS breakdown,"
        f" {_text(measure.num, scope)} AS num, {_text(measure.den, scope)} AS den{days}" + family.source(scope)
    )


def wrap(events: str, outer: str) -> str:
    """``outer`` with ``{ev}`` standing for the events query."""
    return outer.replace("{ev}", f"({events}) ev")


def family_totals(
    family: Family, measures: Sequence[Measure], scope: Scope
) -> dict[Measure, dict[tuple[int | None, str], tuple[int, int]]]:
    """``{measure: {(locality_id, breakdown): (num, den)}}`` for every measure of a family, from one
    statement; kept on the scope, so the family's other indicators reuse it.

    On PostgreSQL the same statement also takes the medians of the family's ``days`` measures
    (``percentile_disc``, by locality and for the whole partnership through grouping sets), kept
    on the scope for ``median_days``.
    """
    key = ("family", family.code)
    if key in scope.memo:
        return scope.memo[key]
    columns, sums = [], []
    for n, measure in enumerate(measures):
        columns.append(f"{_text(measure.num, scope)} AS n{n}, {_text(measure.den, scope)} AS d{n}")
        sums.append(f"SUM(f.n{n}), SUM(f.d{n})")
    medians = [m for m in measures if m.days is not None] if connection.vendor == "postgresql" else []
    for n, measure in enumerate(medians):
        columns.append(f"{_text(measure.days, scope)} AS m{n}")
        sums.append(f"percentile_disc(0.5) WITHIN GROUP (ORDER BY f.m{n}), COUNT(f.m{n})")
    grouping = "GROUPING SETS ((f.locality_id, f.breakdown), ())" if medians else "f.locality_id, f.breakdown"
    total_flag = "GROUPING(f.locality_id)" if medians else "0"
    sql = (
        f"SELECT {total_flag}, f.locality_id, f.breakdown, {', '.join(sums)} FROM ("
        f"SELECT c.locality_id AS locality_id, {family.breakdown} AS breakdown, {', '.join(columns)}"
        f"{family.source(scope)}) f GROUP BY {grouping}"
    )
    totals: dict[Measure, dict] = {measure: {} for measure in measures}
    found: dict[Measure, dict] = {measure: {} for measure in medians}
    base = 3 + 2 * len(measures)
    for row in _run(sql, _values(scope)):
        is_total, locality_id, breakdown = row[0], row[1], row[2] or ""
        if not is_total:
            for n, measure in enumerate(measures):
                totals[measure][(locality_id, breakdown)] = (int(row[3 + 2 * n] or 0), int(row[4 + 2 * n] or 0))
        for n, measure in enumerate(medians):
            days, count = row[base + 2 * n], int(row[base + 1 + 2 * n] or 0)
            if count and (is_total or locality_id is not None):
                found[measure][None if is_total else locality_id] = (int(days), count)
    for measure, result in found.items():
        scope.memo[("median", measure)] = result
    scope.memo[key] = totals
    return totals


def median_days(measure: Measure, scope: Scope) -> dict[int | None, tuple[int | None, int]]:
    """``{locality_id or None for the whole partnership: (lower median of days, count)}``.

    The lower median: the middle value of an odd count, the lower of the two middle values of an
    even one, so the answer is always a number of days some assessment actually took (on
    PostgreSQL ``percentile_disc(0.5)``, which is exactly that; elsewhere row numbers).
    """
    if ("median", measure) in scope.memo:
        return scope.memo[("median", measure)]
    events = events_sql(measure, scope)
    if connection.vendor == "postgresql":
        sql = wrap(
            events,
            "SELECT GROUPING(ev.locality_id), ev.locality_id, percentile_disc(0.5) WITHIN GROUP (ORDER BY ev.days),"
            " COUNT(ev.days) FROM {ev} WHERE ev.days IS NOT NULL GROUP BY GROUPING SETS ((ev.locality_id), ())",
        )
        rows = [("T" if total else "L", loc, days, n) for total, loc, days, n in _run(sql, _values(scope))]
    else:
        sql = wrap(
            events,
            "WITH w AS (SELECT ev.locality_id, ev.days,"
            " ROW_NUMBER() OVER (PARTITION BY ev.locality_id ORDER BY ev.days) AS rn,"
            " COUNT(*) OVER (PARTITION BY ev.locality_id) AS n,"
            " ROW_NUMBER() OVER (ORDER BY ev.days) AS rn_all, COUNT(*) OVER () AS n_all"
            " FROM {ev} WHERE ev.days IS NOT NULL)"
            " SELECT 'L', w.locality_id, w.days, w.n FROM w WHERE w.rn = (w.n + 1) / 2"
            " UNION ALL SELECT 'T', NULL, w.days, w.n_all FROM w WHERE w.rn_all = (w.n_all + 1) / 2",
        )
        rows = _run(sql, _values(scope))
    out: dict[int | None, tuple[int | None, int]] = {}
    for kind, locality_id, days, n in rows:
        if kind == "L" and locality_id is None:
            continue  # children in no locality: in the total only
        out[None if kind == "T" else locality_id] = (int(days), int(n))
    return out


def members_sql(measure: Measure, scope: Scope, *, locality_id: int | None, breakdown: str | None, part: str) -> RawSQL:
    """The ``child_id``s of the rows of a measure counted in ``part`` (numerator or denominator),
    for ``CensusChild.objects.filter(pk__in=...)``."""
    column = "ev.num" if part == "numerator" else "ev.den"
    where = [f"{column} = 1"]
    values = _values(scope)
    if locality_id is not None:
        where.append("ev.locality_id = %(locality)s")
        values["locality"] = locality_id
    if breakdown is not None:
        where.append("ev.breakdown = %(breakdown)s")
        values["breakdown"] = breakdown
    sql = wrap(events_sql(measure, scope), "SELECT ev.child_id FROM {ev} WHERE " + " AND ".join(where))
    text, params = bind(sql, values)
    return RawSQL(text, params)


def members(measure: Measure, scope: Scope, **kwargs):
    return CensusChild.objects.filter(pk__in=members_sql(measure, scope, **kwargs))


def populations(scope: Scope) -> dict[int | None, tuple[int, int]]:
    """``{locality_id or None for the whole partnership: (children aged 0-17, mid-year)}``.

    The estimate for mid-(Y-1), the middle of census year Y, or the latest earlier one. Without a
    whole-partnership estimate, the sum of the active localities' estimates when every active
    locality has one (the year given is then the oldest of theirs).
    """
    from safeguard.partnerships.models import Locality

    from .models import PopulationEstimate

    rows = (
        PopulationEstimate.objects.filter(partnership_id=scope.partnership_id, year__lte=scope.year - 1)
        .order_by("locality_id", "-year")
        .values_list("locality_id", "year", "population")
    )
    best: dict[int | None, tuple[int, int]] = {}
    for locality_id, year, population in rows:
        best.setdefault(locality_id, (population, year))
    if None not in best:
        active = list(
            Locality.objects.filter(partnership_id=scope.partnership_id, is_active=True).values_list("pk", flat=True)
        )
        if active and all(pk in best for pk in active):
            best[None] = (sum(best[pk][0] for pk in active), min(best[pk][1] for pk in active))
    return best
