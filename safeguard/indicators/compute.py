"""The indicators in SQL: four statements over the child-level census tables.

Every indicator is a *measure* over a *family* of rows: one row per counted thing (a referral, an
assessment, a plan...), with SQL expressions for whether the row counts in the numerator and in
the denominator. Families that count rows of the same table share their ``Rows``: one FROM over
that table's rows of the year, with the child's row joined as ``c``; a family is those of the rows
that meet its condition (plans started in the year, open at 31 March, ended in the year). Then

- the figures of every family on one ``Rows`` come from one statement (``figures``): for each
  measure ``SUM(num)`` and ``SUM(den)``, ``FILTER``ed by its family's condition, grouped by locality
  and breakdown, so each table is read once however many indicators count it (referrals,
  assessments, section 47 enquiries with conferences, plans: four statements for every indicator).
  The partnership's total is the sum of every group, including children placed in no locality;
- a median comes from the same statement: the rows are also grouped by their number of working
  days, and the lower median is read from that histogram (``_lower_median``), the same way on both
  databases;
- the drill-through selects one measure's rows (``events_sql``: the FROM and the family's
  condition) and lists the children of those counted (``members``), so a figure and the children
  behind it cannot disagree.

Working days come from the calendar table (``workdays_calendarday.working_index``, see
docs/working-days.md): each date is joined to its row, never computed row by row in Python.
"Working days after ``a`` up to and including ``b``" is ``idx(b) - idx(a)``. The partnership's
local closure days are honoured: its closure dates that are national working days travel as query
parameters, and ``calendar`` applies them to the calendar's rows (a closure is not a working day;
a date's index is the national index less the closures on or before it). That costs a few
comparisons per calendar row, not per counted row, and keeps the join a lookup by date. "Within N
working days" is the rule of ``safeguard.workdays.calendar``: day 0 is the start date; the event is
in time when it falls on or before the start, or when ``count + (0 if the event is a working day
else 1) <= N`` (the hypothesis test in ``tests/test_compute_workdays.py`` checks it against the
Python calendar).

"Within 12 months", "2 years or more", "within 3 / 6 months" use calendar months, compared through
a month key ``(year * 12 + month - 1) * 100 + day``: adding 12 months adds 1200. A date is within
12 months after ``p`` when it is on or before the same day of the month a year later; when that day
does not exist (29 February), on or before the last day of that month. The same in both databases
(SQLite's ``date(x, '+12 months')`` and PostgreSQL's ``interval`` disagree at month ends).

Earlier files are searched by LAchildID (and local authority, when the partnership's files come
from more than one) with one hash join per statement, never row by row: their children's latest
referral since ``lookback`` (an earlier one cannot be within 12 months of a referral of the year;
``_referrals_source``), and their first plan start and last plan end (``_plans_there``).

On PostgreSQL every statement runs with, for the transaction (``SET LOCAL``):

- JIT compilation off: it costs seconds on these statements and gains nothing;
- ``work_mem`` raised: at national scale the sorts of the window functions take about 75 MB and
  the hash tables about 45 MB each, which the default 4 MB would spill to disk;
- nested loops off (``enable_nestloop``): every statement joins whole extracts, which hash joins
  do in one pass. Right after an import the planner's statistics do not know the new extract yet
  (the import does not ``ANALYZE``; autovacuum does, minutes later) and estimate one row per
  extract: with nested loops the referrals of a national extract had not been counted after 4
  minutes, where a hash join takes 2 seconds.
  The correlated sub-query of ``_second_plan_within_2y`` is not a join and runs as before.

Conditions on ``extract_id`` that the joins imply (the loader copies a row's ``extract`` and
``child`` from its parent) are written out on PostgreSQL, so that a hash join reads only the
extract's rows of a table; SQLite, which joins by index look-ups, is faster without them.

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
    #: the local authority codes of the files in ``history_ids``: with one, a child in another file
    #: is matched by LAchildID alone
    authorities: tuple[str, ...] = ()
    #: results shared by the indicators of one computation (``figures``)
    memo: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def start(self) -> dt.date:
        return dt.date(self.year - 1, 4, 1)

    @property
    def end(self) -> dt.date:
        return dt.date(self.year, 3, 31)

    @property
    def lookback(self) -> dt.date:
        """12 months before the year's start: an earlier referral before this date is more than 12
        months before every referral of the year."""
        return dt.date(self.year - 2, 4, 1)


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
    given = list(Extract.objects.filter(pk__in=ids).values_list("partnership_id", "local_authority_code"))
    partnerships = {partnership_id for partnership_id, _ in given}
    if len(partnerships) != 1:
        raise ValueError("The extracts of one computation must belong to one partnership.")
    partnership_id = partnerships.pop()
    history = dict(
        current_extracts(partnership_id, range(year - HISTORY_YEARS, year + 1)).values_list(
            "pk", "local_authority_code"
        )
    )
    history_ids = tuple(sorted(set(history) | set(ids)))
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
        authorities=tuple(sorted(set(history.values()) | {code for _, code in given})),
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


def _implied(condition: str) -> str:
    """A condition the joins already imply, written out on PostgreSQL only (see the module's
    docstring)."""
    return condition if connection.vendor == "postgresql" else ""


def calendar(scope: Scope) -> str:
    """The partnership's calendar, to join as a table: ``date``, ``working_index`` and
    ``is_working``. Without closures, the national table itself; with them, its rows with every
    closure made a non-working day and each index lowered by the closures on or before its date."""
    if not scope.closures:
        return "workdays_calendarday"
    marks = [f"%(closure_{n})s" for n in range(len(scope.closures))]
    before = " + ".join(f"CASE WHEN d.date >= {mark} THEN 1 ELSE 0 END" for mark in marks)
    return (
        f"(SELECT d.date AS date, d.working_index - ({before}) AS working_index,"
        f" d.is_working AND d.date NOT IN ({', '.join(marks)}) AS is_working"
        " FROM workdays_calendarday d)"
    )


def working_days_between(start: tuple[str, str], event: tuple[str, str]) -> str:
    """Working days after the start up to and including the event; ``(alias, date column)`` pairs,
    the alias being the date's row of the partnership's ``calendar``."""
    return f"({event[0]}.working_index - {start[0]}.working_index)"


def within_working_days(start: tuple[str, str], event: tuple[str, str], days: int) -> str:
    """1 when the event falls on or before the ``days``-th working day after the start, else 0
    (0 as well when a date is missing or outside the calendar)."""
    (start_alias, start_col), (event_alias, event_col) = start, event
    count = working_days_between(start, event)
    return (
        f"CASE WHEN {start_col} IS NULL OR {event_col} IS NULL OR {start_alias}.date IS NULL"
        f" OR {event_alias}.date IS NULL THEN 0"
        f" WHEN {event_col} <= {start_col} THEN 1"
        f" WHEN {count} + (1 - CASE WHEN {event_alias}.is_working THEN 1 ELSE 0 END) <= {days} THEN 1 ELSE 0 END"
    )


def _values(scope: Scope) -> dict:
    return {
        "extracts": scope.extract_ids,
        "history": scope.history_ids,
        "others": _others(scope) or (0,),
        "start": scope.start,
        "end": scope.end,
        "lookback": scope.lookback,
        "partnership": scope.partnership_id,
        "end_key": (scope.year * 12 + 2) * 100 + 31,  # month_key of 31 March
        **{f"closure_{n}": day for n, day in enumerate(scope.closures)},
    }


# --- Rows, families and measures --------------------------------------------------------------------
# ``Rows``: the FROM (``source``, the child's row joined as ``c``) and WHERE (``where``) of one
# statement over a table's rows of the year. A *family* is the rows several indicators count
# ("referrals in the year", "plans open at 31 March"...): a condition on its ``Rows``. A *measure*
# is one indicator's numerator and denominator expressions over its family's rows. The figures of
# every family on one ``Rows`` come from one statement (``figures``); an indicator's
# drill-through selects its rows alone (``events_sql``).

_IN_YEAR = "{column} >= %(start)s AND {column} <= %(end)s"
Expression = str | Callable[[Scope], str]


def _text(expression: Expression, scope: Scope) -> str:
    return expression(scope) if callable(expression) else expression


def _child(alias: str) -> str:
    """The counted row's child (``c``), for its locality; the extract condition lets a hash join
    read only this year's children when several years are loaded."""
    return f"JOIN extracts_censuschild c ON c.id = {alias}.child_id" + _implied(" AND c.extract_id IN (%(extracts)s)")


@dataclass(frozen=True)
class Rows:
    code: str
    child: str  # the counted row's child id
    source: Callable[[Scope], str]  # " FROM ...", the child's row joined as ``c``
    where: str = ""  # the rows of the year ("" for every row of the source)


@dataclass(frozen=True)
class Family:
    code: str
    rows: Rows
    where: str = ""  # which of the rows the family counts ("" for all)
    breakdown: str = "''"

    def conditions(self) -> list[str]:
        return [condition for condition in (self.rows.where, self.where) if condition]


@dataclass(frozen=True)
class Measure:
    family: Family
    num: Expression = "1"
    den: Expression = "1"
    days: Expression | None = None  # for a median: working days of each row


def _others(scope: Scope) -> tuple[int, ...]:
    """Earlier (or other) current files searched for the same children."""
    return tuple(pk for pk in scope.history_ids if pk not in scope.extract_ids)


def _by_authority(scope: Scope) -> bool:
    """Whether a child in another file is matched by authority as well as LAchildID: only when the
    files are not all from one authority (otherwise the authorities always agree)."""
    return len(scope.authorities) > 1


def _other_files_key(scope: Scope) -> tuple[str, str]:
    """A child ``hc`` of another file: its key (``cid``, and ``la`` when matched by authority) as
    a SELECT list, and the join that list needs."""
    if _by_authority(scope):
        return (
            "hx.local_authority_code AS la, hc.la_child_id AS cid",
            " JOIN extracts_extract hx ON hx.id = hc.extract_id",
        )
    return "hc.la_child_id AS cid", ""


def _same_child(scope: Scope, alias: str, extract: str) -> tuple[str, str]:
    """The join of ``alias``, keyed by ``_other_files_key``, to this year's child ``c`` of a row in
    the extract ``extract``: the extract's join (as ``x``) when it is needed, and the condition."""
    if _by_authority(scope):
        return (
            f" JOIN extracts_extract x ON x.id = {extract}",
            f"{alias}.cid = c.la_child_id AND {alias}.la = x.local_authority_code",
        )
    return "", f"{alias}.cid = c.la_child_id"


def _referrals_source(scope: Scope) -> str:
    """Every referral of this year's files ``e``, each with the child's previous referral date in
    these files (``e.prev_here``: ``LAG``, which also sees earlier years' episodes still open on 1
    April) and, when there are earlier years' files, the latest referral there since ``lookback``
    (``o.prev_there``, matched by LAchildID and authority). Every referral in an earlier year's file
    is dated before this census year began, so it can only be the previous one when the file holds
    none later; one before ``lookback`` is more than 12 months before any referral of the year, so
    it could not make a re-referral (``_previous_referral`` then falls back on ``prev_here``, which
    is later, or counts none)."""
    rows = (
        "SELECT e0.id, e0.child_id, e0.extract_id, e0.referral_date, e0.referral_nfa,"
        " LAG(e0.referral_date) OVER (PARTITION BY e0.child_id ORDER BY e0.referral_date, e0.id) AS prev_here"
        " FROM extracts_cinepisode e0 WHERE e0.extract_id IN (%(extracts)s)"
    )
    source = f" FROM ({rows}) e " + _child("e")
    if _others(scope):
        key, key_join = _other_files_key(scope)
        earlier = (
            f"SELECT {key}, MAX(p2.referral_date) AS prev_there FROM extracts_cinepisode p2"
            f" JOIN extracts_censuschild hc ON hc.id = p2.child_id AND hc.extract_id IN (%(others)s){key_join}"
            " WHERE p2.extract_id IN (%(others)s) AND p2.referral_date >= %(lookback)s"
            f" GROUP BY {_key_columns(key)}"
        )
        extract_join, matched = _same_child(scope, "o", "e.extract_id")
        source += f"{extract_join} LEFT JOIN ({earlier}) o ON {matched}"
    return source


def _key_columns(key: str) -> str:
    """The expressions of a SELECT list of ``_other_files_key``, for its GROUP BY."""
    return ", ".join(column.split(" AS ")[0] for column in key.split(", "))


def _previous_referral(scope: Scope) -> str:
    if not _others(scope):
        return "e.prev_here"
    return "CASE WHEN e.prev_here IS NULL OR o.prev_there > e.prev_here THEN o.prev_there ELSE e.prev_here END"


REFERRAL_ROWS = Rows("referrals", "e.child_id", _referrals_source, where=_IN_YEAR.format(column="e.referral_date"))
REFERRALS = Family("referrals", REFERRAL_ROWS)
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
        + _implied(" AND e.extract_id IN (%(extracts)s)")
        + " WHERE a.extract_id IN (%(extracts)s)"
    )


def _assessments_source(scope: Scope) -> str:
    days = calendar(scope)
    return (
        f" FROM ({_assessment_clock()}) ac "
        + _child("ac")
        + f" LEFT JOIN {days} s ON s.date = ac.clock LEFT JOIN {days} t ON t.date = ac.done"
    )


ASSESSMENT_ROWS = Rows("assessments", "ac.child_id", _assessments_source, where=_IN_YEAR.format(column="ac.done"))
ASSESSMENTS = Family("assessments", ASSESSMENT_ROWS)
ASSESSMENT = Measure(ASSESSMENTS)
ASSESSMENT_45 = Measure(ASSESSMENTS, num=within_working_days(("s", "ac.clock"), ("t", "ac.done"), 45))
ASSESSMENT_DAYS = Measure(ASSESSMENTS, days=working_days_between(("s", "ac.clock"), ("t", "ac.done")))


def _section47_source(scope: Scope) -> str:
    """Section 47 enquiries started in the year or with their initial conference in it
    (``via_s47`` 1), and the initial conferences in the year recorded on the episode (``via_s47``
    0: the enquiry was in an earlier year)."""
    rows = (
        "SELECT s.child_id, s.start_date AS s47_start, s.icpc_date AS icpc, 1 AS via_s47 FROM extracts_section47 s"
        f" WHERE s.extract_id IN (%(extracts)s) AND ({_IN_YEAR.format(column='s.start_date')}"
        f" OR {_IN_YEAR.format(column='s.icpc_date')}) UNION ALL"
        " SELECT e.child_id, CAST(NULL AS date), e.initial_cpc_date, 0 FROM extracts_cinepisode e"
        " WHERE e.extract_id IN (%(extracts)s) AND " + _IN_YEAR.format(column="e.initial_cpc_date")
    )
    days = calendar(scope)
    return (
        f" FROM ({rows}) i " + _child("i") + f" LEFT JOIN {days} ws ON ws.date = i.s47_start"
        f" LEFT JOIN {days} wi ON wi.date = i.icpc"
    )


SECTION47_ROWS = Rows("section47", "i.child_id", _section47_source)
S47S = Family("s47s", SECTION47_ROWS, where="i.via_s47 = 1 AND " + _IN_YEAR.format(column="i.s47_start"))
S47 = Measure(S47S)
S47_ICPC = Measure(S47S, num="CASE WHEN i.icpc IS NOT NULL THEN 1 ELSE 0 END")
CONFERENCES = Family("conferences", SECTION47_ROWS, where=_IN_YEAR.format(column="i.icpc"))
ICPC = Measure(CONFERENCES)
ICPC_15 = Measure(
    CONFERENCES,
    num=within_working_days(("ws", "i.s47_start"), ("wi", "i.icpc"), 15),
    den="CASE WHEN i.via_s47 = 1 AND i.s47_start IS NOT NULL THEN 1 ELSE 0 END",
)


def _category(column: str) -> str:
    codes = ", ".join(f"'{code}'" for code in CATEGORIES)
    return f"CASE WHEN {column} IN ({codes}) THEN {column} ELSE '{NOT_RECORDED}' END"


def _earlier_plans_here() -> str:
    """Per plan started in the year: ``earlier`` 1 when the child has another plan in this year's
    files that started before it, ``ended_2y`` 1 when one ended on or before its start and at most
    24 months before."""
    within = months_within("q.end_date", "p.start_date", 24)
    return (
        "SELECT p.id AS plan_id, MAX(CASE WHEN q.start_date < p.start_date THEN 1 ELSE 0 END) AS earlier,"
        " MAX(CASE WHEN q.end_date IS NOT NULL AND q.end_date <= p.start_date AND"
        f" {within} THEN 1 ELSE 0 END) AS ended_2y"
        " FROM extracts_childprotectionplan p JOIN extracts_childprotectionplan q ON q.child_id = p.child_id"
        " AND q.id <> p.id" + _implied(" AND q.extract_id IN (%(extracts)s)") + " WHERE p.extract_id IN (%(extracts)s)"
        " AND " + _IN_YEAR.format(column="p.start_date") + " GROUP BY p.id"
    )


def _plans_there(scope: Scope) -> str:
    """Per child of the other current files (by ``_other_files_key``): the first start and the
    last end of their plans there."""
    key, key_join = _other_files_key(scope)
    return (
        f"SELECT {key}, MIN(q.start_date) AS first_start, MAX(q.end_date) AS last_end"
        f" FROM extracts_childprotectionplan q JOIN extracts_censuschild hc ON hc.id = q.child_id{key_join}"
        " WHERE hc.extract_id IN (%(others)s)"
        + _implied(" AND q.extract_id IN (%(others)s)")
        + f" GROUP BY {_key_columns(key)}"
    )


def _plans_source(scope: Scope) -> str:
    """This year's plans ``p`` with their reviews (``rs``), the child's other plans in this year's
    files (``ep``) and, when there are other files, the child's plans there (``pt``)."""
    source = (
        " FROM extracts_childprotectionplan p "
        + _child("p")
        + f" LEFT JOIN ({_reviews_summary()}) rs ON rs.plan_id = p.id"
        + f" LEFT JOIN ({_earlier_plans_here()}) ep ON ep.plan_id = p.id"
    )
    if _others(scope):
        extract_join, matched = _same_child(scope, "pt", "p.extract_id")
        source += f"{extract_join} LEFT JOIN ({_plans_there(scope)}) pt ON {matched}"
    return source


def _second_plan(scope: Scope) -> str:
    """1 when the plan records previous plans or the child had a plan that started before it: in
    this year's files, or in the other files (their first start before it)."""
    there = " OR pt.first_start < p.start_date" if _others(scope) else ""
    return f"CASE WHEN p.previous_plans > 0 OR ep.earlier = 1{there} THEN 1 ELSE 0 END"


def _second_plan_within_2y(scope: Scope) -> str:
    """1 when a plan of the child ended on or before this one started and at most 24 months
    before: in this year's files, or in the other files. There, the last end is the one to test
    when it is on or before the start (any earlier end is further back); a plan there that ended
    after this one started (an earlier file cannot hold one in a valid census) leaves the others
    to test one by one."""
    if not _others(scope):
        return "CASE WHEN ep.ended_2y = 1 THEN 1 ELSE 0 END"
    _, matched = _same_child(scope, "hk", "p.extract_id")  # ``x`` is joined by ``_plans_source``
    key, key_join = _other_files_key(scope)
    each = (
        f"EXISTS (SELECT 1 FROM (SELECT {key}, q.end_date FROM extracts_childprotectionplan q"
        f" JOIN extracts_censuschild hc ON hc.id = q.child_id{key_join} WHERE hc.extract_id IN (%(others)s)) hk"
        f" WHERE {matched} AND hk.end_date IS NOT NULL AND hk.end_date <= p.start_date"
        f" AND {months_within('hk.end_date', 'p.start_date', 24)})"
    )
    return (
        "CASE WHEN ep.ended_2y = 1 THEN 1 WHEN pt.last_end IS NULL THEN 0"
        f" WHEN pt.last_end <= p.start_date THEN CASE WHEN {months_within('pt.last_end', 'p.start_date', 24)}"
        f" THEN 1 ELSE 0 END WHEN {each} THEN 1 ELSE 0 END"
    )


def _reviews_summary() -> str:
    """Per plan: first and last review after its start, and 1 if any gap between reviews was more
    than 6 months."""
    reviews = (
        "SELECT r.plan_id, r.review_date,"
        " LAG(r.review_date) OVER (PARTITION BY r.plan_id ORDER BY r.review_date, r.id) AS previous"
        " FROM extracts_cpreview r JOIN extracts_childprotectionplan rp ON rp.id = r.plan_id"
        + _implied(" AND rp.extract_id IN (%(extracts)s)")
        + " WHERE r.extract_id IN (%(extracts)s) AND r.review_date IS NOT NULL"
        " AND r.review_date > rp.start_date AND r.review_date <= %(end)s"
    )
    gap = f"CASE WHEN rv.previous IS NOT NULL AND NOT ({months_within('rv.previous', 'rv.review_date', 6)})"
    return (
        "SELECT rv.plan_id, MIN(rv.review_date) AS first_review, MAX(rv.review_date) AS last_review,"
        f" MAX({gap} THEN 1 ELSE 0 END) AS late_gap FROM ({reviews}) rv GROUP BY rv.plan_id"
    )


_OPEN_AT_END = "p.start_date <= %(end)s AND (p.end_date IS NULL OR p.end_date > %(end)s)"
_STARTED = _IN_YEAR.format(column="p.start_date")
_ENDED = _IN_YEAR.format(column="p.end_date")
PLAN_ROWS = Rows("plans", "p.child_id", _plans_source, where="p.extract_id IN (%(extracts)s)")

PLANS_STARTED = Family("plans_started", PLAN_ROWS, where=_STARTED, breakdown=_category("p.initial_category"))
PLAN_STARTED = Measure(PLANS_STARTED)
PLAN_SECOND = Measure(PLANS_STARTED, num=_second_plan)
PLAN_SECOND_2Y = Measure(PLANS_STARTED, num=_second_plan_within_2y)

PLANS_OPEN = Family("plans_open", PLAN_ROWS, where=_OPEN_AT_END, breakdown=_category("p.latest_category"))
PLAN_OPEN = Measure(PLANS_OPEN)
_LASTED_3_MONTHS = f"{month_key('p.start_date')} + 300 <= %(end_key)s"
REVIEWED_ON_TIME = Measure(
    PLANS_OPEN,
    num=f"CASE WHEN {_LASTED_3_MONTHS} AND rs.first_review IS NOT NULL AND rs.late_gap = 0"
    f" AND {months_within('p.start_date', 'rs.first_review', 3)}"
    f" AND %(end_key)s <= {month_key('rs.last_review')} + 600 THEN 1 ELSE 0 END",
    den=f"CASE WHEN {_LASTED_3_MONTHS} THEN 1 ELSE 0 END",
)

PLANS_ENDED = Family("plans_ended", PLAN_ROWS, where=_ENDED)
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
            # SET LOCAL: until the end of the surrounding transaction (the computation's). See the
            # module's docstring for each.
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL work_mem = '256MB'")
            cursor.execute("SET LOCAL enable_nestloop = off")
        cursor.execute(text, params)
        return cursor.fetchall()


def _where(conditions: Sequence[str]) -> str:
    return " WHERE " + " AND ".join(f"({condition})" for condition in conditions) if conditions else ""


def events_sql(measure: Measure, scope: Scope) -> str:
    """One row per counted thing: ``child_id, locality_id, breakdown, num, den`` (and ``days``)."""
    family = measure.family
    days = f", {_text(measure.days, scope)} AS days" if measure.days is not None else ""
    return (
        f"SELECT {family.rows.child} AS child_id, c.locality_id AS locality_id, {family.breakdown} AS breakdown,"
        f" {_text(measure.num, scope)} AS num, {_text(measure.den, scope)} AS den{days}"
        + family.rows.source(scope)
        + _where(family.conditions())
    )


def wrap(events: str, outer: str) -> str:
    """``outer`` with ``{ev}`` standing for the events query."""
    return outer.replace("{ev}", f"({events}) ev")


Groups = dict[tuple[int | None, str], tuple[int, int]]


@dataclass
class Figures:
    """What one statement gave for the measures on one ``Rows``."""

    #: ``{measure: {(locality_id, breakdown): (num, den)}}``, a key for every group with a row of
    #: the measure's family
    totals: dict[Measure, Groups]
    #: ``{measure: {locality_id or None for the whole partnership: (lower median, count)}}``
    medians: dict[Measure, dict[int | None, tuple[int, int]]]


def _filtered(aggregate: str, family: Family) -> str:
    return f"{aggregate} FILTER (WHERE {family.where})" if family.where else aggregate


@dataclass(frozen=True)
class _Layout:
    """The columns of a ``figures`` statement: grouped by locality, each family's breakdown and each
    median's days; then a row count per family, ``SUM(num), SUM(den)`` per measure and
    ``COUNT(days)`` per median."""

    measures: tuple[Measure, ...]

    @property
    def families(self) -> list[Family]:
        return list(dict.fromkeys(measure.family for measure in self.measures))

    @property
    def breakdowns(self) -> list[str]:
        return list(dict.fromkeys(f.breakdown for f in self.families if f.breakdown != "''"))

    @property
    def medians(self) -> list[Measure]:
        return [measure for measure in self.measures if measure.days is not None]

    def sql(self, rows: Rows, scope: Scope) -> str:
        keys = ["c.locality_id", *self.breakdowns, *(_text(m.days, scope) for m in self.medians)]
        columns = [_filtered("COUNT(*)", family) for family in self.families]
        for measure in self.measures:
            for expression in (measure.num, measure.den):
                columns.append(_filtered(f"SUM({_text(expression, scope)})", measure.family))
        columns += [_filtered(f"COUNT({_text(m.days, scope)})", m.family) for m in self.medians]
        conditions = [rows.where] if rows.where else []
        if all(family.where for family in self.families):
            conditions.append(" OR ".join(f"({family.where})" for family in self.families))
        return (
            f"SELECT {', '.join(keys + columns)}{rows.source(scope)}{_where(conditions)}"
            f" GROUP BY {', '.join(str(n) for n in range(1, len(keys) + 1))}"
        )

    def read(self, result: list[tuple]) -> Figures:
        """The figures from the statement's rows (groups of the same locality and breakdown are
        added up: the statement also groups by the other families' breakdowns and by days)."""
        families, breakdowns, medians = self.families, self.breakdowns, self.medians
        counts_at = 1 + len(breakdowns) + len(medians)
        sums_at = counts_at + len(families)
        totals: dict[Measure, Groups] = {measure: {} for measure in self.measures}
        histograms: dict[Measure, dict[int | None, dict[int, int]]] = {measure: {} for measure in medians}
        for row in result:
            locality_id = row[0]
            for n, measure in enumerate(self.measures):
                family = measure.family
                if not row[counts_at + families.index(family)]:
                    continue  # no row of this family in the group
                breakdown = (row[1 + breakdowns.index(family.breakdown)] or "") if family.breakdown != "''" else ""
                num, den = totals[measure].get((locality_id, breakdown), (0, 0))
                num, den = num + int(row[sums_at + 2 * n] or 0), den + int(row[sums_at + 2 * n + 1] or 0)
                totals[measure][(locality_id, breakdown)] = (num, den)
            for n, measure in enumerate(medians):
                days, count = row[1 + len(breakdowns) + n], int(row[sums_at + 2 * len(self.measures) + n] or 0)
                if days is None or not count:
                    continue
                for area in {None, locality_id}:  # the whole partnership, and the locality
                    histogram = histograms[measure].setdefault(area, {})
                    histogram[int(days)] = histogram.get(int(days), 0) + count
        return Figures(
            totals=totals,
            medians={
                measure: {area: _lower_median(histogram) for area, histogram in by_area.items()}
                for measure, by_area in histograms.items()
            },
        )


def figures(measures: Sequence[Measure], scope: Scope) -> Figures:
    """The figures of ``measures`` (all on the same ``Rows``) from one statement, kept on the scope
    so that the other indicators on those rows reuse them."""
    rows = measures[0].family.rows
    if any(measure.family.rows is not rows for measure in measures):
        raise ValueError("The measures of one statement must count the same rows.")
    key = ("figures", rows.code)
    known = scope.memo.get(key)
    if known is not None and all(measure in known.totals for measure in measures):
        return known
    layout = _Layout(tuple(measures))
    scope.memo[key] = layout.read(_run(layout.sql(rows, scope), _values(scope)))
    return scope.memo[key]


def _lower_median(histogram: dict[int, int]) -> tuple[int, int]:
    """``(lower median, count)`` of values given as ``{value: how many}``: the middle value of an
    odd count, the lower of the two middle values of an even one (PostgreSQL's
    ``percentile_disc(0.5)``), so the answer is always a number of days some row actually took."""
    count = sum(histogram.values())
    wanted, seen = (count + 1) // 2, 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= wanted:
            return value, count
    raise ValueError("An empty histogram has no median.")


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
