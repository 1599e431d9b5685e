"""`make bench`: page timings on demo-sized data, written to docs/benchmarks.md.

A benchmark, not a test: it loads the demo data into a fresh SQLite database (and PostgreSQL when
BENCH_DATABASE_URL is set), grows the agencies and people lists to a realistic large partnership,
then times each page N times through Django's test client (the full middleware stack) and reports
p50/p95 and the number of SQL queries per page.

Procedures: a manual of 400 chapters with 5 published versions each (2,000 chapter versions of a few
hundred words, generated from a vocabulary of safeguarding terms), then the contents page, a chapter
page, its print view and searches (with and without the archive), and finally publishing releases of
40 updated chapters through the service, timed one by one.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
tmp = tempfile.mkdtemp(prefix="safeguard-bench-")
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
os.environ["DJANGO_SETTINGS_MODULE"] = "safeguard.settings.test"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "50"))
BENCH_CHAPTERS, BENCH_VERSIONS, PUBLISH_CHAPTERS, PUBLISH_RUNS = 400, 5, 40, 5
TARGETS_MS = {"search": 50, "chapter": 30, "publish": 2000}  # p95, from the procedures issue


LOAD_AT_START = os.getloadavg()[0]  # the machine may be shared: a busy one gives slower figures


def main() -> None:
    setup_test_environment()
    call_command("migrate", verbosity=0)
    call_command("load_demo_data", quiet_logins=True, verbosity=0)
    from safeguard.accounts.models import User
    from safeguard.core.testing import AgencyFactory, PersonFactory
    from safeguard.partnerships.models import Agency, Group, Partnership, Person

    partnership = Partnership.objects.get(slug="northdale")
    for i in range(300):
        AgencyFactory(partnership=partnership, name=f"Bench School {i:03d}", sector="education")
    agencies = list(Agency.objects.filter(partnership=partnership))
    for i in range(2000):
        PersonFactory(partnership=partnership, agency=agencies[i % len(agencies)])
    manager = User.objects.get(email="manager@northdale.example")
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(manager, generate_totp_secret())
    board = Group.objects.filter(partnership=partnership, kind="board").first()
    agency = Agency.objects.filter(partnership=partnership).first()
    public, workspace = Client(), Client()
    workspace.force_login(manager)
    pages = [
        ("public", "/", public),
        ("public", "/northdale/", public),
        ("public", "/northdale/contact/", public),
        ("workspace", "/workspace/", workspace),
        ("workspace", "/workspace/partnerships/agencies/", workspace),
        ("workspace", "/workspace/partnerships/agencies/?sector=education&sort=-name&page=5", workspace),
        ("workspace", "/workspace/partnerships/people/", workspace),
        ("workspace", "/workspace/partnerships/groups/", workspace),
        ("workspace", board.get_absolute_url(), workspace),
        ("workspace", agency.get_absolute_url(), workspace),
        ("workspace", "/workspace/audit/", workspace),
    ]
    manual = build_procedures(partnership, manager)
    base = f"/{partnership.slug}/procedures/{manual.slug}/"
    chapter = manual.chapters.order_by("pk")[7]
    pages += [
        ("procedures", base, public),
        ("procedures", f"{base}{chapter.slug}/", public),
        ("procedures", f"{base}{chapter.slug}/print/", public),
        ("procedures", f"{base}{chapter.slug}/versions/2/", public),
        *[("procedures", f"{base}?q={query}", public) for query in SEARCHES],
        *[("procedures", f"{base}?q={query}&archive=1", public) for query in SEARCHES[:3]],
        ("procedures", f"{base}?q=child&archive=1&page=10", public),
    ]
    rows = []
    for area, url, client in pages:
        for _ in range(3):
            assert client.get(url).status_code == 200, url
        timings = []
        for _ in range(RUNS):
            start = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        rows.append(measure(area, url, timings, len(ctx.captured_queries)))
    versions = manual_version_count(manual)  # before publishing adds more
    rows.append(time_publishing(manual, manager))
    write_report(
        rows,
        people=Person.objects.filter(partnership=partnership).count(),
        agencies=len(agencies),
        versions=versions,
    )


def measure(area, label, timings, queries) -> tuple:
    """A report row: p50 and p95 of ``timings`` (ms), printed as it is made."""
    timings = sorted(timings)
    p50, p95 = statistics.median(timings), timings[max(int(len(timings) * 0.95) - 1, 0)]
    print(f"{label:75} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  {queries} queries")
    return (area, label, p50, p95, queries)


# --- Procedures: a large manual ----------------------------------------------------------------------

SEARCHES = ["neglect", "toxic+trio", "%22significant+harm%22", "strategy+discussion+police", "escalation+policy"]
_TOPICS = """
Neglect; Domestic Abuse; Child Sexual Exploitation; Child Criminal Exploitation;
Female Genital Mutilation; Forced Marriage; Parents Misusing Substances;
Parental Mental Ill Health; Children Missing from Home; Bullying and Online Abuse; Radicalisation;
Fabricated or Induced Illness; Self-harm; Trafficked Children; Private Fostering; Young Carers;
Disabled Children; Children in Hospital; Faith Settings; Sport and Leisure; Unaccompanied Children;
Elective Home Education; Pre-birth Planning; Core Groups; Strategy Discussions;
Section 47 Enquiries; Child Protection Conferences; Child Protection Plans; Early Help;
Information Sharing; Allegations Against Staff; Thresholds; Professional Curiosity;
Children Missing Education; Consent; Medical Examinations; Moving Across Boundaries; Rapid Reviews;
Case File Audits; Child Death Reviews; Safer Recruitment; Designated Safeguarding Leads;
Organised Abuse; Witchcraft and Spirit Possession; Children of Prisoners; Children in Custody;
Family Group Conferences; Serious Incidents; Practice Reviews; Learning into Practice;
Contextual Safeguarding; Gangs and Youth Violence; Honour-based Abuse; Modern Slavery;
Sexually Harmful Behaviour; Perplexing Presentations; Looked After Children; Care Leavers;
Housing and Homelessness; Escalation
"""
TOPICS = [topic.strip() for topic in _TOPICS.split(";")]

ASPECTS = ["Recognition", "Referral", "Assessment", "Planning", "Review", "Recording", "Working Together"]
SUBJECTS = [
    "The social worker",
    "The designated safeguarding lead",
    "Every practitioner",
    "The health visitor",
    "The police officer",
    "The school nurse",
    "The independent reviewing officer",
    "The core group",
    "The child protection chair",
    "A manager",
    "The multi-agency safeguarding hub",
    "The lead professional",
]
VERBS = [
    "should consider",
    "must record",
    "will discuss",
    "needs to share",
    "should review",
    "must escalate",
    "will assess",
    "should explain",
    "must agree",
    "will check",
]
OBJECTS = [
    "the risk of significant harm",
    "the child's lived experience",
    "concerns about neglect",
    "the toxic trio of domestic abuse, mental ill health and substance misuse",
    "information with partner agencies",
    "the outcome of the strategy discussion",
    "the child protection plan",
    "the views of the child",
    "any disagreement under the escalation policy",
    "the chronology of significant events",
    "the safety plan",
    "injuries to a non-mobile baby",
    "the parents' capacity to change",
    "the referral to children's social care",
    "a section 47 enquiry",
    "the early help assessment",
    "the return home interview",
    "attendance at school",
]
TAILS = [
    "within one working day.",
    "before the review conference.",
    "with the family's consent where it is safe.",
    "and tell the child what will happen next.",
    "in line with the thresholds document.",
    "with the police and health colleagues.",
    "at every core group meeting.",
    "without delay.",
]


def _sentence(rng: random.Random) -> str:
    return f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(TAILS)}"


def bench_text(title: str, seed: int) -> str:
    """About 350 words of procedure-like Markdown: headings, paragraphs, a numbered list."""
    from safeguard.procedures.practice_points import TOXIC_TRIO

    rng = random.Random(seed)
    parts = [f"## Purpose\n\nThis chapter explains how agencies respond to {title.lower()}."]
    for heading in ("What to do", "Working together", "Recording and review"):
        paragraphs = [" ".join(_sentence(rng) for _ in range(rng.randint(3, 5))) for _ in range(2)]
        parts.append(f"## {heading}\n\n" + "\n\n".join(paragraphs))
    parts.append("\n".join(f"{i}. {_sentence(rng)}" for i in range(1, 5)))
    if seed % 10 == 0:
        parts.append(TOXIC_TRIO.shortcode())
    return "\n\n".join(parts) + "\n"


def build_procedures(partnership, manager):
    """A live manual of BENCH_CHAPTERS chapters, each with BENCH_VERSIONS published versions."""
    from django.utils import timezone
    from django.utils.text import slugify

    from safeguard.procedures import services
    from safeguard.procedures.choices import ChapterStatus
    from safeguard.procedures.markdown import render_markdown
    from safeguard.procedures.models import Chapter, ChapterVersion

    started = time.perf_counter()
    manual = services.manual_create(partnership=partnership, by=manager, title="Bench Procedures", slug="bench")
    sections = [services.section_create(manual=manual, by=manager, title=f"Part {i + 1}", position=i) for i in range(8)]
    titles = [f"{topic}: {aspect}" for aspect in ASPECTS for topic in TOPICS][:BENCH_CHAPTERS]
    chapters = Chapter.objects.bulk_create(
        Chapter(
            manual=manual,
            section=sections[i % len(sections)],
            title=title,
            slug=slugify(title)[:120],
            status=ChapterStatus.LIVE,
            position=i,
            review_date=dt.date(2027, 1 + i % 12, 1),
        )
        for i, title in enumerate(titles)
    )
    first_live = timezone.now() - dt.timedelta(days=365 * BENCH_VERSIONS)
    versions = []
    for i, chapter in enumerate(chapters):
        for number in range(1, BENCH_VERSIONS + 1):
            markdown = bench_text(chapter.title, i * 10 + number)
            versions.append(
                ChapterVersion(
                    chapter=chapter,
                    number=number,
                    body_markdown=markdown,
                    body_html=render_markdown(markdown),
                    change_note=f"Version {number}",
                    published_at=first_live + dt.timedelta(days=365 * (number - 1)),
                )
            )
    ChapterVersion.objects.bulk_create(versions, batch_size=500)
    live = {v.chapter_id: v for v in ChapterVersion.objects.filter(chapter__manual=manual, number=BENCH_VERSIONS)}
    for chapter in chapters:
        chapter.live_version = live[chapter.pk]
    Chapter.objects.bulk_update(chapters, ["live_version"], batch_size=500)
    with connection.cursor() as cursor:  # statistics, as autovacuum keeps them on a live database
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    took = time.perf_counter() - started
    print(f"built a manual of {len(chapters)} chapters, {len(versions)} versions in {took:.1f}s")
    return manual


def manual_version_count(manual) -> int:
    from safeguard.procedures.models import ChapterVersion

    return ChapterVersion.objects.filter(chapter__manual=manual, published_at__isnull=False).count()


def time_publishing(manual, manager) -> tuple:
    """Publish PUBLISH_RUNS releases of PUBLISH_CHAPTERS updated chapters each; time each publish."""
    from django.utils import timezone

    from safeguard.procedures import services
    from safeguard.procedures.choices import ChangeKind

    chapters = list(manual.chapters.order_by("pk"))
    timings, queries = [], 0
    for run in range(PUBLISH_RUNS):
        release = services.release_create(
            manual=manual, by=manager, title=f"Bench release {run + 1}", go_live_on=timezone.localdate()
        )
        for chapter in chapters[run * PUBLISH_CHAPTERS : (run + 1) * PUBLISH_CHAPTERS]:
            version = services.chapter_version_create(
                chapter=chapter, by=manager, body_markdown=bench_text(chapter.title, 7_000 + chapter.pk)
            )
            services.release_add_change(
                release=release, by=manager, chapter=chapter, kind=ChangeKind.UPDATED, version=version
            )
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            assert services.release_publish(release=release, by=manager)
            timings.append((time.perf_counter() - start) * 1000)
        queries = len(ctx.captured_queries)
    return measure("procedures", f"publish a release of {PUBLISH_CHAPTERS} updated chapters", timings, queries)


def write_report(rows, *, people: int, agencies: int, versions: int) -> None:
    """Write this database's section of docs/benchmarks.md, keeping the other database's section."""
    vendor = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[connection.vendor]
    path = ROOT / "docs" / "benchmarks.md"
    header = [
        "# Benchmarks",
        "",
        "Written by `make bench` (scripts/bench.py). Each page is requested through Django's test client",
        f"(full middleware stack, no network) {RUNS} times after 3 warm-up requests; the SQL query count is",
        "for one request and does not grow with the number of rows (tests assert it).",
        "",
        f"- Machine: {platform.machine()}, {os.cpu_count()} cores, {platform.system()}, "
        f"Python {platform.python_version()}",
        f"- Data: demo data plus a large partnership: {agencies} agencies, {people} people",
        f"- Procedures: a manual of {BENCH_CHAPTERS} live chapters with {versions} published chapter versions of",
        "  about 350 words each; searches run on the live chapters, `archive=1` on every published version.",
        f"  Publishing is timed through `release_publish` ({PUBLISH_RUNS} releases; the SQL count is for one).",
        f"- Targets (p95): search < {TARGETS_MS['search']} ms, chapter page < {TARGETS_MS['chapter']} ms, "
        f"publishing {PUBLISH_CHAPTERS} chapters < {TARGETS_MS['publish'] / 1000:.0f} s.",
        "",
    ]
    section = [
        f"## {vendor}",
        "",
        f"Load average when this run started: {LOAD_AT_START:.1f} (on {os.cpu_count()} cores).",
        "",
        "| area | page | p50 (ms) | p95 (ms) | SQL queries |",
        "|---|---|---:|---:|---:|",
        *[f"| {a} | `{u}` | {p50:.1f} | {p95:.1f} | {q} |" for a, u, p50, p95, q in rows],
        "",
    ]
    sections = {}
    if path.exists():
        current = None
        for line in path.read_text().splitlines():
            if line.startswith("## "):
                current = line[3:].strip()
                sections[current] = []
            if current:
                sections[current].append(line)
    sections[vendor] = section
    body = [line for name in sorted(sections) for line in sections[name]]
    path.write_text("\n".join(header + body).rstrip() + "\n")


if __name__ == "__main__":
    main()
