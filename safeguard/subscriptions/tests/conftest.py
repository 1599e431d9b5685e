import datetime as dt

import pytest

from safeguard.procedures import services as procedures
from safeguard.procedures.choices import ChangeKind
from safeguard.subscriptions.testing import SubscriberFactory

from .helpers import CHRISTMAS, at


@pytest.fixture
def manual(cast):
    """A live manual of the cast's partnership, with a December release scheduled (not yet live)."""
    manual = procedures.manual_create(
        partnership=cast.partnership, by=cast.manager, title="Child Protection Procedures", slug="cpp"
    )
    section = procedures.section_create(manual=manual, by=cast.manager, title="Child protection processes")
    chapters = {}
    for title, slug in [
        ("Child Protection Conferences", "conferences"),
        ("Section 47 Enquiries", "section-47"),
        ("Core Groups", "core-groups"),
    ]:
        chapters[slug] = procedures.chapter_create(
            section=section, by=cast.manager, title=title, slug=slug, body_markdown=f"{title} text."
        )
    launch = procedures.release_create(
        manual=manual, by=cast.manager, title="September 2026", go_live_on=dt.date(2026, 9, 1)
    )
    for slug in ["conferences", "section-47"]:
        procedures.release_add_change(release=launch, by=cast.manager, chapter=chapters[slug], kind=ChangeKind.NEW)
    procedures.release_publish(release=launch, by=cast.manager, now=at(dt.date(2026, 9, 1)))
    return manual


@pytest.fixture
def december(cast, manual):
    """The December 2026 release: one new, one updated (with a summary), one removed chapter."""
    chapters = {c.slug: c for c in manual.chapters.all()}
    version = procedures.chapter_version_create(
        chapter=chapters["conferences"], by=cast.manager, body_markdown="Minimum 6 months plan."
    )
    release = procedures.release_create(manual=manual, by=cast.manager, title="December 2026", go_live_on=CHRISTMAS)
    procedures.release_add_change(
        release=release,
        by=cast.manager,
        chapter=chapters["conferences"],
        kind=ChangeKind.UPDATED,
        version=version,
        summary="Reinforces the minimum 6 month plan.",
    )
    procedures.release_add_change(
        release=release, by=cast.manager, chapter=chapters["core-groups"], kind=ChangeKind.NEW, summary="New chapter."
    )
    procedures.release_add_change(
        release=release,
        by=cast.manager,
        chapter=chapters["section-47"],
        kind=ChangeKind.REMOVED,
        summary="Merged into strategy discussions.",
    )
    procedures.release_schedule(release=release, by=cast.manager)
    return release


@pytest.fixture
def go_live(django_capture_on_commit_callbacks):
    """``go_live(release)``: publish on Christmas Day, running the on-commit signal like production."""

    def publish(release, now=None):
        with django_capture_on_commit_callbacks(execute=True):
            return procedures.release_publish(release=release, now=now or at(CHRISTMAS))

    return publish


@pytest.fixture
def subscriber_of(cast, manual):
    def make(email="alex@example.org", partnership=None, **kwargs):
        return SubscriberFactory(partnership=partnership or cast.partnership, email=email, manuals=[manual], **kwargs)

    return make
