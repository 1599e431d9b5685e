"""Full-text search of chapter versions (see ``safeguard/procedures/search.py``).

Database-only: the models do not change, so Django's migration state does not either
(``makemigrations --check`` stays clean). What is created depends on the database:

PostgreSQL
    Two generated columns on ``procedures_chapterversion``, computed by PostgreSQL itself whenever a
    version is written, so nothing in Python has to keep them up to date:

    - ``search_text``: the version's text without HTML (``body_html`` with its tags removed and its
      entities decoded). It includes the statement of every practice point, because ``body_html``
      holds the rendered practice-point box. ``ts_headline`` builds result snippets from it.
    - ``search_vector``: ``search_text`` as a ``tsvector`` (English stemming), weight B, with a GIN
      index. Stored ``MAIN``: PostgreSQL compresses or moves the chapter's text out of the row first,
      so the vector normally stays in the row uncompressed; ranking 2,000 versions then takes a
      third of the time it takes when every vector has to be decompressed.

    The chapter title (weight A) is turned into a ``tsvector`` at query time: a generated column on
    ``procedures_chapter`` would make PostgreSQL refuse any later change to the title column's type.

    Generated columns cannot read other generated columns, so the plain-text expression is written
    out twice. Dropping ``body_html`` or changing its type needs these columns dropped first.

SQLite
    An FTS5 table (``procedures_search_fts``: title, body; rowid = chapter version id) and an ordinary
    table recording what each index row was built from (``procedures_search_doc``). ``search.py``
    fills both at query time from ``body_html`` (turning HTML into text needs Python, which SQLite
    triggers cannot call) and refreshes rows whose title or version changed. No triggers: Django
    rebuilds SQLite tables on many schema changes, and triggers would silently vanish with them.
    When this SQLite has no FTS5, nothing is created and search falls back to ``LIKE`` matching.
"""

from django.db import OperationalError, migrations

# body_html -> plain text: tags become spaces, the entities nh3 writes are decoded (&amp; last, so
# "&amp;lt;" becomes "&lt;" and not "<"), runs of white space become one space. A "<" from the text
# is followed by a space: PostgreSQL's parser would otherwise read "<script>" in a sentence as a tag
# and ignore every word after it. All IMMUTABLE functions, as a generated column requires.
PLAIN_TEXT = r"""
btrim(regexp_replace(
    replace(replace(replace(replace(replace(replace(replace(
        regexp_replace(body_html, '<[^>]*>', ' ', 'g'),
        '&lt;', '< '), '&gt;', '>'), '&quot;', '"'), '&#x27;', ''''), '&#39;', ''''), '&nbsp;', ' '), '&amp;', '&'),
    '\s+', ' ', 'g'))
"""

POSTGRESQL_FORWARDS = [
    f"ALTER TABLE procedures_chapterversion ADD COLUMN search_text text GENERATED ALWAYS AS ({PLAIN_TEXT}) STORED",
    "ALTER TABLE procedures_chapterversion ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
    f"(setweight(to_tsvector('english'::regconfig, {PLAIN_TEXT}), 'B')) STORED",
    "ALTER TABLE procedures_chapterversion ALTER COLUMN search_vector SET STORAGE MAIN",
    "UPDATE procedures_chapterversion SET body_html = body_html",  # store existing vectors that way too
    # The WHERE search_vector @@ query of every search.
    "CREATE INDEX procedures_version_search ON procedures_chapterversion USING gin (search_vector)",
]
POSTGRESQL_BACKWARDS = [
    "DROP INDEX IF EXISTS procedures_version_search",
    "ALTER TABLE procedures_chapterversion DROP COLUMN IF EXISTS search_vector",
    "ALTER TABLE procedures_chapterversion DROP COLUMN IF EXISTS search_text",
]

SQLITE_FORWARDS = [
    # porter: English stemming ("conferences" finds "conference"); remove_diacritics: "naive" finds "naïve".
    "CREATE VIRTUAL TABLE procedures_search_fts USING fts5("
    "title, body, tokenize = 'porter unicode61 remove_diacritics 2')",
    # version_id -> the title, creation time and text length the index row was built from.
    "CREATE TABLE procedures_search_doc (version_id integer NOT NULL PRIMARY KEY, stamp text NOT NULL)",
]
SQLITE_BACKWARDS = ["DROP TABLE IF EXISTS procedures_search_doc", "DROP TABLE IF EXISTS procedures_search_fts"]


def sqlite_has_fts5(cursor) -> bool:
    try:
        cursor.execute("CREATE VIRTUAL TABLE temp.procedures_fts5_probe USING fts5(x)")
    except OperationalError:  # "no such module: fts5"
        return False
    cursor.execute("DROP TABLE temp.procedures_fts5_probe")
    return True


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        statements = POSTGRESQL_FORWARDS
    elif connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            statements = SQLITE_FORWARDS if sqlite_has_fts5(cursor) else []
    else:
        statements = []
    for sql in statements:
        schema_editor.execute(sql, params=None)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"postgresql": POSTGRESQL_BACKWARDS, "sqlite": SQLITE_BACKWARDS}.get(vendor, []):
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("procedures", "0002_chapter_owner_related")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
