import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from safeguard.procedures import services
from safeguard.procedures.choices import ChangeKind, ChapterStatus, ReleaseStatus
from safeguard.procedures.markdown import render_markdown
from safeguard.procedures.models import Chapter, Manual, Release

pytestmark = pytest.mark.django_db

CHRISTMAS = dt.date(2026, 12, 25)


def at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))


@pytest.fixture
def manual(cast):
    manual = services.manual_create(
        partnership=cast.partnership, by=cast.manager, title="Child Protection Procedures", slug="cpp"
    )
    section = services.section_create(manual=manual, by=cast.manager, title="Child protection processes")
    first = services.chapter_create(
        section=section,
        by=cast.manager,
        title="Child Protection Conferences",
        slug="child-protection-conferences",
        body_markdown="## Purpose\n\nFirst text.",
    )
    second = services.chapter_create(
        section=section,
        by=cast.manager,
        title="Section 47 Enquiries",
        slug="section-47-enquiries",
        body_markdown="Enquiry text.",
    )
    launch = services.release_create(
        manual=manual, by=cast.manager, title="September 2026", go_live_on=dt.date(2026, 9, 1)
    )
    services.release_add_change(release=launch, by=cast.manager, chapter=first, kind=ChangeKind.NEW)
    services.release_add_change(release=launch, by=cast.manager, chapter=second, kind=ChangeKind.NEW)
    services.release_publish(release=launch, by=cast.manager, now=at(dt.date(2026, 9, 1)))
    return manual


def _december_release(cast, manual):
    conferences = manual.chapters.get(slug="child-protection-conferences")
    enquiries = manual.chapters.get(slug="section-47-enquiries")
    v2 = services.chapter_version_create(
        chapter=conferences,
        by=cast.manager,
        body_markdown="Minimum 6 months plan.",
        change_note="Practice point on returning home",
    )
    release = services.release_create(manual=manual, by=cast.manager, title="December 2026", go_live_on=CHRISTMAS)
    services.release_add_change(
        release=release,
        by=cast.manager,
        chapter=conferences,
        kind=ChangeKind.UPDATED,
        version=v2,
        summary="Reinforces the minimum 6 month plan.",
    )
    services.release_add_change(release=release, by=cast.manager, chapter=enquiries, kind=ChangeKind.REMOVED)
    services.release_schedule(release=release, by=cast.manager)
    return release, conferences, v2


def test_a_release_publishes_its_new_chapters(manual):
    chapters = Chapter.objects.filter(manual=manual)
    assert {c.status for c in chapters} == {ChapterStatus.LIVE}
    assert all(c.live_version.number == 1 for c in chapters)


def test_a_release_cannot_go_live_before_its_date(cast, manual):
    release, _, _ = _december_release(cast, manual)
    with pytest.raises(ValidationError, match="goes live on 25 December 2026"):
        services.release_publish(release=release, by=cast.manager, now=at(dt.date(2026, 12, 24)))


def test_the_go_live_job_publishes_on_the_date_all_changes_together(cast, manual):
    release, conferences, v2 = _december_release(cast, manual)
    assert services.publish_due_releases(now=at(dt.date(2026, 12, 24))) == []
    assert services.publish_due_releases(now=at(CHRISTMAS)) == [release.pk]
    conferences.refresh_from_db()
    assert conferences.live_version == v2
    assert manual.chapters.get(slug="section-47-enquiries").status == ChapterStatus.REMOVED
    release.refresh_from_db()
    assert release.status == ReleaseStatus.PUBLISHED


def test_publishing_twice_changes_nothing(cast, manual):
    release, _, _ = _december_release(cast, manual)
    assert services.release_publish(release=release, now=at(CHRISTMAS)) is True
    assert services.release_publish(release=release, now=at(CHRISTMAS)) is False
    assert services.publish_due_releases(now=at(CHRISTMAS)) == []


def test_an_interrupted_publish_leaves_the_old_release_live(cast, manual, monkeypatch):
    release, conferences, _ = _december_release(cast, manual)
    old_version = conferences.live_version
    real_apply = services._apply_change
    calls = []

    def apply_then_die(change, now):
        calls.append(change)
        if len(calls) == 2:
            raise RuntimeError("worker killed mid-publish")
        real_apply(change, now)

    monkeypatch.setattr(services, "_apply_change", apply_then_die)
    with pytest.raises(RuntimeError):
        services.release_publish(release=release, now=at(CHRISTMAS))
    conferences.refresh_from_db()
    assert conferences.live_version == old_version
    assert manual.chapters.get(slug="section-47-enquiries").status == ChapterStatus.LIVE
    assert Release.objects.get(pk=release.pk).status == ReleaseStatus.SCHEDULED


def test_a_live_release_takes_no_more_changes(cast, manual):
    launch = Release.objects.get(manual=manual, title="September 2026")
    with pytest.raises(ValidationError, match="already live"):
        services.release_add_change(
            release=launch, by=cast.manager, chapter=manual.chapters.first(), kind=ChangeKind.REMOVED
        )


def test_another_partnerships_manager_cannot_change_the_manual(cast, manual):
    with pytest.raises(PermissionDenied):
        services.release_create(manual=manual, by=cast.other_manager, title="X", go_live_on=CHRISTMAS)


def test_an_adopting_partnership_sees_the_manual(cast, manual):
    assert not Manual.objects.visible_to(cast.other_manager).exists()
    manual.adopted_by.add(cast.other_partnership)
    assert list(Manual.objects.visible_to(cast.other_manager)) == [manual]


def test_chapter_text_is_sanitised():
    html = render_markdown('## Heading\n\n<script>alert(1)</script> [link](javascript:alert(1)) <b onclick="x">b</b>')
    assert "<h2>Heading</h2>" in html
    assert "<script" not in html and "javascript:" not in html and "onclick" not in html


def test_version_numbers_count_up_per_chapter(cast, manual):
    chapter = manual.chapters.get(slug="section-47-enquiries")
    v2 = services.chapter_version_create(chapter=chapter, by=cast.manager, body_markdown="Second")
    v3 = services.chapter_version_create(chapter=chapter, by=cast.manager, body_markdown="Third")
    assert (v2.number, v3.number) == (2, 3)


def test_go_live_job_is_scheduled():
    from safeguard.core import scheduler
    from safeguard.procedures import tasks  # noqa: F401

    assert "safeguard.procedures.tasks.go_live_due_releases" in scheduler.REGISTRY
