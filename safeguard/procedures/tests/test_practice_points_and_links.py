"""Practice points (content and data from one source) and the broken-link check before go-live."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from safeguard.procedures import practice_points as pp
from safeguard.procedures import selectors, services
from safeguard.procedures.choices import ChangeKind, ReleaseStatus
from safeguard.procedures.links import release_broken_links
from safeguard.procedures.markdown import render_markdown, resolve_internal_links

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("returned", "earliest_end"),
    [
        (dt.date(2026, 8, 31), dt.date(2027, 2, 28)),  # no 31 February
        (dt.date(2027, 8, 31), dt.date(2028, 2, 29)),  # leap year
        (dt.date(2026, 12, 25), dt.date(2027, 6, 25)),  # Christmas Day return
        (dt.date(2026, 7, 1), dt.date(2027, 1, 1)),  # across New Year
        (dt.date(2024, 2, 29), dt.date(2024, 8, 29)),
    ],
)
def test_six_month_minimum_plan_uses_calendar_months(returned, earliest_end):
    assert pp.minimum_plan_end(returned) == earliest_end
    assert pp.plan_meets_minimum_after_return(returned_home_on=returned, plan_ended_on=earliest_end)
    assert not pp.plan_meets_minimum_after_return(
        returned_home_on=returned, plan_ended_on=earliest_end - dt.timedelta(days=1)
    )
    assert pp.plan_meets_minimum_after_return(returned_home_on=returned, plan_ended_on=None)


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 1, 1)))
def test_six_months_is_never_less_than_181_days_or_more_than_184(day):
    assert 181 <= (pp.minimum_plan_end(day) - day).days <= 184


def test_host_authority_notified_only_out_of_county():
    assert pp.host_authority_notification_required(responsible_authority="Northdale", placement_authority="Eastmoor")
    assert not pp.host_authority_notification_required(
        responsible_authority="Northdale", placement_authority=" northdale "
    )


def test_toxic_trio_needs_all_three_factors():
    all_three = {pp.DOMESTIC_ABUSE, pp.PARENTAL_MENTAL_ILL_HEALTH, pp.PARENTAL_SUBSTANCE_MISUSE}
    assert pp.needs_manager_or_dsl_discussion(all_three | {"neglect"})
    assert not pp.needs_manager_or_dsl_discussion({pp.DOMESTIC_ABUSE, pp.PARENTAL_SUBSTANCE_MISUSE})
    assert pp.toxic_trio_factors_present({pp.DOMESTIC_ABUSE, "neglect"}) == {pp.DOMESTIC_ABUSE}


def test_practice_point_renders_from_the_registry_text():
    html = render_markdown(f"Intro\n\n{pp.TOXIC_TRIO.shortcode()}\n")
    assert 'data-practice-point="toxic-trio"' in html
    assert "line manager or designated safeguarding lead" in html


def test_unknown_practice_point_is_refused_with_the_known_codes(cast):
    from safeguard.procedures.testing import make_manual

    _manual, section, _ = make_manual(cast)
    chapter = services.chapter_create(section=section, by=cast.manager, title="X", slug="x", body_markdown="Text")
    with pytest.raises(ValidationError) as error:
        services.chapter_version_create(chapter=chapter, by=cast.manager, body_markdown="[[practice-point: trio]]")
    assert "cp-plan-after-return-home, toxic-trio" in str(error.value)


def test_other_modules_find_the_chapters_that_carry_a_practice_point(cast):
    from safeguard.procedures.testing import make_manual, publish

    manual, section, _ = make_manual(cast)
    chapter = services.chapter_create(
        section=section, by=cast.manager, title="Domestic Abuse", slug="da", body_markdown=pp.TOXIC_TRIO.shortcode()
    )
    publish(cast, manual, [(chapter, ChangeKind.NEW)])
    found = list(selectors.chapters_with_practice_point(code="toxic-trio", partnership=cast.partnership))
    assert found == [chapter]
    assert not selectors.chapters_with_practice_point(code="toxic-trio", partnership=cast.other_partnership).exists()


def test_internal_links_survive_sanitising_and_resolve_per_site():
    html = render_markdown("[S47](chapter:section-47) and [policy](document:escalation) [x](javascript:alert(1))")
    assert 'href="chapter:section-47"' in html and "javascript" not in html
    out = resolve_internal_links(html, chapter_url=lambda s: f"/a/procedures/m/{s}/", document_url=lambda s: None)
    assert 'href="/a/procedures/m/section-47/"' in out
    assert 'href="#" data-broken-link="true"' in out


def test_release_with_broken_links_cannot_be_scheduled_or_published(cast):
    from safeguard.procedures.testing import make_manual, publish

    manual, section, _ = make_manual(cast)
    target = services.chapter_create(section=section, by=cast.manager, title="Target", slug="target", body_markdown="T")
    linker = services.chapter_create(
        section=section, by=cast.manager, title="Linker", slug="linker", body_markdown="[see](chapter:target)"
    )
    publish(cast, manual, [(target, ChangeKind.NEW), (linker, ChangeKind.NEW)])  # both new together: fine

    release = services.release_create(manual=manual, by=cast.manager, title="Removal", go_live_on=dt.date(2026, 1, 5))
    services.release_add_change(release=release, by=cast.manager, chapter=target, kind=ChangeKind.REMOVED)
    broken = release_broken_links(release)
    assert [(b.chapter_slug, b.target, b.reason) for b in broken] == [("linker", "target", "this release removes")]
    with pytest.raises(ValidationError) as error:
        services.release_schedule(release=release, by=cast.manager)
    assert "'Linker' links to the chapter 'target', which this release removes." in error.value.messages
    release.refresh_from_db()
    assert release.status == ReleaseStatus.DRAFT

    fix = services.chapter_version_create(chapter=linker, by=cast.manager, body_markdown="No link now")
    services.release_add_change(release=release, by=cast.manager, chapter=linker, kind=ChangeKind.UPDATED, version=fix)
    assert release_broken_links(release) == []
    services.release_schedule(release=release, by=cast.manager)


def test_link_to_missing_chapter_is_reported(cast):
    from safeguard.procedures.testing import make_manual

    manual, section, _ = make_manual(cast)
    chapter = services.chapter_create(
        section=section, by=cast.manager, title="Linker", slug="linker", body_markdown="[x](chapter:nowhere)"
    )
    release = services.release_create(manual=manual, by=cast.manager, title="R", go_live_on=dt.date(2026, 1, 5))
    services.release_add_change(release=release, by=cast.manager, chapter=chapter, kind=ChangeKind.NEW)
    assert [b.message for b in release_broken_links(release)] == [
        "'Linker' links to the chapter 'nowhere', which does not exist."
    ]


def test_change_kind_must_match_the_chapter_history(cast):
    from safeguard.procedures.testing import make_manual, publish

    manual, section, _ = make_manual(cast)
    chapter = services.chapter_create(section=section, by=cast.manager, title="C", slug="c", body_markdown="T")
    release = services.release_create(manual=manual, by=cast.manager, title="R", go_live_on=dt.date(2026, 1, 5))
    with pytest.raises(ValidationError, match="never been published"):
        services.release_add_change(release=release, by=cast.manager, chapter=chapter, kind=ChangeKind.UPDATED)
    publish(cast, manual, [(chapter, ChangeKind.NEW)])
    with pytest.raises(ValidationError, match="published before"):
        services.release_add_change(release=release, by=cast.manager, chapter=chapter, kind=ChangeKind.NEW)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- " * 2000, "nested too deeply"),
        ("[a](" * 2000, "square brackets"),
        ("x" * 100_001, "up to 100,000"),
    ],
)
def test_text_that_cannot_be_a_chapter_is_refused_quickly(cast, text, message):
    from safeguard.procedures.testing import make_manual

    _, _, (chapter,) = make_manual(cast, chapters=1)
    with pytest.raises(ValidationError, match=message):
        services.chapter_version_create(chapter=chapter, by=cast.manager, body_markdown=text)


def test_a_release_is_scheduled_only_from_draft(cast):
    from safeguard.procedures.testing import make_manual, publish

    manual, _, (chapter,) = make_manual(cast, chapters=1)
    release = publish(cast, manual, [(chapter, ChangeKind.NEW)])
    with pytest.raises(ValidationError, match="Only a draft release can be scheduled"):
        services.release_schedule(release=release, by=cast.manager)
    release.refresh_from_db()
    assert release.status == ReleaseStatus.PUBLISHED


def test_a_chapter_cannot_take_an_address_the_manual_uses(cast):
    from safeguard.procedures.testing import make_manual

    _, section, _ = make_manual(cast)
    with pytest.raises(ValidationError, match="used by the manual's own pages"):
        services.chapter_create(section=section, by=cast.manager, title="A", slug="amendments", body_markdown="T")


def test_contents_page_offers_update_emails_for_this_manual(client, cast):
    from safeguard.procedures.testing import make_manual, publish

    manual, _, (chapter,) = make_manual(cast, chapters=1)
    publish(cast, manual, [(chapter, ChangeKind.NEW)])
    body = client.get(f"/{cast.partnership.slug}/procedures/{manual.slug}/").content.decode()
    assert f"/{cast.partnership.slug}/updates/" in body and f"?manual={manual.slug}" in body
