"""Writes for statutory extracts: storing an upload, importing a CIN census file, failing imports
that stopped.

Importing is all or nothing, in two passes, with memory bounded whatever the file's size:

1. **Check** (``_check_pass``): the census file is streamed once (``census.parser``); every child is
   checked against the structure and the DfE rules that apply to the file's collection year
   (``census.validation.CensusValidator``). Findings are written as they come, in short
   transactions (at most ``FINDINGS_STORED_PER_RULE`` per rule; the counts stay exact); progress
   (``bytes_read``, ``children_read``) is committed every ``PROGRESS_EVERY`` children, so the
   progress page and the stalled-import check see it. Each child's rows are written, in batches,
   to a private spool file beside the upload, exactly as they will be stored.
2. If the file has any **error**, it is ``rejected``: nothing is loaded, the previous extract stays
   current. With only **queries** (or nothing), the **load** (``_load_pass``) streams the spool
   into the child-level tables inside **one transaction**, which also marks the previous current
   extract for the same partnership, kind, authority and year ``superseded`` and this one ``loaded``
   and current; ``signals.extract_loaded`` is sent once it commits. A crash or a killed worker rolls
   the whole load back: the previous extract and its rows are untouched.

The load writes rows with ids it allocates itself, in batches: PostgreSQL ``COPY`` (psycopg 3) after
reserving a block of each table's sequence under a ``SHARE ROW EXCLUSIVE`` table lock (so no other
writer can take ids from the block), SQLite ``INSERT`` statements of 500 rows each inside the write
transaction, with ids after the table's largest (and its AUTOINCREMENT high-water mark, so an id is
never reused). The check pass spools each row as it will be written (dates as ISO text), so the load
does little more per row than add the allocated ids.

An import silent for longer than ``STALLED_AFTER`` (a worker killed or a server restarted mid-way)
is marked ``failed`` by ``extracts_fail_stalled``, run every few minutes by the worker and whenever
the extract list is read.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import pickle
import sqlite3
import time
import traceback
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from itertools import chain
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from safeguard.core.access import has_capability
from safeguard.core.concurrency import audit_actor
from safeguard.core.roles import Capability
from safeguard.partnerships.models import Locality, Partnership
from safeguard.workdays import calendar as workday_calendar
from safeguard.workdays.selectors import calendar_for

from .census.parser import CensusFileError, open_census
from .census.validation import ERROR, CensusContext, CensusValidator, FindingRecord
from .choices import ExtractKind, ExtractStatus
from .locality_lookup import LocalityLookup, default_locality_id, read_locality_lookup
from .models import (
    CensusAssessment,
    CensusChild,
    ChildProtectionPlan,
    CinEpisode,
    CinPlan,
    CpReview,
    Extract,
    Finding,
    Section47,
)
from .signals import extract_loaded

logger = logging.getLogger(__name__)

#: Findings stored for each rule: a file broken everywhere (50,000 children failing one rule) still
#: reports every count exactly, without writing millions of rows. The report says when it is capped.
FINDINGS_STORED_PER_RULE = 5000
#: An import that has written no progress for this long has stopped (the loading transaction of
#: the largest files takes a minute or two; progress is written every second or so before it).
STALLED_AFTER = dt.timedelta(minutes=getattr(settings, "SAFEGUARD_EXTRACT_STALLED_MINUTES", 15))
#: Children between two progress writes.
PROGRESS_EVERY = 1000
#: Children in one batch of the load (a COPY or executemany per table and batch).
LOAD_BATCH = 5000
#: Rows in one SQLite INSERT statement (fewer when the columns would pass SQLite's limit on parameters).
_SQLITE_ROWS_PER_INSERT = 500
_FINDINGS_BATCH = 2000
_CHUNK = 1024 * 1024

STOPPED_MESSAGE = "The import stopped before it finished; upload the file again."
UNEXPECTED_MESSAGE = (
    "The import stopped because of an unexpected problem on the server, so nothing was loaded. Upload the file "
    "again; if the same happens, tell your installation's administrator (the server log says where it stopped)."
)

#: Checks the loader itself makes on what the parser cannot see whole: a list of codes stored in one
#: column (the parser checks each value against its column) and numbers beyond their column.
LOAD_CHECKS: dict[str, tuple[str, str]] = {
    "LOAD01": (
        "A value is too large to store: a list of codes (disabilities, assessment factors) or a number of "
        "previous plans",
        "Each code should appear once: remove repeated or surplus codes, or correct the number, in the case "
        "management system and export the file again.",
    ),
}
_MAX_DISABILITIES = CensusChild._meta.get_field("disabilities").max_length
_MAX_FACTORS = CensusAssessment._meta.get_field("factors").max_length
_MAX_PREVIOUS_PLANS = 32767  # PositiveSmallIntegerField on every database


class ImportRefused(Exception):
    """The file cannot be imported for a reason the user can fix (the message says how)."""


#: ``on_progress(phase, children, fraction)``: phase "check" or "load"; fraction of the work done.
ProgressCallback = Callable[[str, int, float], None]


# --- Storage ----------------------------------------------------------------------------------
def extract_root() -> Path:
    root = Path(settings.SAFEGUARD_EXTRACT_ROOT)
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    return root


def max_bytes() -> int:
    return int(settings.SAFEGUARD_EXTRACT_MAX_BYTES)


def human_size(size: int) -> str:
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / (1024 * 1024):.0f} MB"


def too_large_message() -> str:
    return (
        f"The file is larger than {human_size(max_bytes())}, the most Safeguard accepts. Check it is the CIN census "
        "for one authority and year."
    )


def stored_path(extract: Extract) -> Path:
    return extract_root() / extract.stored_name


def lookup_path(extract: Extract) -> Path:
    return extract_root() / f"{Path(extract.stored_name).stem}.localities.csv"


def _spool_path(extract: Extract) -> Path:
    return extract_root() / f"{Path(extract.stored_name).stem}.spool"


_NOT_CENSUS = {
    b"%PDF": "a PDF",
    b"PK\x03\x04": "a zip file (for example an Excel workbook)",
    b"\xd0\xcf\x11\xe0": "an old Office file (for example an Excel .xls workbook)",
}


def _sniff(first: bytes) -> None:
    """Refuse at once what is plainly not an XML file (the import would refuse it anyway)."""
    for magic, what in _NOT_CENSUS.items():
        if first.startswith(magic):
            raise ValidationError(
                {
                    "file": f"This is {what}, not a CIN census. Choose the census XML file your case management system "
                    "exported for the DfE."
                }
            )


@dataclass
class _Stored:
    name: str
    size: int
    sha256: str


def _store(source, *, suffix: str) -> _Stored:
    """Stream an uploaded (or opened) file into the private folder under a random name."""
    limit = max_bytes()
    name = f"{uuid.uuid4().hex}{suffix}"
    path = extract_root() / name
    digest = hashlib.sha256()
    size = 0
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            for chunk in source.chunks(_CHUNK):
                if size == 0:
                    _sniff(chunk[:8])
                size += len(chunk)
                if size > limit:
                    raise ValidationError({"file": too_large_message()})
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    if size == 0:
        path.unlink(missing_ok=True)
        raise ValidationError({"file": "The file is empty (0 bytes). Export the census again and choose the new file."})
    return _Stored(name=name, size=size, sha256=digest.hexdigest())


def _read_lookup(source, partnership) -> bytes:
    data = b"".join(source.chunks(_CHUNK)) if hasattr(source, "chunks") else source.read()
    try:
        read_locality_lookup(data, partnership=partnership)
    except ValidationError as exc:
        raise ValidationError({"locality_lookup": exc.messages}) from None
    return data


def _discard_files(extract: Extract) -> None:
    if not extract.stored_name:
        return
    for path in (stored_path(extract), lookup_path(extract), _spool_path(extract)):
        path.unlink(missing_ok=True)


# --- Upload -----------------------------------------------------------------------------------
def _require_import(by, partnership_id: int) -> None:
    if by is None:
        return  # the system: the command line run by the installation's administrator
    if not has_capability(by, partnership_id, Capability.IMPORT_EXTRACTS):
        raise PermissionDenied("Only the partnership's analysts can import statutory extracts.")


@transaction.atomic
def extract_create(*, partnership: Partnership, file, locality_lookup=None, by) -> Extract:
    """Store a CIN census file (and its optional locality lookup) and record it as a pending extract."""
    _require_import(by, partnership.pk)
    if getattr(file, "size", None) is not None and file.size > max_bytes():
        raise ValidationError({"file": too_large_message()})
    lookup_data = _read_lookup(locality_lookup, partnership) if locality_lookup is not None else None
    stored = _store(file, suffix=".xml")
    extract = Extract(
        partnership=partnership,
        kind=ExtractKind.CIN_CENSUS,
        original_filename=Path(getattr(file, "name", "") or "census.xml").name[:255],
        size_bytes=stored.size,
        sha256=stored.sha256,
        stored_name=stored.name,
        locality_lookup_name=Path(getattr(locality_lookup, "name", "") or "").name[:255] if lookup_data else "",
        uploaded_by=by if by is not None and by.is_authenticated else None,
        status=ExtractStatus.PENDING,
    )
    try:
        if lookup_data is not None:
            path = lookup_path(extract)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as out:
                out.write(lookup_data)
        extract.full_clean()
        with audit_actor(by):
            extract.save()
    except BaseException:
        _discard_files(extract)
        raise
    return extract


def extract_upload(*, partnership: Partnership, uploaded_file, locality_lookup=None, by) -> Extract:
    """Store the upload and queue its import (the worker runs it once this transaction commits)."""
    from .tasks import import_extract

    with transaction.atomic():
        extract = extract_create(partnership=partnership, file=uploaded_file, locality_lookup=locality_lookup, by=by)
        transaction.on_commit(partial(import_extract.enqueue, extract_id=extract.pk))
    logger.info("Extract %s uploaded (%d bytes); import queued", extract.pk, extract.size_bytes)
    return extract


# --- Import -----------------------------------------------------------------------------------
def extract_import(*, extract: Extract, on_progress: ProgressCallback | None = None) -> Extract:
    """Import a pending extract (the task body; the command calls it too). Never raises for a bad
    file: the extract ends ``loaded``, ``rejected`` or ``failed`` with a message saying why."""
    now = timezone.now()
    claimed = Extract.objects.filter(pk=extract.pk, kind=ExtractKind.CIN_CENSUS, status=ExtractStatus.PENDING).update(
        status=ExtractStatus.IMPORTING, started_at=now, updated_at=now, bytes_read=0, children_read=0
    )
    extract.refresh_from_db()
    if not claimed:
        return extract  # another worker has it, or it has already been imported
    importer = _Importer(extract, on_progress)
    try:
        importer.run()
    except CensusFileError as exc:
        importer.fail(_file_error_message(exc))
    except ImportRefused as exc:
        importer.fail(str(exc))
    except workday_calendar.OutOfCalendarRange as exc:
        importer.fail(
            f"A date in the file is outside the working-day calendar ({exc}). Check the dates in the file are "
            "real census dates and upload it again."
        )
    except Exception as exc:  # noqa: BLE001  (never leave an extract importing; the log says where, not what: the message could quote the file)
        logger.error("Import of extract %s stopped: %s at %s", extract.pk, type(exc).__name__, _where(exc))
        importer.fail(UNEXPECTED_MESSAGE)
    finally:
        _discard_files(extract)
        Extract.objects.filter(pk=extract.pk).update(stored_name="")
    extract.refresh_from_db()
    return extract


def _file_error_message(exc: CensusFileError) -> str:
    message = getattr(exc, "message", "") or str(exc)
    line = getattr(exc, "line", None)
    if line and f"line {line}" not in message:
        message = f"{message} (line {line})"
    return message


def _where(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return "unknown place"
    last = frames[-1]
    return f"{Path(last.filename).name}:{last.lineno} in {last.name}"


class _FindingSink:
    """Counts every finding exactly; stores up to ``FINDINGS_STORED_PER_RULE`` of each rule, in batches."""

    def __init__(self, extract: Extract):
        self.extract = extract
        self.counts: Counter[str] = Counter()
        self.severities: dict[str, str] = {}
        self._buffer: list[Finding] = []
        self.seconds = 0.0

    def add(self, records: Iterable[FindingRecord]) -> None:
        counts = self.counts
        for r in records:
            counts[r.code] += 1
            if counts[r.code] > FINDINGS_STORED_PER_RULE:
                continue
            self.severities[r.code] = r.severity
            self._buffer.append(
                Finding(
                    extract_id=self.extract.pk,
                    code=r.code[:12],
                    severity=r.severity,
                    la_child_id=(r.la_child_id or "")[:40],
                    field=(r.field or "")[:60],
                    line=r.line if r.line and r.line > 0 else None,
                    message=r.message,
                    fix=r.fix or "",
                )
            )
        if len(self._buffer) >= _FINDINGS_BATCH:
            self.flush()

    def flush(self) -> None:
        if self._buffer:
            started = time.perf_counter()
            Finding.objects.bulk_create(self._buffer)
            self._buffer = []
            self.seconds += time.perf_counter() - started

    @property
    def errors(self) -> int:
        return sum(n for code, n in self.counts.items() if self.severities.get(code) == ERROR)

    @property
    def queries(self) -> int:
        return sum(self.counts.values()) - self.errors


# Rows as written: (table model, model field names in order). The first field is the row's own id
# (allocated by the loader) for every table whose rows other rows point at.
_TABLES: tuple[tuple[type, tuple[str, ...]], ...] = (
    (
        CensusChild,
        (
            "id",
            "extract",
            "la_child_id",
            "upn",
            "former_upn",
            "upn_unknown",
            "sex",
            "birth_date",
            "expected_birth_date",
            "death_date",
            "ethnicity",
            "disabilities",
            "locality",
            "line",
        ),
    ),
    (
        CinEpisode,
        (
            "id",
            "extract",
            "child",
            "referral_date",
            "referral_source",
            "primary_need",
            "closure_date",
            "reason_for_closure",
            "initial_cpc_date",
            "referral_nfa",
        ),
    ),
    (CensusAssessment, ("id", "extract", "child", "episode", "start_date", "authorisation_date", "factors")),
    (CinPlan, ("id", "extract", "child", "episode", "start_date", "end_date")),
    (Section47, ("id", "extract", "child", "episode", "start_date", "icpc_target", "icpc_date", "icpc_not_required")),
    (
        ChildProtectionPlan,
        (
            "id",
            "extract",
            "child",
            "episode",
            "start_date",
            "end_date",
            "initial_category",
            "latest_category",
            "previous_plans",
        ),
    ),
    (CpReview, ("id", "extract", "plan", "review_date")),
)
CHILD, EPISODE, ASSESSMENT, CIN_PLAN, S47, CP_PLAN, REVIEW = range(len(_TABLES))


def _storage_findings(child) -> list[FindingRecord]:
    """LOAD01: values too large for their column (rare: a file with repeated codes or a wild number).
    Only called for a child whose rows ``_Spool.add`` found too large."""
    fix = LOAD_CHECKS["LOAD01"][1]
    found = []
    if len(",".join(child.disabilities)) > _MAX_DISABILITIES:
        found.append(
            FindingRecord(
                "LOAD01",
                ERROR,
                f"The child has {len(child.disabilities)} disability codes, more than can be "
                f"stored ({_MAX_DISABILITIES} characters).",
                fix,
                "Disability",
                child.line or None,
                child.la_child_id,
            )
        )
    for episode in child.episodes:
        for a in episode.assessments:
            if len(",".join(a.factors)) > _MAX_FACTORS:
                found.append(
                    FindingRecord(
                        "LOAD01",
                        ERROR,
                        f"The assessment starting {a.start_date or '(no date)'} has "
                        f"{len(a.factors)} factor codes, more than can be stored ({_MAX_FACTORS} characters).",
                        fix,
                        "AssessmentFactors",
                        a.line or None,
                        child.la_child_id,
                    )
                )
        for p in episode.cp_plans:
            if p.number_of_previous_cpp is not None and p.number_of_previous_cpp > _MAX_PREVIOUS_PLANS:
                found.append(
                    FindingRecord(
                        "LOAD01",
                        ERROR,
                        f"NumberOfPreviousCPP is {p.number_of_previous_cpp}, which cannot be a number of plans.",
                        "Enter the number of previous child protection plans.",
                        "NumberOfPreviousCPP",
                        p.lines.get("NumberOfPreviousCPP", p.line) or None,
                        child.la_child_id,
                    )
                )
    return found


class _IsoDates(dict):
    """Dates as the text both databases store them as (``YYYY-MM-DD``; ``None`` stays ``None``),
    each converted once. Cleared when large, so a file of many different dates cannot grow it."""

    __slots__ = ()
    LIMIT = 20_000

    def __missing__(self, day):
        if len(self) >= self.LIMIT:
            self.clear()
        text = self[day] = day.isoformat() if day is not None else None
        return text


class _Spool:
    """The rows of every child, in the order they are stored, written in batches to a private file.

    Row ids here are ordinals (0, 1, 2 ... per table); the load adds each table's first allocated id.
    Dates are spooled as ISO text: SQLite stores them so (Django's adapter would otherwise convert each
    one in Python during the load) and PostgreSQL's ``COPY`` reads them so.
    """

    def __init__(self, path: Path):
        self.path = path
        self.counts = [0] * len(_TABLES)
        self._batch: list[list[tuple]] = [[] for _ in _TABLES]
        self._children_in_batch = 0
        self._dates = _IsoDates()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        self._out = os.fdopen(fd, "wb")

    def add(self, child, locality_id: int | None) -> bool:
        """Spool the child's rows; ``True`` when a value is too large for its column (see
        ``_storage_findings``: the file is then rejected, so the rows are never loaded)."""
        n = self.counts
        rows = self._batch
        iso = self._dates
        c = n[CHILD]
        n[CHILD] += 1
        disabilities = ",".join(child.disabilities)
        too_large = len(disabilities) > _MAX_DISABILITIES
        rows[CHILD].append(
            (
                c,
                child.la_child_id,
                child.upn,
                child.former_upn,
                child.upn_unknown,
                child.sex,
                iso[child.birth_date],
                iso[child.expected_birth_date],
                iso[child.death_date],
                child.ethnicity,
                disabilities,
                locality_id,
                child.line or None,
            )
        )
        episodes, assessments, cin_plans, section47s, cp_plans, reviews = rows[EPISODE:]
        for ep in child.episodes:
            e = n[EPISODE]
            n[EPISODE] += 1
            episodes.append(
                (
                    e,
                    c,
                    iso[ep.referral_date],
                    ep.referral_source,
                    ep.primary_need,
                    iso[ep.closure_date],
                    ep.reason_for_closure,
                    iso[ep.initial_cpc_date],
                    ep.referral_nfa,
                )
            )
            for a in ep.assessments:
                factors = ",".join(a.factors)
                if len(factors) > _MAX_FACTORS:
                    too_large = True
                assessments.append((n[ASSESSMENT], c, e, iso[a.start_date], iso[a.authorisation_date], factors))
                n[ASSESSMENT] += 1
            for p in ep.cin_plans:
                cin_plans.append((n[CIN_PLAN], c, e, iso[p.start_date], iso[p.end_date]))
                n[CIN_PLAN] += 1
            for s in ep.section47s:
                section47s.append(
                    (n[S47], c, e, iso[s.start_date], iso[s.icpc_target], iso[s.icpc_date], s.icpc_not_required)
                )
                n[S47] += 1
            for p in ep.cp_plans:
                plan = n[CP_PLAN]
                n[CP_PLAN] += 1
                previous = p.number_of_previous_cpp
                if previous is not None and previous > _MAX_PREVIOUS_PLANS:
                    too_large = True
                cp_plans.append(
                    (
                        plan,
                        c,
                        e,
                        iso[p.start_date],
                        iso[p.end_date],
                        p.initial_category,
                        p.latest_category,
                        previous,
                    )
                )
                for review in p.reviews:
                    reviews.append((n[REVIEW], plan, iso[review]))
                    n[REVIEW] += 1
        self._children_in_batch += 1
        if self._children_in_batch >= LOAD_BATCH:
            self.flush()
        return too_large

    def flush(self) -> None:
        if self._children_in_batch:
            pickle.dump(self._batch, self._out, protocol=pickle.HIGHEST_PROTOCOL)
            self._batch = [[] for _ in _TABLES]
            self._children_in_batch = 0

    def close(self) -> None:
        self.flush()
        self._out.close()

    def batches(self):
        with self.path.open("rb") as spool:
            while True:
                try:
                    yield pickle.load(spool)  # noqa: S301  (our own private spool, written above)
                except EOFError:
                    return


class _TableWriter:
    """Inserts rows with the loader's own ids, inside the caller's transaction."""

    def __init__(self):
        connection.ensure_connection()
        self.vendor = connection.vendor
        self.raw = connection.connection
        qn = connection.ops.quote_name
        self.tables = []
        for model, fields in _TABLES:
            columns = [model._meta.get_field(name).column for name in fields]
            self.tables.append((model._meta.db_table, columns))
        self._qn = qn

    def reserve(self, index: int, count: int) -> int:
        """The first id of a block of ``count`` ids no other writer will use."""
        table, _ = self.tables[index]
        if count == 0:
            return 1
        qn = self._qn
        if self.vendor == "postgresql":
            with self.raw.cursor() as cur:
                cur.execute(f"LOCK TABLE {qn(table)} IN SHARE ROW EXCLUSIVE MODE")
                cur.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
                sequence = cur.fetchone()[0]
                # After the sequence's next value and after every stored id (rows restored with
                # explicit ids may be ahead of the sequence).
                cur.execute(f"SELECT nextval(%s::regclass), (SELECT MAX(id) FROM {qn(table)})", [sequence])  # noqa: S608
                following, highest = cur.fetchone()
                first = max(following, (highest or 0) + 1)
                cur.execute("SELECT setval(%s::regclass, %s)", [sequence, first + count - 1])
            return first
        cur = self.raw.cursor()
        try:
            highest = cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {qn(table)}").fetchone()[0]  # noqa: S608
            row = cur.execute("SELECT seq FROM sqlite_sequence WHERE name = ?", [table]).fetchone()
        finally:
            cur.close()
        return max(highest, row[0] if row else 0) + 1

    def write(self, index: int, rows: list[tuple]) -> None:
        if not rows:
            return
        table, columns = self.tables[index]
        qn = self._qn
        names = ", ".join(qn(c) for c in columns)
        if self.vendor == "postgresql":
            with self.raw.cursor() as cur, cur.copy(f"COPY {qn(table)} ({names}) FROM STDIN") as copy:
                write_row = copy.write_row
                for row in rows:
                    write_row(row)
        else:
            self._sqlite_insert(f"INSERT INTO {qn(table)} ({names}) VALUES ", len(columns), rows)  # noqa: S608

    def _sqlite_insert(self, insert: str, width: int, rows: list[tuple]) -> None:
        """Many rows to a statement (``VALUES (...), (...), ...``): SQLite's work for each statement run,
        such as the AUTOINCREMENT high-water mark it reads and writes back, is then shared by them."""
        limit = self.raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        per = max(1, min(_SQLITE_ROWS_PER_INSERT, limit // width))
        one = f"({', '.join('?' * width)})"
        whole = len(rows) - len(rows) % per
        if whole:
            flat = chain.from_iterable
            params = [list(flat(rows[i : i + per])) for i in range(0, whole, per)]
            self.raw.executemany(insert + ", ".join([one] * per), params)
        if whole < len(rows):
            rest = rows[whole:]
            self.raw.execute(insert + ", ".join([one] * len(rest)), list(chain.from_iterable(rest)))


def _with_ids(batch: list[list[tuple]], first: list[int], extract_id: int) -> list[list[tuple]]:
    """Turn a spooled batch's ordinals into the allocated ids, and add the extract."""
    c0, e0, a0, p0, s0, k0, r0 = first
    x = extract_id
    return [
        [(r[0] + c0, x, *r[1:]) for r in batch[CHILD]],
        [(r[0] + e0, x, r[1] + c0, *r[2:]) for r in batch[EPISODE]],
        [(r[0] + a0, x, r[1] + c0, r[2] + e0, *r[3:]) for r in batch[ASSESSMENT]],
        [(r[0] + p0, x, r[1] + c0, r[2] + e0, *r[3:]) for r in batch[CIN_PLAN]],
        [(r[0] + s0, x, r[1] + c0, r[2] + e0, *r[3:]) for r in batch[S47]],
        [(r[0] + k0, x, r[1] + c0, r[2] + e0, *r[3:]) for r in batch[CP_PLAN]],
        [(r[0] + r0, x, r[1] + k0, r[2]) for r in batch[REVIEW]],
    ]


#: The child-level tables a load fills, whose planner statistics are refreshed after it.
CHILD_ROW_MODELS = (CensusChild, CinEpisode, CensusAssessment, CinPlan, Section47, ChildProtectionPlan, CpReview)


def extracts_refresh_statistics() -> None:
    """ANALYZE the child-level tables after a load commits, before ``extract_loaded`` is sent.

    Without it the query planner believes a new extract has no rows (PostgreSQL's autovacuum
    analyses a table only some time after a large insert; SQLite never does by itself) and picks
    nested loops: computing a national-scale year's indicators then ran for over four minutes
    instead of five seconds, and the demo's took 25 s instead of 1 (measured; see
    docs/benchmarks.md). It takes about 3 s for two national-scale years on PostgreSQL."""
    tables = [connection.ops.quote_name(model._meta.db_table) for model in CHILD_ROW_MODELS]
    started = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {', '.join(tables)}")
        else:
            for table in tables:
                cursor.execute(f"ANALYZE {table}")
    logger.info("Refreshed the planner statistics of the extract tables in %.2f s", time.perf_counter() - started)


@dataclass
class _Timings:
    parse: float = 0.0
    validate: float = 0.0
    load: float = 0.0
    total: float = 0.0
    started: float = field(default_factory=time.perf_counter)

    def as_dict(self) -> dict[str, float]:
        self.total = time.perf_counter() - self.started
        return {
            k: round(v, 3)
            for k, v in (("parse", self.parse), ("validate", self.validate), ("load", self.load), ("total", self.total))
        }


class _Importer:
    """One run of ``extract_import`` (the steps are methods so each stays short)."""

    def __init__(self, extract: Extract, on_progress: ProgressCallback | None):
        self.extract = extract
        self.on_progress = on_progress
        self.timings = _Timings()
        self.sink = _FindingSink(extract)
        self.spool: _Spool | None = None

    # The two passes -------------------------------------------------------------------------
    def run(self) -> None:
        extract = self.extract
        path = stored_path(extract) if extract.stored_name else None
        if path is None or not path.exists():
            raise ImportRefused("The uploaded file is no longer on the server. Upload it again.")
        lookup = self._lookup()
        self.spool = _Spool(_spool_path(extract))
        try:
            self._check_pass(path, lookup)
        finally:
            self.spool.close()
        if self.sink.errors:
            self._finish(ExtractStatus.REJECTED)
            logger.info("Extract %s rejected: %d errors, %d queries", extract.pk, self.sink.errors, self.sink.queries)
            return
        self._load_pass()
        logger.info(
            "Extract %s loaded: %d children in %.1f s", extract.pk, extract.children_count, extract.timings["total"]
        )

    def _lookup(self) -> LocalityLookup | None:
        if not self.extract.locality_lookup_name:
            return None
        path = lookup_path(self.extract)
        if not path.exists():
            raise ImportRefused(
                "The locality lookup uploaded with the file is no longer on the server. Upload both again."
            )
        try:
            return read_locality_lookup(path.read_bytes(), partnership=self.extract.partnership)
        except ValidationError as exc:
            # The localities may have changed since the upload was checked.
            raise ImportRefused(" ".join(exc.messages)) from None

    def _check_pass(self, path: Path, lookup: LocalityLookup | None) -> None:
        extract, sink = self.extract, self.sink
        started = time.perf_counter()
        with open_census(path, on_progress=self._checked, progress_every=PROGRESS_EVERY) as stream:
            header = stream.header
            self._apply_header(header)
            validator = CensusValidator(CensusContext(year=header.year, calendar=calendar_for(extract.partnership)))
            sink.add(stream.take_findings())
            t = time.perf_counter()
            sink.add(list(validator.check_header(header)))
            validating = time.perf_counter() - t
            validating += self._check_children(stream, validator, lookup)
            sink.add(stream.take_findings())
            t = time.perf_counter()
            sink.add(list(validator.finish()))
            validating += time.perf_counter() - t
        sink.flush()
        # Writing findings is part of reporting them: counted with the rules, not the reading.
        self.timings.parse = time.perf_counter() - started - validating - sink.seconds
        self.timings.validate = validating + sink.seconds
        self._record_check()

    def _check_children(self, stream, validator, lookup: LocalityLookup | None) -> float:
        """Check every child and spool its rows; returns the seconds spent in the rules."""
        extract, spool = self.extract, self.spool
        default_locality = default_locality_id(
            partnership=extract.partnership, local_authority_code=extract.local_authority_code
        )
        placed = lookup.by_child if lookup is not None else {}
        perf_counter, check_child, take_findings, add, spool_add = (
            time.perf_counter,
            validator.check_child,
            stream.take_findings,
            self.sink.add,
            spool.add,
        )
        validating = 0.0
        for child in stream:
            found = take_findings()
            if found:
                add(found)
            t = perf_counter()
            found = check_child(child)
            validating += perf_counter() - t
            if found:
                add(found)
            locality = placed.get(child.la_child_id, default_locality) if placed else default_locality
            if spool_add(child, locality):
                add(_storage_findings(child))
        return validating

    def _record_check(self) -> None:
        """What the check found, committed before the load starts (the progress page shows it)."""
        extract, sink, children = self.extract, self.sink, self.spool.counts[CHILD]
        extract.children_count = children
        extract.bytes_read, extract.children_read = extract.size_bytes, children
        extract.finding_counts = dict(sorted(sink.counts.items()))
        extract.error_count, extract.query_count = sink.errors, sink.queries
        extract.timings = self.timings.as_dict()
        fields = ["children_count", "bytes_read", "children_read", "finding_counts", "error_count", "query_count"]
        extract.save(update_fields=[*fields, "timings", "updated_at"])

    def _load_pass(self) -> None:
        extract, spool = self.extract, self.spool
        self._load_started = time.perf_counter()
        total_children = max(1, spool.counts[CHILD])
        with transaction.atomic():
            writer = _TableWriter()
            first = [writer.reserve(i, n) for i, n in enumerate(spool.counts)]
            done = 0
            for batch in spool.batches():
                rows = _with_ids(batch, first, extract.pk)
                for index, table_rows in enumerate(rows):
                    writer.write(index, table_rows)
                done += len(batch[CHILD])
                if self.on_progress is not None:
                    self.on_progress("load", done, done / total_children)
            if done != spool.counts[CHILD]:
                raise ImportRefused("The import's working copy of the file was incomplete. Upload the file again.")
            previous = self._make_current()
            # The commit (where PostgreSQL checks the deferred foreign keys) is part of the load's
            # time; what listens to the signal (the indicators) is not: this callback runs first.
            transaction.on_commit(self._loaded)
            # Fresh statistics before anything queries the new rows (see extracts_refresh_statistics).
            transaction.on_commit(extracts_refresh_statistics, robust=True)
            # Robust: a failing listener is logged and cannot undo a load that has committed.
            transaction.on_commit(
                partial(extract_loaded.send, sender=Extract, extract=extract, superseded=previous), robust=True
            )
        if not self.timings.load:  # called inside an outer transaction (a test): not committed yet
            self._loaded()
        Extract.objects.filter(pk=extract.pk).update(timings=extract.timings)

    def _loaded(self) -> None:
        self.timings.load = time.perf_counter() - self._load_started
        self.extract.timings = self.timings.as_dict()

    # Steps ------------------------------------------------------------------------------------
    def _checked(self, bytes_read: int, children_read: int) -> None:
        """Progress of the check: committed at once (no transaction is open during it)."""
        Extract.objects.filter(pk=self.extract.pk).update(
            bytes_read=bytes_read, children_read=children_read, updated_at=timezone.now()
        )
        if self.on_progress is not None:
            size = self.extract.size_bytes or 1
            self.on_progress("check", children_read, min(1.0, bytes_read / size))

    def _apply_header(self, header) -> None:
        extract = self.extract
        year = header.year
        if year is None and header.reference_date is not None:
            # The parser reports the missing Year (XML02), which rejects the file; the reference
            # date still says which census it is, so the report can be made for the right year.
            ref = header.reference_date
            year = ref.year if ref.month <= 8 else ref.year + 1
        if year is None:
            raise ImportRefused(
                "The file's header does not say which census year it is for (CollectionDetails, Year and "
                "ReferenceDate). Export the census again from your case management system."
            )
        header.year = year
        lea = (header.lea or "").strip()
        if not lea:
            raise ImportRefused(
                "The file's header has no local authority code (Source, LEA). Export the census again from your case "
                "management system."
            )
        _check_year(header.year)
        _check_authority(extract.partnership, lea)
        extract.local_authority_code = lea
        extract.collection_year = header.year
        extract.reference_date = header.reference_date
        # The census year: 1 April to 31 March (``CensusContext`` uses the same period).
        extract.period_start, extract.period_end = dt.date(header.year - 1, 4, 1), dt.date(header.year, 3, 31)
        extract.source = {
            key: value
            for key, value in (
                ("collection", header.collection),
                ("source_level", header.source_level),
                ("software_code", header.software_code),
                ("release", header.release),
                ("serial_no", header.serial_no),
                ("datetime", header.datetime),
            )
            if value
        }
        extract.save(
            update_fields=[
                "local_authority_code",
                "collection_year",
                "reference_date",
                "period_start",
                "period_end",
                "source",
                "updated_at",
            ]
        )

    def _make_current(self) -> Extract | None:
        """Inside the load's transaction: this extract becomes current, the one it replaces superseded."""
        extract = self.extract
        Partnership.objects.select_for_update().filter(pk=extract.partnership_id).first()  # one switch at a time
        previous = (
            Extract.objects.select_for_update()
            .filter(
                partnership_id=extract.partnership_id,
                kind=extract.kind,
                local_authority_code=extract.local_authority_code,
                collection_year=extract.collection_year,
                is_current=True,
            )
            .exclude(pk=extract.pk)
            .first()
        )
        with audit_actor(extract.uploaded_by):
            if previous is not None:
                previous.is_current = False
                previous.status = ExtractStatus.SUPERSEDED
                previous.save(update_fields=["is_current", "status", "updated_at"])
            extract.status = ExtractStatus.LOADED
            extract.is_current = True
            extract.finished_at = timezone.now()
            extract.save(update_fields=["status", "is_current", "finished_at", "updated_at"])
        return previous

    def _finish(self, status: str, message: str = "") -> None:
        extract = self.extract
        extract.status = status
        extract.is_current = False
        extract.failure_message = message
        extract.finished_at = timezone.now()
        extract.timings = self.timings.as_dict()
        extract.save(update_fields=["status", "is_current", "failure_message", "finished_at", "timings", "updated_at"])

    def fail(self, message: str) -> None:
        """The file could not be imported: nothing is loaded; counts found so far are kept."""
        self.sink.flush()
        extract = self.extract
        extract.finding_counts = dict(sorted(self.sink.counts.items()))
        extract.error_count, extract.query_count = self.sink.errors, self.sink.queries
        extract.save(update_fields=["finding_counts", "error_count", "query_count", "updated_at"])
        self._finish(ExtractStatus.FAILED, message)
        logger.info("Extract %s failed", extract.pk)


#: The first census of children in need collected in this form was for 2008-09.
FIRST_CENSUS_YEAR = 2009


def _check_year(year: int) -> None:
    last = timezone.localdate().year + 1
    if not FIRST_CENSUS_YEAR <= year <= last:
        raise ImportRefused(
            f"The file's header gives the census year as {year}, which cannot be right: Safeguard takes censuses for "
            f"years ending {FIRST_CENSUS_YEAR} to {last}. Check CollectionDetails, Year (2026 for the census of "
            "1 April 2025 to 31 March 2026) and export the file again."
        )


def allowed_authority_codes(partnership: Partnership) -> list[str]:
    """The local authority codes whose census files the partnership takes: its own and its localities'."""
    codes = set(
        Locality.objects.filter(partnership=partnership)
        .exclude(local_authority_code="")
        .values_list("local_authority_code", flat=True)
    )
    if partnership.local_authority_code:
        codes.add(partnership.local_authority_code)
    return sorted(codes)


def _check_authority(partnership: Partnership, lea: str) -> None:
    allowed = allowed_authority_codes(partnership)
    if lea in allowed:
        return
    if not allowed:
        raise ImportRefused(
            f"This file is for local authority {lea}, but {partnership.name} has no local authority code yet, so "
            "Safeguard cannot check the file is yours. A business manager can set the code on the partnership's "
            "details (or on its localities); then upload the file again."
        )
    expected = " or ".join(allowed)
    raise ImportRefused(
        f"This file is for local authority {lea}, but {partnership.name} takes census files for local authority "
        f"{expected} only. Check you chose the right file. If the partnership now covers authority {lea}, a "
        "business manager can add it as a locality; then upload the file again."
    )


# --- Stalled imports --------------------------------------------------------------------------
def extracts_fail_stalled(
    *,
    now: dt.datetime | None = None,
    quiet_for: dt.timedelta = STALLED_AFTER,
    partnership_ids: Iterable[int] | None = None,
) -> int:
    """Mark ``failed`` every import that has written no progress for ``quiet_for`` (its worker was
    killed, or the server restarted, mid-way). Its load never committed, so the previous extract is
    still current and nothing of this one was stored. Returns how many were marked."""
    now = now or timezone.now()
    cutoff = now - quiet_for
    stalled = Extract.objects.filter(status=ExtractStatus.IMPORTING, updated_at__lt=cutoff)
    if partnership_ids is not None:
        stalled = stalled.filter(partnership_id__in=list(partnership_ids))
    marked = 0
    for extract in stalled.only("pk", "stored_name", "partnership_id"):
        with transaction.atomic():
            changed = Extract.objects.filter(
                pk=extract.pk, status=ExtractStatus.IMPORTING, updated_at__lt=cutoff
            ).update(status=ExtractStatus.FAILED, failure_message=STOPPED_MESSAGE, finished_at=now, updated_at=now)
        if changed:
            marked += 1
            _discard_files(extract)
            Extract.objects.filter(pk=extract.pk).update(stored_name="")
            logger.warning(
                "Extract %s: import stalled (no progress since before %s); marked failed",
                extract.pk,
                cutoff.isoformat(),
            )
    return marked
