"""The CIN census validation rule registry and the validator that runs it.

Source: DfE, "Children in need census 2025 to 2026: validation rules" (codes and conditions are
listed in ``shared/design/cin-census-rules.md``; the messages and fixes here are our own words).

A rule is a small named function registered with ``@rule``: its DfE code, severity (error or
query), the census fields it reads, the collection years it applies to, and a plain-English fix.

- A **child rule** is ``f(child: ChildRecord, ctx: CensusContext) -> Iterable[Hit]``: it reads one
  child and yields one ``Hit`` per problem (the field, the line and a specific message).
- A **file rule** is a class with ``see(child, ctx)`` called for every child and
  ``finish(ctx) -> Iterable[tuple[str, Hit]]`` (LAchildID, hit) called after the stream: for rules
  across children (8510 duplicate LAchildID, 1520 duplicate UPN, 2886Q percentages...).
- A **header rule** is ``f(header: CensusHeader, ctx) -> Iterable[Hit]``.

A new collection year adds rules (or replaces one by registering the same code with a later
``years`` range) without editing old ones. ``CensusValidator`` is what the import calls.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from safeguard.workdays.calendar import Calendar

from .records import CensusHeader, ChildRecord

ERROR = "error"
QUERY = "query"


@dataclass(slots=True)
class Hit:
    """One problem a rule found: which field, on which line, and what exactly is wrong."""

    field: str
    line: int
    message: str


@dataclass(slots=True)
class FindingRecord:
    code: str
    severity: str
    message: str
    fix: str
    field: str = ""
    line: int | None = None
    la_child_id: str = ""


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str
    title: str  # what the rule checks, in our words (shown in docs/rules.md and the report)
    fix: str  # how to put it right
    fields: tuple[str, ...]
    scope: str  # "child", "file" or "header"
    func: Callable
    first_year: int | None = None  # collection years (the year the census year ends) it applies to
    last_year: int | None = None

    def applies_to(self, year: int | None) -> bool:
        if year is None:
            return True
        return (self.first_year is None or year >= self.first_year) and (
            self.last_year is None or year <= self.last_year
        )


REGISTRY: dict[str, list[Rule]] = {}


def rule(
    code: str,
    *,
    severity: str,
    title: str,
    fix: str,
    fields: Iterable[str] = (),
    scope: str = "child",
    years: tuple[int | None, int | None] = (None, None),
):
    """Register a rule function (or, for ``scope="file"``, a class). Returns it unchanged."""
    if severity not in (ERROR, QUERY):
        raise ValueError(f"Rule {code}: severity must be 'error' or 'query'.")
    if scope not in ("child", "file", "header"):
        raise ValueError(f"Rule {code}: scope must be 'child', 'file' or 'header'.")

    def register(func):
        REGISTRY.setdefault(code, []).append(
            Rule(code, severity, title, fix, tuple(fields), scope, func, years[0], years[1])
        )
        return func

    return register


def rules_for(year: int | None) -> list[Rule]:
    """The rules that apply to a collection year: for each code, the latest registration that
    covers the year."""
    _load_rules()
    chosen = []
    for versions in REGISTRY.values():
        matching = [r for r in versions if r.applies_to(year)]
        if matching:
            chosen.append(matching[-1])
    return sorted(chosen, key=lambda r: r.code)


def all_rules() -> list[Rule]:
    _load_rules()
    return sorted((r for versions in REGISTRY.values() for r in versions), key=lambda r: (r.code, r.first_year or 0))


def _load_rules() -> None:
    from . import rules  # noqa: F401  (importing the package registers every rule module)


@dataclass
class CensusContext:
    """What rules need besides the child: the census year and a working-day calendar."""

    year: int  # the year the census year ends (2026 for 2025-26)
    calendar: Calendar
    expected_reference_date: dt.date = field(init=False)
    period_start: dt.date = field(init=False)
    period_end: dt.date = field(init=False)

    def __post_init__(self) -> None:
        self.period_start = dt.date(self.year - 1, 4, 1)
        self.period_end = dt.date(self.year, 3, 31)
        self.expected_reference_date = self.period_end

    def in_period(self, day: dt.date | None) -> bool:
        return day is not None and self.period_start <= day <= self.period_end


class CensusValidator:
    """Runs every rule for the year over a stream of children.

    Usage (what the import does)::

        validator = CensusValidator(ctx)
        findings = list(validator.check_header(header))
        for child in children:
            findings.extend(validator.check_child(child))
        findings.extend(validator.finish())
        validator.counts  # Counter of findings by rule code
    """

    def __init__(self, ctx: CensusContext, rules: Iterable[Rule] | None = None):
        self.ctx = ctx
        chosen = list(rules) if rules is not None else rules_for(ctx.year)
        self.child_rules = [r for r in chosen if r.scope == "child"]
        self.header_rules = [r for r in chosen if r.scope == "header"]
        self.file_rules = [(r, r.func()) for r in chosen if r.scope == "file"]
        self.counts: Counter[str] = Counter()
        # What ``check_child`` runs for every child (about a hundred rules for each of 50,000 children
        # in a large file): each rule's function beside it, and each file rule's bound ``see``.
        self._child_checks = tuple((r.func, r) for r in self.child_rules)
        self._file_sees = tuple(state.see for _r, state in self.file_rules)

    def _finding(self, r: Rule, hit: Hit, la_child_id: str = "") -> FindingRecord:
        self.counts[r.code] += 1
        return FindingRecord(r.code, r.severity, hit.message, r.fix, hit.field, hit.line or None, la_child_id)

    def check_header(self, header: CensusHeader) -> Iterator[FindingRecord]:
        for r in self.header_rules:
            for hit in r.func(header, self.ctx):
                yield self._finding(r, hit)

    def check_child(self, child: ChildRecord) -> list[FindingRecord]:
        """Every child rule and every file rule's ``see``, in turn, on one child. A rule with nothing to
        report returns an empty sequence (most return the same empty tuple), which is skipped unread."""
        out: list[FindingRecord] = []
        ctx = self.ctx
        for func, r in self._child_checks:
            hits = func(child, ctx)
            if hits:
                for hit in hits:
                    out.append(self._finding(r, hit, child.la_child_id))
        for see in self._file_sees:
            see(child, ctx)
        return out

    def finish(self) -> Iterator[FindingRecord]:
        for r, state in self.file_rules:
            for la_child_id, hit in state.finish(self.ctx):
                yield self._finding(r, hit, la_child_id)
