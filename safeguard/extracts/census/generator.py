"""Synthetic CIN census files: realistic, deterministic for a seed, with deliberate errors on demand.

Every child is invented (synthetic LAchildIDs and UPNs, random dates): never a real person.

Usage::

    summary = generate_census("census.xml", children=50_000, seed=7, error_rate=0.02)
    # or: manage.py generate_cin_census --children 50000 --seed 7 --error-rate 0.02 --output census.xml

What the file looks like
------------------------
The layout of the collection year (``year`` is the year the census year ends, 2026 for 2025-26; older
years use the older layout: GenderCurrent before 2024-25, no PreProceedingsandFGDM before 2025-26),
written as a stream with ``lxml.etree.xmlfile`` one child at a time, so memory does not grow with
the number of children.

The mix follows the national figures for the year ending 31 March 2025 (DfE, "Children in need",
Explore Education Statistics; summarised in ``shared/design/statutory.md``): about a third of the
children are carried over from earlier years with a CIN or CP plan open on 1 April; of referrals in
the year about 6.5% end with no further action and about a fifth follow another referral in the file
within 12 months (nationally 22.6% are re-referrals, counting earlier referrals a census file does
not hold); assessments take a median of about 33 working days from referral, about 86% within 45;
about 35% of referrals lead to a section 47 enquiry and about 31% of those to an initial child
protection conference, about 81% of them within 15 working days of the enquiry's start (counted with
the real working-day calendar, ``safeguard.workdays.calendar``); about 86% of conferences start a
plan, neglect the most common category, then emotional abuse, about a quarter of plans second or
subsequent; ages 0-17 with about 2% unborn. Identifiers follow the census rules (UPN check letters as
DfE rule 1510 computes them, the authority's code in characters 2-4). Activity falls in the census
year, or before it only for what was already open on 1 April, and the dates of a child are consistent
with each other, so a file made with ``error_rate=0`` breaks no DfE error rule (queries, which the DfE
allows with an explanation, stay rare).

Deliberate errors
-----------------
With ``error_rate=R`` a fraction R of the children get exactly one error from ``INJECTORS``: each is
named by the DfE rule (or our structural code, ``XML01``...) it triggers. The summary counts them by
code, so a test can check that the validator finds what was put in. Some errors necessarily trigger
a second rule as well (an unreadable NumberOfPreviousCPP, XML05, also leaves it missing, 8730);
``INJECTORS`` says so where it happens.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import random
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from operator import mul
from typing import BinaryIO, TextIO

from lxml import etree

from safeguard.workdays.calendar import Calendar

from . import schema
from .records import (
    AssessmentRecord,
    ChildRecord,
    CINPlanRecord,
    CPPlanRecord,
    EpisodeRecord,
    PreProceedingsRecord,
    Section47Record,
)
from .rules.identifiers import UPN_LA_CODES

UPN_CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"  # 23 letters: no I, O or S (DfE UPN guidance, rule 1510)
SOFTWARE = "Safeguard synthetic census generator"
RELEASE = "1.0"
DAY = dt.timedelta(days=1)
_UPN_WEIGHTS = range(2, 14)


def upn_check_letter(body: str) -> str:
    """The check letter for the 12 characters after it (DfE rule 1510): each of characters 2-13
    multiplied by its position (2 to 13), summed, modulo 23, indexes ``UPN_CHECK_LETTERS``. A letter in
    position 13 (a temporary UPN) counts as its index in that alphabet."""
    if body.isdigit():
        total = sum(map(mul, map(int, body), _UPN_WEIGHTS))
    else:
        total = 0
        for position, char in zip(_UPN_WEIGHTS, body, strict=False):
            value = int(char) if char.isdigit() else UPN_CHECK_LETTERS.index(char.upper())
            total += value * position
    return UPN_CHECK_LETTERS[total % 23]


def make_upn(la: str, number: int) -> str:
    """A valid permanent UPN: check letter, LA code, then nine digits unique for ``number``."""
    body = f"{la}{(2001 + number // 1000) % 10000:04d}{number % 100:02d}{number % 1000:03d}"
    return upn_check_letter(body) + body


# --- randomness ---------------------------------------------------------------------------------
class _Random(random.Random):
    """``random.Random`` with a cheaper ``randint`` (one float, no argument checks): the generator
    draws about thirty numbers per child."""

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))


class _Table:
    """A weighted choice that costs one random number and one bisect."""

    __slots__ = ("cumulative", "total", "values")

    def __init__(self, weights: dict):
        self.values = list(weights)
        self.cumulative = list(accumulate(weights.values()))
        self.total = self.cumulative[-1]

    def pick(self, rng: random.Random):
        return self.values[bisect_right(self.cumulative, rng.random() * self.total)]


# Mixes of codes. Where the national figures give them (statutory.md: neglect first, then emotional
# abuse; a quarter of plans second or later), they follow them; the rest are plausible synthetic mixes.
ETHNICITY = _Table(
    {
        "WBRI": 640, "WOTH": 62, "WIRI": 5, "WIRT": 3, "WROM": 7, "MWBC": 30, "MWBA": 15, "MWAS": 15,
        "MOTH": 32, "AIND": 10, "APKN": 30, "ABAN": 10, "AOTH": 15, "BCRB": 15, "BAFR": 30, "BOTH": 10,
        "CHNE": 3, "OOTH": 25, "REFU": 7, "NOBT": 35,
    }
)  # fmt: skip
DISABILITY = _Table(
    {"AUT": 30, "LD": 22, "BEH": 18, "COMM": 14, "DDA": 10, "MOB": 5, "PC": 4, "VIS": 3, "HEAR": 3,
     "HAND": 2, "INC": 2, "CON": 2}
)  # fmt: skip
REFERRAL_SOURCE = _Table(
    {
        "6": 290, "2A": 190, "3A": 30, "3B": 20, "3C": 5, "3D": 10, "3E": 30, "3F": 50, "5A": 20, "5B": 40,
        "5C": 20, "5D": 40, "1A": 50, "1B": 10, "1C": 10, "1D": 10, "2B": 10, "4": 15, "7": 20, "8": 40,
        "9": 20, "10": 15,
    }
)  # fmt: skip
PRIMARY_NEED = _Table(
    {"N1": 570, "N2": 30, "N3": 40, "N4": 130, "N5": 90, "N6": 15, "N7": 2, "N8": 20, "N9": 90, "N0": 10}
)
CATEGORY = _Table({"NEG": 48, "EMO": 36, "PHY": 8, "SAB": 4, "MUL": 4})
PREVIOUS_PLANS = _Table({0: 75, 1: 18, 2: 5, 3: 2})
CLOSURE_REASON = _Table({"RC7": 800, "RC5": 70, "RC6": 30, "RC3": 40, "RC4": 50, "RC1": 10})
FACTORS = _Table(
    {
        "3B": 30, "3C": 6, "4B": 28, "4A": 12, "2B": 14, "1B": 12, "16A": 16, "17A": 14, "3A": 8, "15A": 6,
        "10A": 5, "24A": 4, "11A": 4, "14A": 5, "5B": 4, "6B": 4, "5A": 3, "6A": 2, "7A": 3, "18B": 5,
        "18C": 4, "19B": 4, "19C": 3, "13A": 2, "12A": 1, "9A": 2, "22A": 1, "23A": 1, "20": 6,
    }
)  # fmt: skip
# Age at the end of the census year, in years: under 1 5%, 1-4 16%, 5-9 25%, 10-15 38%, 16-17 16%
# (children in need at 31 March, national figures, rounded).
AGE = _Table({0: 50, 1: 40, 2: 40, 3: 40, 4: 40, 5: 50, 6: 50, 7: 50, 8: 50, 9: 50, 10: 63, 11: 63, 12: 63,
              13: 63, 14: 64, 15: 64, 16: 90, 17: 70})  # fmt: skip
# Working days from the S47 start to the ICPC: 0-10 8.7%, 11-15 72.7%, 16-20 8.9%, over 20 9.7%.
ICPC_BAND = _Table({(1, 10): 87, (11, 15): 727, (16, 20): 89, (21, 40): 97})


# --- the working-day calendar, as lookups -------------------------------------------------------
class _WorkingDays:
    """``safeguard.workdays.calendar.Calendar`` arithmetic precomputed for the generator's range."""

    def __init__(self, first: dt.date, last: dt.date):
        cal = Calendar(first, last)
        self.first = first
        self.origin = first.toordinal()
        self.days: list[dt.date] = []
        self.index_of: list[int] = []  # by ordinal offset: working days up to and including the date
        day, count = first, 0
        while day <= last:
            if cal.is_working(day):
                count += 1
                self.days.append(day)
            self.index_of.append(count)
            day += DAY

    def index(self, day: dt.date) -> int:
        return self.index_of[day.toordinal() - self.origin]

    def add(self, start: dt.date, n: int) -> dt.date:
        """The n-th working day after ``start`` (``start`` itself for 0), as ``Calendar.add``."""
        return start if n <= 0 else self.days[self.index(start) + n - 1]

    def between(self, start: dt.date, end: dt.date) -> int:
        return self.index(end) - self.index(start)

    def on_or_before(self, day: dt.date) -> dt.date:
        """The last working day on or before ``day``."""
        return self.days[self.index(day) - 1]


# --- tweaks that only the XML can hold (the structural errors) -----------------------------------
@dataclass
class _Tweaks:
    """Changes to how a child is written that its records cannot express: a value replaced by raw
    text (``None`` drops the element), and extra elements appended to a record's group."""

    text: dict[tuple[int, str], str | None] = field(default_factory=dict)
    extra: dict[tuple[int, str], list[tuple[str, str]]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.text or self.extra)


@dataclass(frozen=True)
class Injector:
    code: str  # the DfE rule (or our structural check) it triggers
    description: str
    apply: Callable[[_Builder, ChildRecord, _Tweaks], bool]  # False: does not apply to this child


@dataclass
class GeneratorOptions:
    children: int
    seed: int = 0
    error_rate: float = 0.0
    year: int = schema.LATEST_YEAR
    la: str = "931"
    localities: Sequence[str] = ()


class _Builder:
    """Makes one child at a time. All randomness comes from two seeded generators: one for the data
    and one for the errors, so the same seed gives the same children whatever the error rate."""

    def __init__(self, options: GeneratorOptions):
        if options.children < 0:
            raise ValueError("The number of children cannot be negative.")
        if not 0 <= options.error_rate <= 1:
            raise ValueError("The error rate is a fraction between 0 and 1 (for example 0.02).")
        if not (len(options.la) == 3 and options.la.isdigit()):
            raise ValueError("The local authority code is three digits (for example 931).")
        if not 2012 <= options.year <= 2100:
            raise ValueError("The census year is the year it ends, for example 2026 for 2025-26.")
        self.options = options
        self.year = options.year
        self.la = options.la
        # UPNs are issued by the school's authority: a made-up authority code (the demo's 991, say)
        # is not one DfE rule 1530 recognises, so its children get UPNs from a real authority's range.
        self.upn_la = options.la if options.la in UPN_LA_CODES else "931"
        self.rng = _Random(options.seed)
        self.error_rng = _Random(options.seed * 7919 + 104729)
        self.period_start = dt.date(self.year - 1, 4, 1)
        self.period_end = dt.date(self.year, 3, 31)
        # Episodes carried over reach back three years; expected births and targets, a year ahead.
        self.wd = _WorkingDays(dt.date(self.year - 5, 1, 1), dt.date(self.year + 2, 12, 31))
        self.last_working_day = self.wd.on_or_before(self.period_end)
        self.id_base = self.rng.randrange(100_000, 900_000)
        self.upn_base = self.rng.randrange(0, 2_000_000)
        self.previous_ids: list[str] = []
        self.previous_upn = ""
        self.injected: Counter[str] = Counter()
        self.localities = list(options.localities)
        self.locality_table = (
            _Table({name: 0.6**i for i, name in enumerate(self.localities)}) if self.localities else None
        )
        self.locality_rng = _Random(options.seed * 31 + 1_000_003)

    # -- the data ---------------------------------------------------------------------------------
    def child(self, n: int) -> ChildRecord:
        rng = self.rng
        child = ChildRecord(la_child_id=f"SYN{self.id_base + n:07d}")
        unborn = rng.random() < 0.02
        child.ethnicity = ETHNICITY.pick(rng)
        child.disabilities = self._disabilities()
        if unborn:
            child.expected_birth_date = self.period_end + dt.timedelta(days=rng.randint(1, 270))
            child.sex = "U"
            # Referred at most 40 weeks before the expected birth (rule 8606), with a margin.
            earliest = max(self.period_start, child.expected_birth_date - dt.timedelta(days=270))
            referral = self._day_between(earliest, self.period_end - dt.timedelta(days=10))
            child.episodes = self._episodes_from(referral, not_before=earliest)
        else:
            r = rng.random()
            child.sex = "F" if r < 0.495 else "M" if r < 0.995 else "U"
            if rng.random() < 0.34:
                child.episodes = self._carried_over()
            else:
                child.episodes = self._episodes_from(self._day_between(self.period_start, self.period_end))
            # Age at the end of the year (0-17); born before the first referral in the file.
            age = AGE.pick(rng)
            child.birth_date = min(
                self.period_end - dt.timedelta(days=age * 365 + rng.randint(0, 364)),
                child.episodes[0].referral_date - dt.timedelta(days=rng.randint(0, 30)),
            )
        self._identifiers(child, n)
        self._maybe_death(child)
        if self.year < schema.SEX_FROM_YEAR:
            child.gender_current = {"M": "1", "F": "2"}.get(child.sex, "0")
        return child

    def _day_between(self, first: dt.date, last: dt.date) -> dt.date:
        if last <= first:
            return first
        return first + dt.timedelta(days=self.rng.randint(0, (last - first).days))

    def _disabilities(self) -> list[str]:
        r = self.rng.random()
        if r < 0.86:
            return ["NONE"]
        count = 1 if r < 0.955 else 2 if r < 0.99 else 3
        codes: list[str] = []
        while len(codes) < count:
            code = DISABILITY.pick(self.rng)
            if code not in codes:
                codes.append(code)
        return codes

    def _identifiers(self, child: ChildRecord, n: int) -> None:
        rng = self.rng
        if child.birth_date is None:
            child.upn_unknown = "UN7" if self._all_nfa(child) else "UN6"
            return
        age = (self.period_end - child.birth_date).days // 365
        if age < 4:
            child.upn_unknown = "UN7" if rng.random() < 0.5 and self._all_nfa(child) else "UN6"
        elif rng.random() < 0.985:
            child.upn = make_upn(self.upn_la, self.upn_base + n)
            if rng.random() < 0.01:
                child.former_upn = make_upn(self.upn_la, self.upn_base + n + 5_000_000)
        else:
            child.upn_unknown = "UN4"

    @staticmethod
    def _all_nfa(child: ChildRecord) -> bool:
        """UN7 (referral with no further action) is only for a child whose every referral was NFA (8772)."""
        return all(episode.referral_nfa for episode in child.episodes)

    def _maybe_death(self, child: ChildRecord) -> None:
        last = child.episodes[-1]
        if child.birth_date is None or last.closure_date is None or self.rng.random() >= 0.002:
            return
        if last.reason_for_closure in ("RC8", "RC9") or last.referral_nfa:
            return
        child.death_date = last.closure_date
        last.reason_for_closure = "RC2"

    # -- episodes ---------------------------------------------------------------------------------
    def _episodes_from(self, referral: dt.date, not_before: dt.date | None = None) -> list[EpisodeRecord]:
        """An episode referred in the year; sometimes an earlier short one in the year before it (the
        new referral is then a re-referral within 12 months), sometimes a re-referral after it."""
        episodes = []
        rng = self.rng
        if rng.random() < 0.3:
            earlier = referral - dt.timedelta(days=rng.randint(75, 330))
            if earlier >= max(self.period_start, not_before or self.period_start):
                episodes.append(self._short_episode(earlier, referral - dt.timedelta(days=7)))
        episodes.append(self._in_year_episode(referral))
        while len(episodes) < 3:
            previous = episodes[-1]
            if previous.closure_date is None or rng.random() >= 0.35:
                break
            gap = rng.randint(7, 300)
            referral = previous.closure_date + dt.timedelta(days=gap)
            if referral > self.period_end - dt.timedelta(days=3):
                break
            episodes.append(self._in_year_episode(referral, previous_plans=self._plans_before(episodes)))
        return episodes

    @staticmethod
    def _plans_before(episodes: list[EpisodeRecord]) -> int:
        return sum(len(e.cp_plans) for e in episodes)

    def _new_episode(self, referral: dt.date) -> EpisodeRecord:
        return EpisodeRecord(
            referral_date=referral,
            referral_source=REFERRAL_SOURCE.pick(self.rng),
            primary_need=PRIMARY_NEED.pick(self.rng),
            referral_nfa=False,
        )

    def _close(self, episode: EpisodeRecord, after: dt.date, reason: str | None = None) -> None:
        closure = after + dt.timedelta(days=self.rng.randint(0, 14))
        if closure <= self.period_end:
            episode.closure_date = closure
            episode.reason_for_closure = reason or CLOSURE_REASON.pick(self.rng)

    def _short_episode(self, referral: dt.date, before: dt.date) -> EpisodeRecord:
        """A referral closed well before ``before``: no further action, or not in need after assessment."""
        rng = self.rng
        episode = self._new_episode(referral)
        if rng.random() < 0.85:
            assessment = self._assessment(referral)
            done = assessment.authorisation_date
            if done is not None and done + dt.timedelta(days=5) < before:
                assessment.factors = ["21"] if rng.random() < 0.5 else self._factors()
                episode.assessments.append(assessment)
                episode.closure_date = done + dt.timedelta(days=rng.randint(0, 5))
                episode.reason_for_closure = "RC8" if rng.random() < 0.55 else "RC9"
                return episode
        episode.referral_nfa = True
        episode.closure_date = referral
        episode.reason_for_closure = "RC7"
        return episode

    def _in_year_episode(self, referral: dt.date, previous_plans: int = 0) -> EpisodeRecord:
        rng = self.rng
        episode = self._new_episode(referral)
        if rng.random() < 0.05:
            episode.referral_nfa = True
            episode.closure_date = referral
            episode.reason_for_closure = "RC7"
            return episode
        assessment = self._assessment(referral)
        episode.assessments.append(assessment)
        r = rng.random()
        if assessment.authorisation_date is None:  # still open at the end of the year
            if r < 0.35:
                self._section47(episode, assessment, previous_plans)
            return episode
        if r < 0.33:  # assessed as not in need
            reason = "RC8" if rng.random() < 0.55 else "RC9"
            closure = assessment.authorisation_date + dt.timedelta(days=rng.randint(0, 10))
            if closure <= self.period_end:
                assessment.factors = ["21"] if rng.random() < 0.45 else self._factors()
                episode.closure_date, episode.reason_for_closure = closure, reason
            else:
                assessment.factors = self._factors()
            return episode
        assessment.factors = self._factors()
        if r < 0.71:
            self._section47(episode, assessment, previous_plans)
        elif r < 0.93:
            start = assessment.authorisation_date + dt.timedelta(days=rng.randint(0, 5))
            self._cin_plan_then_close(episode, start)
        else:
            self._close(episode, assessment.authorisation_date)
        return episode

    def _assessment(self, referral: dt.date) -> AssessmentRecord:
        """Duration from referral to authorisation: median about 33 working days, 86% within 45."""
        rng, wd = self.rng, self.wd
        start = wd.add(referral, 0 if rng.random() < 0.6 else rng.randint(1, 3))
        if start > self.period_end:
            start = referral
        days = round(rng.triangular(5, 45, 38)) if rng.random() < 0.86 else rng.randint(46, 80)
        days = max(days, wd.between(referral, start) + 1)
        end = wd.add(referral, days)
        assessment = AssessmentRecord(start_date=start)
        if end <= self.period_end:
            assessment.authorisation_date = end
        elif wd.add(start, 45) < self.period_end:
            # Open at the year end but started long before it would be a query (8670Q): finish late instead.
            assessment.authorisation_date = self.last_working_day
        return assessment

    def _factors(self) -> list[str]:
        count = 1 if self.rng.random() < 0.55 else 2 if self.rng.random() < 0.7 else 3
        factors: list[str] = []
        while len(factors) < count:
            code = FACTORS.pick(self.rng)
            if code not in factors:
                factors.append(code)
        return factors

    def _section47(self, episode: EpisodeRecord, assessment: AssessmentRecord, previous_plans: int) -> None:
        rng, wd = self.rng, self.wd
        start = wd.add(assessment.start_date, rng.randint(0, 3))
        if start > self.period_end:
            return
        s47 = Section47Record(start_date=start, icpc_target=wd.add(start, 15), icpc_not_required=True)
        episode.section47s.append(s47)
        if rng.random() >= 0.33:
            after = assessment.authorisation_date or start
            if assessment.authorisation_date is not None and rng.random() < 0.45:
                self._cin_plan_then_close(episode, max(after, start) + dt.timedelta(days=rng.randint(0, 5)))
            elif assessment.authorisation_date is not None:
                self._close(episode, max(after, start))
            return
        low, high = ICPC_BAND.pick(rng)
        icpc = wd.add(start, rng.randint(low, high))
        if icpc > self.period_end:
            if wd.add(start, 15) >= self.period_end:
                s47.icpc_not_required = False  # open at the year end, still within 15 working days
                return
            icpc = self.last_working_day  # otherwise hold the conference by the end of the year
        s47.icpc_date = icpc
        s47.icpc_not_required = False
        if rng.random() < 0.86:
            self._cp_plan(episode, icpc, previous_plans)
        elif assessment.authorisation_date is not None:
            after = max(icpc, assessment.authorisation_date)
            if rng.random() < 0.5:
                self._cin_plan_then_close(episode, after + DAY)
            else:
                self._close(episode, after)

    def _cp_plan(self, episode: EpisodeRecord, start: dt.date, previous_plans: int, *, carried: bool = False) -> None:
        rng = self.rng
        category = CATEGORY.pick(rng)
        plan = CPPlanRecord(
            start_date=start,
            initial_category=category,
            latest_category=category if rng.random() < 0.85 else CATEGORY.pick(rng),
            number_of_previous_cpp=max(previous_plans, PREVIOUS_PLANS.pick(rng)),
        )
        end = start + dt.timedelta(days=rng.randint(90, 540))
        if carried and end < self.period_start:
            end = self.period_start + dt.timedelta(days=rng.randint(0, 500))
        plan.reviews = self._reviews(start, min(end, self.period_end + DAY))
        episode.cp_plans.append(plan)
        if self.year >= schema.PRE_PROCEEDINGS_FROM_YEAR and rng.random() < 0.03:
            self._pre_proceedings(episode, start)
        if end > self.period_end:
            return
        plan.end_date = end
        if rng.random() < 0.55:
            self._cin_plan_then_close(episode, end + DAY)
        else:
            self._close(episode, end)

    def _reviews(self, start: dt.date, until: dt.date) -> list[dt.date]:
        """First review within 3 months of the conference, then every 6 months (Working Together 2023)."""
        rng, wd = self.rng, self.wd
        reviews = []
        review = wd.add(start, rng.randint(50, 64))
        while review < until and review <= self.period_end:
            reviews.append(review)
            review = wd.add(review, rng.randint(110, 128))
        return reviews

    def _pre_proceedings(self, episode: EpisodeRecord, start: dt.date) -> None:
        rng, wd = self.rng, self.wd
        pp_start = wd.add(start, rng.randint(10, 40))
        if pp_start > self.period_end:
            return
        values: dict[str, object] = {"PPStartDate": pp_start}
        letter = wd.add(pp_start, rng.randint(1, 5))
        if letter <= self.period_end:
            values["LBPSentDate"] = letter
        values["FGDMMeetingOffer"] = rng.random() < 0.8
        values["FGDMMeetingFac"] = bool(values["FGDMMeetingOffer"]) and rng.random() < 0.7
        meeting = wd.add(pp_start, rng.randint(5, 15))
        if meeting <= self.period_end:
            values["InitialPPMeetingDate"] = meeting
        values["ReviewMeetingsCount"] = rng.randint(0, 3)
        episode.pre_proceedings.append(PreProceedingsRecord(values=values))

    def _cin_plan_then_close(self, episode: EpisodeRecord, start: dt.date) -> None:
        if start > self.period_end:
            return
        plan = CINPlanRecord(start_date=start)
        episode.cin_plans.append(plan)
        end = start + dt.timedelta(days=self.rng.randint(60, 400))
        if end > self.period_end:
            return
        plan.end_date = end
        self._close(episode, end)

    def _carried_over(self) -> list[EpisodeRecord]:
        """An episode referred in an earlier year with a CIN plan or a CP plan open on 1 April."""
        rng = self.rng
        referral = self.period_start - dt.timedelta(days=rng.randint(20, 1100))
        episode = self._new_episode(referral)
        plan_start = self._day_between(referral + DAY, self.period_start - DAY)
        if rng.random() < 0.2:
            conference = self.wd.on_or_before(plan_start)  # plans start at a conference, on a working day
            start = conference if conference > referral else plan_start
            self._cp_plan(episode, start, 0, carried=True)
        else:
            plan = CINPlanRecord(start_date=plan_start)
            episode.cin_plans.append(plan)
            end = self.period_start + dt.timedelta(days=rng.randint(0, 500))
            if end <= self.period_end:
                plan.end_date = end
                self._close(episode, end)
        episodes = [episode]
        if episode.closure_date is not None and rng.random() < 0.3:
            referral = episode.closure_date + dt.timedelta(days=rng.randint(7, 200))
            if referral <= self.period_end - dt.timedelta(days=3):
                episodes.append(self._in_year_episode(referral, previous_plans=self._plans_before(episodes)))
        return episodes

    # -- errors -----------------------------------------------------------------------------------
    def inject(self, child: ChildRecord, tweaks: _Tweaks) -> str | None:
        """Give ``child`` one error from ``INJECTORS``; returns its code (None if none applied)."""
        rng = self.error_rng
        order = list(range(len(INJECTORS)))
        rng.shuffle(order)
        for i in order:
            injector = INJECTORS[i]
            if injector.apply(self, child, tweaks):
                self.injected[injector.code] += 1
                return injector.code
        return None

    def remember(self, child: ChildRecord) -> None:
        """Keep identifiers to copy for the duplicate errors (8510, 1520): only valid ones, so a copy
        breaks no other identifier rule."""
        la_child_id = child.la_child_id
        if la_child_id and la_child_id.isalnum() and len(la_child_id) <= 20:
            if len(self.previous_ids) < 64:
                self.previous_ids.append(la_child_id)
            else:
                self.previous_ids[self.error_rng.randrange(64)] = la_child_id
        upn = child.upn
        if upn and upn[1:4] == self.upn_la and upn[4:].isdigit() and upn_check_letter(upn[1:]) == upn[0]:
            self.previous_upn = upn


# --- the injectors ------------------------------------------------------------------------------
_RC89 = ("RC8", "RC9")  # closed after assessment: not in need (RC8) or referred to early help (RC9)


def _episodes_where(child: ChildRecord, test: Callable[[EpisodeRecord], bool]) -> list[EpisodeRecord]:
    return [e for e in child.episodes if test(e)]


def _first(items):
    return items[0] if items else None


def _upn_with(child: ChildRecord, position: int, char: str, *, recheck: bool) -> bool:
    if not child.upn:
        return False
    body = child.upn[1:position] + char + child.upn[position + 1 :]
    child.upn = (upn_check_letter(body) if recheck else child.upn[0]) + body
    return True


def _wrong_check_letter(b: _Builder, c: ChildRecord, t: _Tweaks) -> bool:
    if not c.upn:
        return False
    right = c.upn[0]
    c.upn = UPN_CHECK_LETTERS[(UPN_CHECK_LETTERS.index(right) + 1 + b.error_rng.randrange(22)) % 23] + c.upn[1:]
    return True


def _duplicate_upn(b: _Builder, c: ChildRecord, t: _Tweaks) -> bool:
    if not c.upn or not b.previous_upn or b.previous_upn == c.upn:
        return False
    c.upn = b.previous_upn
    return True


def _unknown_la_in_upn(b: _Builder, c: ChildRecord, t: _Tweaks) -> bool:
    if not c.upn:
        return False
    body = "000" + c.upn[4:]
    c.upn = upn_check_letter(body) + body
    return True


def _letters_in_upn(b: _Builder, c: ChildRecord, t: _Tweaks) -> bool:
    return _upn_with(c, 6, "X", recheck=False)


def _long_la_child_id(b: _Builder, c: ChildRecord, t: _Tweaks) -> bool:
    c.la_child_id = c.la_child_id + "X" * (21 - len(c.la_child_id) + b.error_rng.randrange(4))
    return True


def _punctuated_la_child_id(b: _Builder, c: ChildRecord, t: _Tweaks) -> bool:
    c.la_child_id = c.la_child_id[:3] + "-" + c.la_child_id[3:]
    return True


def _duplicate_la_child_id(b: _Builder, c: ChildRecord, t: _Tweaks) -> bool:
    if not b.previous_ids:
        return False
    c.la_child_id = b.error_rng.choice(b.previous_ids)
    return True


def _missing_la_child_id(b: _Builder, c: ChildRecord, t: _Tweaks) -> bool:
    c.la_child_id = ""
    return True


def _invalid_sex(b: _Builder, c: ChildRecord, t: _Tweaks) -> bool:
    if c.birth_date is None:
        return False
    if b.year < schema.SEX_FROM_YEAR:
        c.gender_current, c.sex = "5", ""
    else:
        c.sex = "X"
    return True


def _invalid_ethnicity(b: _Builder, c: ChildRecord, t: _Tweaks) -> bool:
    c.ethnicity = "WXYZ"
    return True


def _invalid_disability(b: _Builder, c: ChildRecord, t: _Tweaks) -> bool:
    c.disabilities = ["SIT"]
    return True


def _none_and_disability(b: _Builder, c: ChildRecord, t: _Tweaks) -> bool:
    c.disabilities = ["NONE", "AUT"]
    return True


def _repeated_disability(b: _Builder, c: ChildRecord, t: _Tweaks) -> bool:
    c.disabilities = ["LD", "LD"]
    return True


def _born_after_year(b: _Builder, c: ChildRecord, t: _Tweaks) -> bool:
    if c.birth_date is None:
        return False
    born = b.period_end + dt.timedelta(days=b.error_rng.randint(1, 20))
    if c.episodes[0].referral_date < born - dt.timedelta(days=270):
        return False
    c.birth_date = born
    return True


def _referred_too_early_for_unborn(b: _Builder, c: ChildRecord, t: _Tweaks) -> bool:
    if c.expected_birth_date is None:
        return False
    referral = c.expected_birth_date - dt.timedelta(days=295)
    if referral < b.period_start:
        return False
    c.episodes[0].referral_date = referral
    return True


def _unborn_not_u(b: _Builder, c: ChildRecord, t: _Tweaks) -> bool:
    if c.expected_birth_date is None:
        return False
    c.sex = "M"
    if b.year < schema.SEX_FROM_YEAR:
        c.gender_current = "1"
    return True


def _missing_referral_date(b: _Builder, c: ChildRecord, t: _Tweaks) -> bool:
    episode = _first(_episodes_where(c, lambda e: bool(e.referral_nfa)))
    if episode is None:
        return False
    episode.referral_date = None
    return True


def _closed_after_year(b: _Builder, c: ChildRecord, t: _Tweaks) -> bool:
    episode = c.episodes[-1]
    if episode.closure_date is None:
        return False
    episode.closure_date = b.period_end + dt.timedelta(days=b.error_rng.randint(1, 30))
    return True


def _closed_before_referral(b: _Builder, c: ChildRecord, t: _Tweaks) -> bool:
    episode = _first(_episodes_where(c, lambda e: bool(e.referral_nfa) and e.referral_date is not None))
    if episode is None or episode.referral_date - dt.timedelta(days=3) < b.period_start:
        return False
    episode.closure_date = episode.referral_date - dt.timedelta(days=3)
    return True


def _invalid_closure_reason(b: _Builder, c: ChildRecord, t: _Tweaks) -> bool:
    # Not an RC8/RC9 closure: replacing those would also raise 8873Q on an assessment with factor 21.
    episode = _first(_episodes_where(c, lambda e: e.closure_date is not None and e.reason_for_closure not in _RC89))
    if episode is None:
        return False
    episode.reason_for_closure = "RC0"
    return True


def _invalid_primary_need(b: _Builder, c: ChildRecord, t: _Tweaks) -> bool:
    c.episodes[0].primary_need = "NX"
    return True


def _invalid_referral_source(b: _Builder, c: ChildRecord, t: _Tweaks) -> bool:
    c.episodes[0].referral_source = "1Z"
    return True


def _closure_without_reason(b: _Builder, c: ChildRecord, t: _Tweaks) -> bool:
    episode = _first(_episodes_where(c, lambda e: e.closure_date is not None and e.reason_for_closure != "RC2"))
    if episode is None:
        return False
    episode.reason_for_closure = ""
    return True


def _reason_without_closure(b: _Builder, c: ChildRecord, t: _Tweaks) -> bool:
    episode = c.episodes[-1]
    if episode.closure_date is None or episode.referral_nfa or c.death_date is not None:
        return False
    episode.closure_date = None
    return True


def _missing_nfa_flag(b: _Builder, c: ChildRecord, t: _Tweaks) -> bool:
    c.episodes[0].referral_nfa = None
    return True


def _overlapping_episodes(b: _Builder, c: ChildRecord, t: _Tweaks) -> bool:
    if len(c.episodes) < 2:
        return False
    first, second = c.episodes[0], c.episodes[1]
    if first.closure_date is None or first.closure_date - first.referral_date < dt.timedelta(days=4):
        return False
    second.referral_date = first.closure_date - DAY
    return True


def _authorised_before_start(b: _Builder, c: ChildRecord, t: _Tweaks) -> bool:
    for episode in c.episodes:
        for assessment in episode.assessments:
            if assessment.authorisation_date is not None:
                assessment.authorisation_date = assessment.start_date - DAY
                return True
    return False


def _factor_21_with_another(b: _Builder, c: ChildRecord, t: _Tweaks) -> bool:
    # On an episode closed as not in need (RC8/RC9), where factor 21 is at home (else 8873Q as well).
    assessment = _first([a for e in c.episodes if e.reason_for_closure in _RC89 for a in e.assessments if a.factors])
    if assessment is None:
        return False
    assessment.factors = ["21", "3B"]
    return True


def _repeated_factor(b: _Builder, c: ChildRecord, t: _Tweaks) -> bool:
    assessment = _first([a for e in c.episodes for a in e.assessments if a.factors and a.factors != ["21"]])
    if assessment is None:
        return False
    assessment.factors = [assessment.factors[0], assessment.factors[0]]
    return True


def _assessment_before_referral(b: _Builder, c: ChildRecord, t: _Tweaks) -> bool:
    earliest = b.period_start + dt.timedelta(days=3)
    episode = _first(_episodes_where(c, lambda e: bool(e.assessments) and e.referral_date >= earliest))
    if episode is None:
        return False
    episode.assessments[0].start_date = episode.referral_date - dt.timedelta(days=2)
    return True


def _s47_before_referral(b: _Builder, c: ChildRecord, t: _Tweaks) -> bool:
    episode = _first(
        _episodes_where(
            c, lambda e: any(s.icpc_date or s.icpc_not_required for s in e.section47s) and e.referral_date is not None
        )
    )
    if episode is None:
        return False
    episode.section47s[0].start_date = episode.referral_date - dt.timedelta(days=2)
    return True


def _with_icpc(c: ChildRecord) -> tuple[EpisodeRecord, Section47Record] | None:
    for episode in c.episodes:
        for s47 in episode.section47s:
            if s47.icpc_date is not None:
                return episode, s47
    return None


def _s47_after_icpc(b: _Builder, c: ChildRecord, t: _Tweaks) -> bool:
    found = _with_icpc(c)
    if found is None:
        return False
    found[1].start_date = found[1].icpc_date + DAY
    return True


def _icpc_at_weekend(b: _Builder, c: ChildRecord, t: _Tweaks) -> bool:
    found = _with_icpc(c)
    if found is None:
        return False
    episode, s47 = found
    saturday = s47.icpc_date + dt.timedelta(days=(5 - s47.icpc_date.weekday()) % 7 or 7)
    plan = _first([p for p in episode.cp_plans if p.start_date == s47.icpc_date])
    if saturday > b.period_end:
        return False
    if plan is not None:
        if (plan.end_date and plan.end_date <= saturday) or (plan.reviews and plan.reviews[0] <= saturday):
            return False
        plan.start_date = saturday
    if episode.closure_date is not None and episode.closure_date < saturday:
        return False
    s47.icpc_date = saturday
    return True


def _icpc_at_both_levels(b: _Builder, c: ChildRecord, t: _Tweaks) -> bool:
    found = _with_icpc(c)
    if found is None:
        return False
    found[0].initial_cpc_date = found[1].icpc_date
    return True


def _with_plan(c: ChildRecord, test: Callable[[CPPlanRecord], bool] = lambda p: True) -> CPPlanRecord | None:
    return _first([p for e in c.episodes for p in e.cp_plans if test(p)])


def _plan_ends_on_start(b: _Builder, c: ChildRecord, t: _Tweaks) -> bool:
    plan = _with_plan(c, lambda p: p.end_date is not None and p.start_date >= b.period_start)
    if plan is None:
        return False
    plan.end_date = plan.start_date
    plan.reviews, plan.review_lines = [], []
    return True


def _plan_ends_before_start(b: _Builder, c: ChildRecord, t: _Tweaks) -> bool:
    # Only plans that started 20 days or more into the year, so the end stays inside it (else 8930 too).
    latest = b.period_start + dt.timedelta(days=20)
    plan = _with_plan(c, lambda p: p.end_date is not None and p.start_date >= latest)
    if plan is None:
        return False
    plan.end_date = plan.start_date - dt.timedelta(days=b.error_rng.randint(1, 20))
    plan.reviews, plan.review_lines = [], []
    return True


def _invalid_initial_category(b: _Builder, c: ChildRecord, t: _Tweaks) -> bool:
    plan = _with_plan(c)
    if plan is None:
        return False
    plan.initial_category = "NGL"
    return True


def _invalid_latest_category(b: _Builder, c: ChildRecord, t: _Tweaks) -> bool:
    plan = _with_plan(c)
    if plan is None:
        return False
    plan.latest_category = "ABU"
    return True


def _missing_previous_plans(b: _Builder, c: ChildRecord, t: _Tweaks) -> bool:
    plan = _with_plan(c)
    if plan is None:
        return False
    plan.number_of_previous_cpp = None
    return True


def _review_on_plan_start(b: _Builder, c: ChildRecord, t: _Tweaks) -> bool:
    plan = _with_plan(c, lambda p: bool(p.reviews))
    if plan is None:
        return False
    plan.reviews[0] = plan.start_date
    return True


def _plan_not_on_icpc_day(b: _Builder, c: ChildRecord, t: _Tweaks) -> bool:
    found = _with_icpc(c)
    if found is None:
        return False
    plan = _first([p for p in found[0].cp_plans if p.start_date == found[1].icpc_date])
    if plan is None or (plan.end_date and plan.end_date <= plan.start_date + DAY):
        return False
    if plan.reviews and plan.reviews[0] <= plan.start_date + DAY:
        return False
    plan.start_date += DAY
    return True


def _cin_plan_ends_before_start(b: _Builder, c: ChildRecord, t: _Tweaks) -> bool:
    latest = b.period_start + DAY
    plan = _first([p for e in c.episodes for p in e.cin_plans if p.end_date is not None and p.start_date >= latest])
    if plan is None:
        return False
    plan.end_date = plan.start_date - DAY
    return True


# Structural errors: written into the XML itself.
def _unreadable_date(b: _Builder, c: ChildRecord, t: _Tweaks) -> bool:
    s47 = _first([s for e in c.episodes for s in e.section47s if s.icpc_target is not None])
    if s47 is not None:
        d = s47.icpc_target
        t.text[(id(s47), "InitialCPCtarget")] = f"{d.day:02d}/{d.month:02d}/{d.year}"
        return True
    if c.birth_date is not None:
        d = c.birth_date
        t.text[(id(c), "PersonBirthDate")] = f"{d.year}-{d.month:02d}-{d.day + 40:02d}"
        return True
    return False


def _unreadable_boolean(b: _Builder, c: ChildRecord, t: _Tweaks) -> bool:
    found = _with_icpc(c)
    if found is None:
        return False
    t.text[(id(found[1]), "ICPCnotRequired")] = "no"
    return True


def _unreadable_number(b: _Builder, c: ChildRecord, t: _Tweaks) -> bool:
    plan = _with_plan(c)
    if plan is None:
        return False
    t.text[(id(plan), "NumberOfPreviousCPP")] = "one"
    return True


def _value_too_long(b: _Builder, c: ChildRecord, t: _Tweaks) -> bool:
    t.text[(id(c), "FormerUPN")] = "A" + "1" * 14
    return True


def _repeated_element(b: _Builder, c: ChildRecord, t: _Tweaks) -> bool:
    t.extra.setdefault((id(c), "ChildCharacteristics"), []).append(("Ethnicity", c.ethnicity))
    return True


def _unexpected_element(b: _Builder, c: ChildRecord, t: _Tweaks) -> bool:
    t.extra.setdefault((id(c), "ChildIdentifiers"), []).append(("AllocatedTeam", "Team 3"))
    return True


def _missing_required_element(b: _Builder, c: ChildRecord, t: _Tweaks) -> bool:
    found = _with_icpc(c)
    if found is None:
        return False
    t.text[(id(found[1]), "ICPCnotRequired")] = None
    return True


INJECTORS: tuple[Injector, ...] = (
    # identifiers and characteristics
    Injector("1510", "UPN with a wrong check letter", _wrong_check_letter),
    Injector("1520", "UPN already used by another child", _duplicate_upn),
    Injector("1530", "UPN whose characters 2-4 are not an LA code (000), check letter recomputed", _unknown_la_in_upn),
    Injector("1540", "UPN with a letter among characters 5-12", _letters_in_upn),
    Injector("1570", "LAchildID longer than 20 characters", _long_la_child_id),
    Injector("1580", "LAchildID with a hyphen", _punctuated_la_child_id),
    Injector("8510", "LAchildID already used by another child", _duplicate_la_child_id),
    Injector("8500", "LAchildID empty", _missing_la_child_id),
    Injector("4180", "Sex not M, F or U (GenderCurrent 5 in older layouts)", _invalid_sex),
    Injector("4220", "Ethnicity not in the code set", _invalid_ethnicity),
    Injector("8540", "Disability not in the code set", _invalid_disability),
    Injector("8790", "Disability NONE together with another code", _none_and_disability),
    Injector("8794", "The same disability twice", _repeated_disability),
    Injector("8520", "Date of birth after the end of the census year", _born_after_year),
    Injector(
        "8606", "Unborn child referred more than 40 weeks before the expected birth", _referred_too_early_for_unborn
    ),
    Injector("8750", "Unborn child whose sex is not U", _unborn_not_u),
    # episodes
    Injector("8600", "Referral date missing (on a no-further-action referral)", _missing_referral_date),
    Injector("8620", "Closure date after the end of the census year", _closed_after_year),
    Injector("8630", "Closure date before the referral date", _closed_before_referral),
    Injector("8640", "Reason for closure not in the code set", _invalid_closure_reason),
    Injector("8650", "Primary need code not in the code set", _invalid_primary_need),
    Injector("8866", "Referral source not in the code set", _invalid_referral_source),
    Injector("8805", "Closure date without a reason for closure", _closure_without_reason),
    Injector("8810", "Reason for closure without a closure date", _reason_without_closure),
    Injector("8568", "ReferralNFA missing", _missing_nfa_flag),
    Injector("8820", "Two episodes whose dates overlap", _overlapping_episodes),
    # assessments
    Injector("8608", "Assessment authorised the day before it started", _authorised_before_start),
    Injector("8869", "Factor 21 (no factors) together with another factor", _factor_21_with_another),
    Injector("8898", "The same assessment factor twice", _repeated_factor),
    Injector("1103", "Assessment starting before the referral", _assessment_before_referral),
    # section 47 and conferences
    Injector("2889", "S47 enquiry starting before the referral", _s47_before_referral),
    Injector("8615", "S47 enquiry starting after its conference", _s47_after_icpc),
    Injector("8875", "Initial conference on a Saturday (its plan moved with it)", _icpc_at_weekend),
    Injector("2884", "Initial conference recorded on both the S47 and the episode", _icpc_at_both_levels),
    # child protection plans
    Injector("8840", "CP plan ending the day it starts", _plan_ends_on_start),
    Injector("8925", "CP plan ending before it starts", _plan_ends_before_start),
    Injector("8905", "Initial category of abuse not in the code set", _invalid_initial_category),
    Injector("8910", "Latest category of abuse not in the code set", _invalid_latest_category),
    Injector("8730", "NumberOfPreviousCPP missing", _missing_previous_plans),
    Injector("8841", "CP review on the day the plan starts", _review_on_plan_start),
    Injector("2885", "CP plan starting the day after its conference", _plan_not_on_icpc_day),
    # CIN plans
    Injector("4011", "CIN plan ending before it starts", _cin_plan_ends_before_start),
    # structure (our codes): the value reaches the rules as missing
    Injector("XML01", "An element the census does not have (AllocatedTeam)", _unexpected_element),
    Injector("XML02", "ICPCnotRequired left out of an S47 that had its conference", _missing_required_element),
    Injector(
        "XML03",
        "InitialCPCtarget written as DD/MM/YYYY or, with no S47, a date of birth on a day that does not "
        "exist (also no date of birth: 8525Q)",
        _unreadable_date,
    ),
    Injector("XML04", "ICPCnotRequired written as 'no'", _unreadable_boolean),
    Injector("XML05", "NumberOfPreviousCPP written in words (also missing: 8730)", _unreadable_number),
    Injector("XML06", "A FormerUPN of 15 characters", _value_too_long),
    Injector("XML07", "Ethnicity given twice", _repeated_element),
)


# --- writing ------------------------------------------------------------------------------------
_sub = etree.SubElement
_BOOLEAN_TEXT = {True: "true", False: "false"}
_ESCAPE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
# The group a child-level value is written in (the others are in ChildIdentifiers).
_CHILD_GROUP = {"Ethnicity": "ChildCharacteristics"}
_I2, _I3, _I4, _I5, _I6 = ("\n" + " " * n for n in (4, 6, 8, 10, 12))  # indents of levels 2 to 6


class _IsoDates(dict):
    """Date -> ISO text, filled on first use (a census repeats the same few hundred dates)."""

    def __missing__(self, day: dt.date) -> str:
        text = self[day] = day.isoformat()
        return text


class _Writer:
    """Writes records as ``<Child>`` elements in the layout of the collection year.

    Each child is first written as indented text (one template, the fastest way to make it in
    Python), then parsed by libxml2 and handed to ``xmlfile``, which checks it is well-formed on the
    way. A child with structural tweaks (rare) is patched as an element tree in between (``_patch``)."""

    def __init__(self, year: int):
        self.year = year
        self.sex_tag = "Sex" if year >= schema.SEX_FROM_YEAR else "GenderCurrent"
        self.pre_proceedings = year >= schema.PRE_PROCEEDINGS_FROM_YEAR
        self.seen_social_worker = year <= schema.SEEN_SOCIAL_WORKER_UNTIL_YEAR
        self.iso = _IsoDates()

    def child(self, child: ChildRecord, tweaks: _Tweaks) -> etree._Element:
        element = etree.fromstring(self.text(child))
        if tweaks:
            self._patch(child, tweaks, self._groups(child, element))
            etree.indent(element, space="  ", level=2)
        return element

    def text(self, child: ChildRecord) -> str:
        iso = self.iso
        out = ["<Child>", _I3, "<ChildIdentifiers>", _I4, "<LAchildID>", child.la_child_id.translate(_ESCAPE)]
        add = out.append
        add("</LAchildID>")
        for tag, value in (("UPN", child.upn), ("FormerUPN", child.former_upn), ("UPNunknown", child.upn_unknown)):
            if value:
                add(f"{_I4}<{tag}>{value.translate(_ESCAPE)}</{tag}>")
        if child.birth_date is not None:
            add(f"{_I4}<PersonBirthDate>{iso[child.birth_date]}</PersonBirthDate>")
        if child.expected_birth_date is not None:
            add(f"{_I4}<ExpectedPersonBirthDate>{iso[child.expected_birth_date]}</ExpectedPersonBirthDate>")
        sex = child.sex if self.sex_tag == "Sex" else child.gender_current
        add(f"{_I4}<{self.sex_tag}>{sex.translate(_ESCAPE)}</{self.sex_tag}>")
        if child.death_date is not None:
            add(f"{_I4}<PersonDeathDate>{iso[child.death_date]}</PersonDeathDate>")
        add(f"{_I3}</ChildIdentifiers>{_I3}<ChildCharacteristics>{_I4}<Ethnicity>")
        add(child.ethnicity.translate(_ESCAPE))
        add(f"</Ethnicity>{_I4}<Disabilities>")
        for code in child.disabilities:
            add(f"{_I5}<Disability>{code.translate(_ESCAPE)}</Disability>")
        add(f"{_I4}</Disabilities>{_I3}</ChildCharacteristics>")
        for episode in child.episodes:
            self._episode(episode, add)
        add("\n    </Child>")
        return "".join(out)

    def _episode(self, episode: EpisodeRecord, add) -> None:
        iso = self.iso
        add(f"{_I3}<CINdetails>")
        if episode.referral_date is not None:
            add(f"{_I4}<CINreferralDate>{iso[episode.referral_date]}</CINreferralDate>")
        for tag, value in (("ReferralSource", episode.referral_source), ("PrimaryNeedCode", episode.primary_need)):
            if value:
                add(f"{_I4}<{tag}>{value.translate(_ESCAPE)}</{tag}>")
        if episode.closure_date is not None:
            add(f"{_I4}<CINclosureDate>{iso[episode.closure_date]}</CINclosureDate>")
        if episode.reason_for_closure:
            add(f"{_I4}<ReasonForClosure>{episode.reason_for_closure.translate(_ESCAPE)}</ReasonForClosure>")
        if episode.initial_cpc_date is not None:
            add(f"{_I4}<DateOfInitialCPC>{iso[episode.initial_cpc_date]}</DateOfInitialCPC>")
        if episode.referral_nfa is not None:
            add(f"{_I4}<ReferralNFA>{_BOOLEAN_TEXT[episode.referral_nfa]}</ReferralNFA>")
        for assessment in episode.assessments:
            add(f"{_I4}<Assessments>{_I5}<AssessmentActualStartDate>{iso[assessment.start_date]}")
            add("</AssessmentActualStartDate>")
            if assessment.internal_review_date is not None:
                add(f"{_I5}<AssessmentInternalReviewDate>{iso[assessment.internal_review_date]}")
                add("</AssessmentInternalReviewDate>")
            if assessment.authorisation_date is not None:
                add(f"{_I5}<AssessmentAuthorisationDate>{iso[assessment.authorisation_date]}")
                add("</AssessmentAuthorisationDate>")
            if assessment.factors:
                add(f"{_I5}<FactorsIdentifiedAtAssessment>")
                for code in assessment.factors:
                    add(f"{_I6}<AssessmentFactors>{code.translate(_ESCAPE)}</AssessmentFactors>")
                add(f"{_I5}</FactorsIdentifiedAtAssessment>")
            add(f"{_I4}</Assessments>")
        for plan in episode.cin_plans:
            add(f"{_I4}<CINPlanDates>{_I5}<CINPlanStartDate>{iso[plan.start_date]}</CINPlanStartDate>")
            if plan.end_date is not None:
                add(f"{_I5}<CINPlanEndDate>{iso[plan.end_date]}</CINPlanEndDate>")
            add(f"{_I4}</CINPlanDates>")
        for s47 in episode.section47s:
            add(f"{_I4}<Section47>{_I5}<S47ActualStartDate>{iso[s47.start_date]}</S47ActualStartDate>")
            if s47.icpc_target is not None:
                add(f"{_I5}<InitialCPCtarget>{iso[s47.icpc_target]}</InitialCPCtarget>")
            if s47.icpc_date is not None:
                add(f"{_I5}<DateOfInitialCPC>{iso[s47.icpc_date]}</DateOfInitialCPC>")
            add(f"{_I5}<ICPCnotRequired>{_BOOLEAN_TEXT[s47.icpc_not_required]}</ICPCnotRequired>{_I4}</Section47>")
        for plan in episode.cp_plans:
            self._cp_plan(plan, add)
        if self.pre_proceedings:
            for record in episode.pre_proceedings:
                add(f"{_I4}<PreProceedingsandFGDM>")
                for tag, value in record.values.items():
                    if type(value) is bool:
                        text = _BOOLEAN_TEXT[value]
                    elif type(value) is dt.date:
                        text = iso[value]
                    else:
                        text = str(value).translate(_ESCAPE)
                    add(f"{_I5}<{tag}>{text}</{tag}>")
                add(f"{_I4}</PreProceedingsandFGDM>")
        add(f"{_I3}</CINdetails>")

    def _cp_plan(self, plan: CPPlanRecord, add) -> None:
        iso = self.iso
        add(f"{_I4}<ChildProtectionPlans>{_I5}<CPPstartDate>{iso[plan.start_date]}</CPPstartDate>")
        if plan.end_date is not None:
            add(f"{_I5}<CPPendDate>{iso[plan.end_date]}</CPPendDate>")
        add(f"{_I5}<InitialCategoryOfAbuse>{plan.initial_category.translate(_ESCAPE)}</InitialCategoryOfAbuse>")
        add(f"{_I5}<LatestCategoryOfAbuse>{plan.latest_category.translate(_ESCAPE)}</LatestCategoryOfAbuse>")
        if plan.number_of_previous_cpp is not None:
            add(f"{_I5}<NumberOfPreviousCPP>{plan.number_of_previous_cpp}</NumberOfPreviousCPP>")
        if self.seen_social_worker:
            add(f"{_I5}<SeenSocialWorker>true</SeenSocialWorker>")
        if plan.reviews:
            add(f"{_I5}<Reviews>")
            for review in plan.reviews:
                add(f"{_I6}<CPPreviewDate>{iso[review] if review is not None else ''}</CPPreviewDate>")
            add(f"{_I5}</Reviews>")
        add(f"{_I4}</ChildProtectionPlans>")

    @staticmethod
    def _groups(child: ChildRecord, element) -> dict:
        """(id(record), group) -> the element written for it, matched in the order they were written."""
        groups = {
            (id(child), "ChildIdentifiers"): element.find("ChildIdentifiers"),
            (id(child), "ChildCharacteristics"): element.find("ChildCharacteristics"),
        }
        for episode, episode_element in zip(child.episodes, element.findall("CINdetails"), strict=True):
            groups[id(episode), ""] = episode_element
            for records, tag in (
                (episode.assessments, "Assessments"),
                (episode.cin_plans, "CINPlanDates"),
                (episode.section47s, "Section47"),
                (episode.cp_plans, "ChildProtectionPlans"),
            ):
                for record, record_element in zip(records, episode_element.findall(tag), strict=True):
                    groups[id(record), ""] = record_element
        return groups

    @staticmethod
    def _patch(child: ChildRecord, tweaks: _Tweaks, groups: dict) -> None:
        """Apply the structural tweaks: replace (or add, or drop) values, append extra elements."""
        for (record_id, tag), text in tweaks.text.items():
            if record_id == id(child):
                parent = groups[record_id, _CHILD_GROUP.get(tag, "ChildIdentifiers")]
            else:
                parent = groups[record_id, ""]
            target = parent.find(tag)
            if text is None:
                if target is not None:
                    parent.remove(target)
                continue
            if target is None:
                target = _sub(parent, tag)
            target.text = text
        for (record_id, group), extras in tweaks.extra.items():
            for tag, text in extras:
                _sub(groups[record_id, group], tag).text = text


def _header(xf, year: int, la: str) -> None:
    header = etree.Element("Header")
    details = etree.SubElement(header, "CollectionDetails")
    etree.SubElement(details, "Collection").text = "CIN"
    etree.SubElement(details, "Year").text = str(year)
    etree.SubElement(details, "ReferenceDate").text = dt.date(year, 3, 31).isoformat()
    source = etree.SubElement(header, "Source")
    etree.SubElement(source, "SourceLevel").text = "L"
    etree.SubElement(source, "LEA").text = la
    etree.SubElement(source, "SoftwareCode").text = SOFTWARE
    etree.SubElement(source, "Release").text = RELEASE
    etree.SubElement(source, "SerialNo").text = "001"
    etree.SubElement(source, "DateTime").text = f"{year}-05-01T09:00:00"
    etree.indent(header, space="  ", level=1)
    xf.write("\n  ")
    xf.write(header)


# --- the summary --------------------------------------------------------------------------------
class _Tally:
    """Counts what the file holds (after errors were injected), for the summary."""

    def __init__(self, builder: _Builder):
        self.b = builder
        self.counts: Counter[str] = Counter()

    def see(self, child: ChildRecord) -> None:
        counts, b = self.counts, self.b
        counts["children"] += 1
        counts["unborn"] += child.expected_birth_date is not None
        for episode in child.episodes:
            counts["episodes"] += 1
            referral = episode.referral_date
            in_year = referral is not None and b.period_start <= referral <= b.period_end
            counts["referrals_in_year"] += in_year
            counts["referrals_nfa"] += bool(episode.referral_nfa)
            counts["episodes_open_at_year_end"] += episode.closure_date is None
            counts["assessments"] += len(episode.assessments)
            for assessment in episode.assessments:
                if assessment.authorisation_date is None:
                    continue
                counts["assessments_completed"] += 1
                if referral is not None and in_year:
                    days = b.wd.between(referral, assessment.authorisation_date)
                    counts["assessments_completed_within_45_working_days"] += 0 <= days <= 45
            counts["cin_plans"] += len(episode.cin_plans)
            counts["section47s"] += len(episode.section47s)
            for s47 in episode.section47s:
                if s47.icpc_date is None:
                    continue
                counts["icpcs"] += 1
                if s47.start_date is not None and s47.start_date <= s47.icpc_date:
                    within = b.wd.between(s47.start_date, s47.icpc_date) <= 15
                    counts["icpcs_within_15_working_days"] += within
            counts["cp_plans"] += len(episode.cp_plans)
            for plan in episode.cp_plans:
                counts["cp_plans_started_in_year"] += plan.start_date is not None and plan.start_date >= b.period_start
                counts["cp_plans_open_at_year_end"] += plan.end_date is None
                counts["cp_plans_second_or_later"] += bool(plan.number_of_previous_cpp)
                counts["cp_plans_neglect"] += plan.initial_category == "NEG"
                counts["cp_reviews"] += len(plan.reviews)


SUMMARY_KEYS = (
    "children",
    "unborn",
    "episodes",
    "referrals_in_year",
    "referrals_nfa",
    "episodes_open_at_year_end",
    "assessments",
    "assessments_completed",
    "assessments_completed_within_45_working_days",
    "cin_plans",
    "section47s",
    "icpcs",
    "icpcs_within_15_working_days",
    "cp_plans",
    "cp_plans_started_in_year",
    "cp_plans_open_at_year_end",
    "cp_plans_second_or_later",
    "cp_plans_neglect",
    "cp_reviews",
)


# --- the entry points ---------------------------------------------------------------------------
def iter_children(options: GeneratorOptions) -> Iterator[tuple[ChildRecord, _Tweaks, str | None]]:
    """The children of a file, as records: (child, structural tweaks, injected error code or None).
    ``generate_census`` writes exactly these; tests compare them with what the parser reads back."""
    builder = _Builder(options)
    yield from _children(builder)


def _children(builder: _Builder) -> Iterator[tuple[ChildRecord, _Tweaks, str | None]]:
    rate = builder.options.error_rate
    for n in range(builder.options.children):
        child = builder.child(n)
        tweaks = _Tweaks()
        code = None
        if rate and builder.error_rng.random() < rate:
            code = builder.inject(child, tweaks)
        builder.remember(child)
        yield child, tweaks, code


def generate_census(
    output: str | os.PathLike | BinaryIO,
    *,
    children: int,
    seed: int = 0,
    error_rate: float = 0.0,
    year: int = schema.LATEST_YEAR,
    la: str = "931",
    localities: Sequence[str] = (),
    localities_output: str | os.PathLike | TextIO | None = None,
) -> dict:
    """Write a synthetic census to ``output`` (a path or a binary file) and return its summary.

    With ``localities`` (names), also write a CSV ``LAchildID,locality`` placing each child in one of
    them with uneven weights: to ``localities_output``, or beside a path ``output`` as
    ``<output>.localities.csv``. The summary counts what the file holds and the injected errors by
    code (``injected_errors``); it is the same for the same arguments.
    """
    options = GeneratorOptions(children, seed, error_rate, year, la, tuple(localities))
    builder = _Builder(options)
    writer = _Writer(year)
    tally = _Tally(builder)
    csv_file, csv_owned = _open_localities(output, localities, localities_output)
    try:
        locality_writer = None
        if csv_file is not None:
            locality_writer = csv.writer(csv_file, lineterminator="\n")
            locality_writer.writerow(["LAchildID", "locality"])
        placed: set[str] = set()
        with etree.xmlfile(output, encoding="utf-8") as xf:
            xf.write_declaration()
            with xf.element("Message"):
                _header(xf, year, la)
                xf.write("\n  ")
                with xf.element("Children"):
                    for child, tweaks, _code in _children(builder):
                        element = writer.child(child, tweaks)
                        xf.write("\n    ")
                        xf.write(element)
                        tally.see(child)
                        if locality_writer is not None and child.la_child_id and child.la_child_id not in placed:
                            placed.add(child.la_child_id)
                            locality = builder.locality_table.pick(builder.locality_rng)
                            locality_writer.writerow([child.la_child_id, locality])
                    xf.write("\n  ")
                xf.write("\n")
            xf.flush()
    finally:
        if csv_owned:
            csv_file.close()
    summary: dict = {key: tally.counts[key] for key in SUMMARY_KEYS}
    summary["injected_errors"] = dict(sorted(builder.injected.items()))
    summary["injected_total"] = sum(builder.injected.values())
    summary.update({"year": year, "la": la, "seed": seed, "error_rate": error_rate})
    if localities:
        summary["localities"] = list(localities)
    return summary


def _open_localities(output, localities, localities_output) -> tuple[TextIO | None, bool]:
    if not localities:
        return None, False
    if localities_output is None:
        if not isinstance(output, str | os.PathLike):
            raise ValueError("Give localities_output when the census is written to a file object.")
        localities_output = f"{os.fspath(output)}.localities.csv"
    if isinstance(localities_output, str | os.PathLike):
        return open(localities_output, "w", encoding="utf-8", newline=""), True
    return localities_output, False
