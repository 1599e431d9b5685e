"""Full-text search of a procedures manual, as a practitioner sees it on one partnership's site.

What is searched
    The chapters live on that partnership's site (shared chapters and chapters local to it, as
    ``selectors._live_chapters``): each chapter's title and the text of its live version. With
    ``include_archive`` also every earlier published version and every version of a removed chapter;
    those results are flagged ``archived`` and link to the archived version page. Drafts and
    unpublished versions are never searched. The text is ``body_html`` without its markup, so a
    practice point (``[[practice-point: toxic-trio]]`` in the Markdown) is found by the words of its
    statement, and snippets never show tags or Markdown.

How results are ordered
    Chapters whose title matches the whole query first, then by relevance (title words weigh more
    than body words), then the live version before archived ones.

Three engines, one behaviour (the same tests run against each):

- **PostgreSQL**: ``websearch_to_tsquery`` (so ``"significant harm"`` is a phrase, ``or`` and
  ``-word`` work), ``ts_rank`` over the title (weight A) and the version's stored ``search_vector``
  (weight B; a generated column with a GIN index, see migration 0003), ``ts_headline`` snippets built
  only for the page of results shown.
- **SQLite with FTS5** (the embedded default): an FTS5 table ranked by ``bm25`` with the title
  weighted 10 to 1, ``snippet()`` for the snippets, Porter stemming. Python fills the FTS5 table
  lazily: each search first indexes the manual's versions that are new or whose title changed.
- **SQLite without FTS5**: ``LIKE`` finds candidates and Python ranks them (title matches, then how
  often the words occur, relative to the length of the text). Slower, still sensible.

The search terms are never logged.
"""

from __future__ import annotations

import functools
import html
import math
import re
from dataclasses import dataclass
from typing import NamedTuple

from django.db import OperationalError, connection, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .choices import ChapterStatus
from .models import Chapter, ChapterVersion, Section

MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
PAGE_SIZE = 20
SNIPPET_WORDS = 30

# Private-use characters mark the matched words in snippets from the database, so the text around
# them can be escaped before the markers become <mark> tags.
_START, _STOP = "\ue000", "\ue001"
_TAG_RE = re.compile(r"<[^>]*>")
_SPACE_RE = re.compile(r"\s+")
_TERM_RE = re.compile(r'"([^"]*)"|(\w+)')
# Words too common to search for (a small subset of PostgreSQL's English stop words), dropped on
# SQLite so that "the toxic trio" finds what PostgreSQL finds.
_STOP_WORDS = """a an and are as at be been but by for from has have how if in into is it its no nor not of on or
so than that the their then there these they this to was we were what when where which who why will with you your"""
STOP_WORDS = frozenset(_STOP_WORDS.split())


@dataclass(frozen=True)
class SearchResult:
    chapter: Chapter  # with .section loaded
    version: ChapterVersion  # without its text (deferred): fetch the version to show it
    rank: float  # higher is better; comparable only within one search
    snippet_html: SafeString  # escaped text with the matched words in <mark>
    archived: bool  # an earlier version, or a version of a removed chapter
    title_match: bool

    def public_url(self, partnership_slug: str, manual_slug: str) -> str:
        if self.archived:
            args = [partnership_slug, manual_slug, self.chapter.slug, self.version.number]
            return reverse("procedures:version", args=args)
        return reverse("procedures:chapter", args=[partnership_slug, manual_slug, self.chapter.slug])


class SearchOutcome(NamedTuple):
    results: list[SearchResult]
    total: int  # results in all pages


def search_chapters(
    *,
    manual,
    partnership,
    query: str,
    section_id: int | None = None,
    include_archive: bool = False,
    limit: int = PAGE_SIZE,
    offset: int = 0,
) -> SearchOutcome:
    """Chapters of ``manual`` on ``partnership``'s site matching ``query``, best first.

    A constant number of queries whatever the size of the manual: 2 on PostgreSQL and with the LIKE
    fallback, 3 on SQLite with FTS5 (a few more when new versions are indexed first), one more for a
    page past the last; none for a query with no words to search for."""
    terms = parse_terms(query)
    if not terms:
        return SearchOutcome([], 0)
    scope = _Scope(manual.pk, partnership.pk, section_id, include_archive, limit, max(offset, 0))
    engine = _engine()
    if engine == "postgresql":
        rows, total = _search_postgresql(normalise_query(query), scope)
    elif engine == "fts5":
        rows, total = _search_fts5(terms, scope)
    else:
        rows, total = _search_like(terms, scope)
    return SearchOutcome(_results(rows), total)


def normalise_query(query: str) -> str:
    """The query as typed, with white space collapsed and cut to ``MAX_QUERY_LENGTH`` characters."""
    return _SPACE_RE.sub(" ", query or "").strip()[:MAX_QUERY_LENGTH]


def parse_terms(query: str) -> list[str]:
    """Words and quoted phrases, lower case, without stop words: ``['toxic trio', 'neglect']``."""
    terms = []
    for phrase, word in _TERM_RE.findall(normalise_query(query).replace("\u201c", '"').replace("\u201d", '"')):
        if phrase:
            words = [w.lower() for w in re.findall(r"\w+", phrase)]
            if words:
                terms.append(" ".join(words))
        elif word.lower() not in STOP_WORDS and (len(word) > 1 or word.isdigit()):
            terms.append(word.lower())
    return list(dict.fromkeys(terms))[:MAX_TERMS]


def html_to_text(body_html: str) -> str:
    """Chapter HTML as plain text (the same transformation as the PostgreSQL generated column)."""
    text = html.unescape(_TAG_RE.sub(" ", body_html or "")).replace("<", "< ")  # see migration 0003
    return _SPACE_RE.sub(" ", text.replace(_START, "").replace(_STOP, "")).strip()


def manual_sections(*, manual):
    """The manual's sections, for the filter on the search page."""
    return Section.objects.filter(manual=manual).order_by("position", "title")


def snippet_to_html(marked: str) -> SafeString:
    """Escape a snippet and turn its private-use markers into <mark> tags."""
    escaped = escape(marked or "")
    return mark_safe(escaped.replace(_START, "<mark>").replace(_STOP, "</mark>"))  # escaped above


# --- Shared --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Scope:
    manual_id: int
    partnership_id: int
    section_id: int | None
    include_archive: bool
    limit: int
    offset: int

    def params(self) -> dict:
        return {
            "manual": self.manual_id,
            "partnership": self.partnership_id,
            "section": self.section_id,
            "live": ChapterStatus.LIVE.value,
            "removed": ChapterStatus.REMOVED.value,
            "limit": self.limit,
            "offset": self.offset,
        }

    def chapter_sql(self) -> str:
        """Which chapters are searched: SQL over ``procedures_chapter AS c`` with the params above."""
        sql = "c.manual_id = %(manual)s AND (c.local_to_id IS NULL OR c.local_to_id = %(partnership)s)"
        sql += " AND c.status IN (%(live)s, %(removed)s)" if self.include_archive else " AND c.status = %(live)s"
        if self.section_id is not None:
            sql += " AND c.section_id = %(section)s"
        return sql

    def version_sql(self) -> str:
        """Which versions of those chapters (``procedures_chapterversion AS v``): the live one, or
        with the archive every published one."""
        return "v.published_at IS NOT NULL" if self.include_archive else "v.id = c.live_version_id"


def _engine() -> str:
    if connection.vendor == "postgresql":
        return "postgresql"
    return "fts5" if _sqlite_fts5_ready(connection.settings_dict["NAME"]) else "like"


@functools.cache
def _sqlite_fts5_ready(database_name: str) -> bool:
    """True when migration 0003 created the FTS5 table in this database (and this SQLite has FTS5)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM procedures_search_fts WHERE rowid = 0")
    except OperationalError:
        return False
    return True


def _results(rows: list[tuple[int, float, bool, str]]) -> list[SearchResult]:
    """``[(version id, rank, title match, marked snippet)]`` -> results, in the same order (1 query)."""
    versions = (
        ChapterVersion.objects.select_related("chapter", "chapter__section")
        .defer("body_markdown", "body_html")  # the snippet is all a result shows of the text
        .in_bulk([r[0] for r in rows])
    )
    results = []
    for version_id, rank, title_match, snippet in rows:
        version = versions[version_id]
        chapter = version.chapter
        live = chapter.status == ChapterStatus.LIVE and chapter.live_version_id == version.pk
        results.append(
            SearchResult(
                chapter=chapter,
                version=version,
                rank=float(rank),
                snippet_html=snippet_to_html(snippet),
                archived=not live,
                title_match=bool(title_match),
            )
        )
    return results


# --- PostgreSQL ----------------------------------------------------------------------------------

# ts_headline options: one fragment of about 30 words around the matches (a second fragment
# triples the cost of the snippets).
_HEADLINE_OPTIONS = f'StartSel="{_START}", StopSel="{_STOP}", MaxWords={SNIPPET_WORDS}, MinWords=12, ShortWord=2'

# One statement: the matching versions ranked, counted (window function) and cut to the page; only
# then the snippets, for the (at most ``limit``) rows shown.
#   chapter: the chapters searched, each title turned into a weight-A tsvector once (MATERIALIZED,
#            so not once per version);
#   hit:     their versions matching in the body (GIN index) or the title;
#   page:    ranked (title matches first, then the title's rank plus the body's, normalised by its
#            length: adding two ranks is much cheaper than ranking title || body, which builds a new
#            tsvector for every row), one page of it;
#   located, snippet: ts_headline parses all the text it is given, which made the snippets cost as
#            much as the search. So it gets about 110 words around the first place where a word of
#            the query appears: an English stem is nearly always the start of the words it stands
#            for ("escal" in "escalation"), so strpos finds it without parsing. ts_headline
#            highlights only where all the words of the query appear together; when they do not in
#            the window, or no stem was found, that result's snippet is made from the whole text.
_POSTGRESQL_SQL = r"""
WITH query AS MATERIALIZED (
    SELECT websearch_to_tsquery('english', %(query)s) AS q,
           tsvector_to_array(to_tsvector('english', %(query)s)) AS lexemes
),
chapter AS MATERIALIZED (
    SELECT c.id, c.status, c.live_version_id, setweight(to_tsvector('english', c.title), 'A') AS title_vector
    FROM procedures_chapter c
    WHERE {chapters}
),
hit AS (
    SELECT v.id,
           c.title_vector @@ query.q AS title_match,
           ts_rank(c.title_vector, query.q) + ts_rank(v.search_vector, query.q, 1) AS rank,
           (c.status = %(live)s AND v.id = c.live_version_id) AS live
    FROM chapter c
    JOIN procedures_chapterversion v ON v.chapter_id = c.id
    CROSS JOIN query
    WHERE {versions} AND (v.search_vector @@ query.q OR c.title_vector @@ query.q)
),
page AS (
    SELECT hit.*, count(*) OVER () AS total
    FROM hit
    ORDER BY title_match DESC, rank DESC, live DESC, id DESC
    LIMIT %(limit)s OFFSET %(offset)s
),
located AS MATERIALIZED (  -- MATERIALIZED: computed once, not once per mention below
    SELECT page.*, v.search_text AS text,
           (SELECT min(nullif(strpos(lower(v.search_text), lexeme), 0)) FROM unnest(query.lexemes) AS lexeme)
               AS first_hit
    FROM page
    JOIN procedures_chapterversion v ON v.id = page.id
    CROSS JOIN query
),
snippet AS MATERIALIZED (
    SELECT located.*,
           CASE WHEN first_hit > %(before)s THEN '… ' ELSE '' END
           || ts_headline('english', regexp_replace(regexp_replace(
                  substr(text, greatest(first_hit - %(before)s, 1), %(window)s),
                  CASE WHEN first_hit > %(before)s THEN '^\S*\s+' ELSE '^' END, ''),  -- a cut first word
                  CASE WHEN first_hit - %(before)s + %(window)s < length(text) THEN '\s+\S*$' ELSE '$' END, ''),
              query.q, %(headline)s)
           || CASE WHEN first_hit - %(before)s + %(window)s < length(text) THEN ' …' ELSE '' END AS passage
    FROM located
    CROSS JOIN query
    WHERE first_hit IS NOT NULL
)
SELECT page.id, page.rank, page.title_match,
       CASE WHEN strpos(snippet.passage, %(start)s) > 0 THEN snippet.passage
            ELSE ts_headline('english', located.text, query.q, %(headline)s)  -- no whole match in the window
       END,
       page.total
FROM page
JOIN located ON located.id = page.id
LEFT JOIN snippet ON snippet.id = page.id
CROSS JOIN query
ORDER BY page.title_match DESC, page.rank DESC, page.live DESC, page.id DESC
"""

_POSTGRESQL_COUNT_SQL = """
WITH query AS MATERIALIZED (SELECT websearch_to_tsquery('english', %(query)s) AS q)
SELECT count(*)
FROM procedures_chapter c
JOIN procedures_chapterversion v ON v.chapter_id = c.id
CROSS JOIN query
WHERE {chapters} AND {versions}
  AND (v.search_vector @@ query.q OR to_tsvector('english', c.title) @@ query.q)
"""


def _search_postgresql(query: str, scope: _Scope):
    params = {
        **scope.params(),
        "query": query,
        "headline": _HEADLINE_OPTIONS,
        "start": _START,
        "before": 300,  # characters of the window before the first match, and in all
        "window": 750,
    }
    fragments = {"chapters": scope.chapter_sql(), "versions": scope.version_sql()}
    with connection.cursor() as cursor:
        cursor.execute(_POSTGRESQL_SQL.format(**fragments), params)
        rows = cursor.fetchall()
        if rows:
            total = rows[0][4]
        elif scope.offset:  # a page past the end: count separately
            cursor.execute(_POSTGRESQL_COUNT_SQL.format(**fragments), params)
            total = cursor.fetchone()[0]
        else:
            total = 0
    return [row[:4] for row in rows], total


# --- SQLite with FTS5 ----------------------------------------------------------------------------

# What an index row was built from: the chapter's title and the version's chapter and number. A
# version whose stamp differs (new, its chapter renamed, or an id reused after the tables were
# emptied) is indexed again before searching. A version's text never changes (a change is a new
# version). Every column here is in a small row or an index (chapter_id, number), so the check does
# not read the versions' text: it costs about as much as the search itself would otherwise.
_STAMP_SQL = "c.title || char(31) || v.chapter_id || ':' || v.number"

_FTS5_STALE_SQL = f"""
SELECT v.id, c.title, {_STAMP_SQL}
FROM procedures_chapterversion v
JOIN procedures_chapter c ON c.id = v.chapter_id
LEFT JOIN procedures_search_doc d ON d.version_id = v.id
WHERE c.manual_id = %s AND (d.version_id IS NULL OR d.stamp <> {_STAMP_SQL})
"""  # noqa: S608 - no user input in the SQL text

# bm25() is lower for better matches (weights: title 10, body 1), so it is negated. The title match is
# a second MATCH limited to the title column. FTS5's functions cannot sit beside a window function,
# hence three steps: hit (ranked matches), page (counted and cut), then snippet() of the body
# column (1) for the rows of the page only.
_FTS5_SQL = """
WITH hit AS (
    SELECT procedures_search_fts.rowid AS id,
           procedures_search_fts.rowid IN (
               SELECT rowid FROM procedures_search_fts WHERE procedures_search_fts MATCH %(title_query)s
           ) AS title_match,
           -bm25(procedures_search_fts, 10.0, 1.0) AS rank,
           (c.status = %(live)s AND v.id = c.live_version_id) AS live
    FROM procedures_search_fts
    CROSS JOIN procedures_chapterversion v ON v.id = procedures_search_fts.rowid
    CROSS JOIN procedures_chapter c ON c.id = v.chapter_id
    WHERE procedures_search_fts MATCH %(query)s AND {chapters} AND {versions}
),
page AS (
    SELECT hit.*, count(*) OVER () AS total
    FROM hit
    ORDER BY title_match DESC, rank DESC, live DESC, id DESC
    LIMIT %(limit)s OFFSET %(offset)s
)
SELECT page.id, page.rank, page.title_match,
       snippet(procedures_search_fts, 1, %(start)s, %(stop)s, ' … ', %(words)s), page.total
FROM page
CROSS JOIN procedures_search_fts ON procedures_search_fts.rowid = page.id
WHERE procedures_search_fts MATCH %(query)s
ORDER BY page.title_match DESC, page.rank DESC, page.live DESC, page.id DESC
"""

_FTS5_COUNT_SQL = """
SELECT count(*)
FROM procedures_search_fts
CROSS JOIN procedures_chapterversion v ON v.id = procedures_search_fts.rowid
CROSS JOIN procedures_chapter c ON c.id = v.chapter_id
WHERE procedures_search_fts MATCH %(query)s AND {chapters} AND {versions}
"""


def fts5_match(terms: list[str]) -> str:
    """FTS5 query syntax for ``terms``: every term must match; each one quoted, so nothing a visitor
    types can act as an FTS5 operator."""
    return " AND ".join('"' + term.replace('"', '""') + '"' for term in terms)


def _sync_fts5_index(manual_id: int) -> None:
    """Index the manual's versions that are not indexed yet, or were indexed under another title.
    One query when nothing changed (it reads no chapter text); a few more, whatever the number of
    versions, when something did."""
    with connection.cursor() as cursor:
        cursor.execute(_FTS5_STALE_SQL, [manual_id])
        stale = {pk: (title, stamp) for pk, title, stamp in cursor.fetchall()}
    if not stale:
        return
    with transaction.atomic(), connection.cursor() as cursor:
        ids = list(stale)
        for start in range(0, len(ids), 500):
            batch = ids[start : start + 500]
            marks = ", ".join(["%s"] * len(batch))
            cursor.execute(f"SELECT id, body_html FROM procedures_chapterversion WHERE id IN ({marks})", batch)  # noqa: S608
            bodies = cursor.fetchall()
            cursor.execute(f"DELETE FROM procedures_search_fts WHERE rowid IN ({marks})", batch)  # noqa: S608
            cursor.executemany(
                "INSERT INTO procedures_search_fts (rowid, title, body) VALUES (%s, %s, %s)",
                [(pk, stale[pk][0], html_to_text(body)) for pk, body in bodies],
            )
            cursor.executemany(
                "INSERT OR REPLACE INTO procedures_search_doc (version_id, stamp) VALUES (%s, %s)",
                [(pk, stale[pk][1]) for pk, _body in bodies],
            )


def _search_fts5(terms: list[str], scope: _Scope):
    _sync_fts5_index(scope.manual_id)
    match = fts5_match(terms)
    params = {
        **scope.params(),
        "query": match,
        "title_query": f"{{title}} : ({match})",
        "start": _START,
        "stop": _STOP,
        "words": SNIPPET_WORDS,
    }
    fragments = {"chapters": scope.chapter_sql(), "versions": scope.version_sql()}
    with connection.cursor() as cursor:
        cursor.execute(_FTS5_SQL.format(**fragments), params)
        rows = cursor.fetchall()
        if rows:
            total = rows[0][4]
        elif scope.offset:
            cursor.execute(_FTS5_COUNT_SQL.format(**fragments), params)
            total = cursor.fetchone()[0]
        else:
            total = 0
    return [row[:4] for row in rows], total


# --- SQLite without FTS5: LIKE and ranking in Python ----------------------------------------------


def _like_stem(term: str) -> str:
    """A crude stem so "conferences" also finds "conference": drop a plural ending."""
    for ending in ("ies", "es", "s"):
        if len(term) > len(ending) + 3 and term.endswith(ending):
            return term[: -len(ending)]
    return term


def _search_like(terms: list[str], scope: _Scope):
    stems = [_like_stem(t) for t in terms]
    chapters = Q(chapter__manual_id=scope.manual_id) & (
        Q(chapter__local_to__isnull=True) | Q(chapter__local_to_id=scope.partnership_id)
    )
    if scope.include_archive:
        chapters &= Q(chapter__status__in=[ChapterStatus.LIVE, ChapterStatus.REMOVED], published_at__isnull=False)
    else:
        chapters &= Q(chapter__status=ChapterStatus.LIVE, pk=F("chapter__live_version_id"))
    if scope.section_id is not None:
        chapters &= Q(chapter__section_id=scope.section_id)
    for stem in stems:
        chapters &= Q(chapter__title__icontains=stem) | Q(body_html__icontains=stem)
    candidates = ChapterVersion.objects.filter(chapters).values_list(
        "pk", "chapter__title", "body_html", "chapter__status", "chapter__live_version_id"
    )
    scored = []
    for pk, title, body_html, status, live_version_id in candidates:
        text = html_to_text(body_html)
        title_lower, text_lower = title.lower(), text.lower()
        if not all(s in title_lower or s in text_lower for s in stems):  # matched only inside markup
            continue
        title_match = all(s in title_lower for s in stems)
        body_hits = sum(text_lower.count(s) for s in stems)
        title_hits = sum(s in title_lower for s in stems)
        rank = (10 * title_hits + body_hits) / (1 + math.log1p(len(text.split())))
        live = status == ChapterStatus.LIVE and live_version_id == pk
        scored.append(((title_match, rank, live, pk), text))
    scored.sort(key=lambda item: item[0], reverse=True)
    page = scored[scope.offset : scope.offset + scope.limit]
    rows = [(pk, rank, title_match, _like_snippet(text, stems)) for (title_match, rank, _live, pk), text in page]
    return rows, len(scored)


def _like_snippet(text: str, stems: list[str]) -> str:
    """About ``SNIPPET_WORDS`` words around the first match, the matches wrapped in markers."""
    lower = text.lower()
    first = min((i for i in (lower.find(s) for s in stems) if i >= 0), default=0)
    words_before = text[:first].split()[-8:]
    start = max(0, first - len(" ".join(words_before)) - 1) if words_before else first
    window = " ".join(text[start:].split()[:SNIPPET_WORDS])
    alternatives = "|".join(re.escape(s) for s in sorted(stems, key=len, reverse=True))
    pattern = re.compile(rf"\w*(?:{alternatives})\w*", re.IGNORECASE)  # whole words: "pattern" marks "patterns"
    marked = pattern.sub(lambda m: f"{_START}{m.group(0)}{_STOP}", window)
    prefix = "… " if start > 0 else ""
    suffix = " …" if len(text[start:].split()) > SNIPPET_WORDS else ""
    return f"{prefix}{marked}{suffix}"
