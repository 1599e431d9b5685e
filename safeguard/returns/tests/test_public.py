"""The data set's public summary: only when the partnership publishes it, always suppressed, and
only figures from submitted returns."""

from __future__ import annotations

import pytest

from safeguard.returns.choices import ReturnStatus
from safeguard.returns.testing import DataSetSettingsFactory, ManualIndicatorFactory

from .test_dashboard import _fresh_reviews, build, figure  # noqa: F401 - the fixture is used by every test here

pytestmark = pytest.mark.django_db


def url(partnership) -> str:
    return f"/{partnership.slug}/data-set/"


def test_the_summary_is_shown_only_when_the_partnership_publishes_it(client, cast):
    data = build(cast)
    assert client.get(url(data.partnership)).status_code == 404  # no settings yet
    settings = DataSetSettingsFactory(partnership=data.partnership, publish_summary=False)
    assert client.get(url(data.partnership)).status_code == 404
    settings.publish_summary = True
    settings.save()
    response = client.get(url(data.partnership))
    assert response.status_code == 200
    body = response.content.decode()
    assert "CSE referrals" in body and "Health assessments on time" in body
    assert 'data-testid="public-figure-health-assessments">72.0%' in body
    assert "icpc-timeliness" not in body  # census figures are the DfE's to publish
    assert "submitted by" not in body and cast.data_lead.get_full_name() not in body
    data.partnership.is_active = False
    data.partnership.save()
    assert client.get(url(data.partnership)).status_code == 404
    assert client.get("/nowhere/data-set/").status_code == 404


def test_small_numbers_are_suppressed_on_the_public_page(client, cast):
    data = build(cast)
    DataSetSettingsFactory(partnership=data.partnership, publish_summary=True)
    rare = ManualIndicatorFactory(partnership=data.partnership, agency=data.police, theme=data.neglect, code="rare")
    figure(rare, data.periods[-1], numerator=4, source=data.returns[data.periods[-1].pk])
    body = client.get(url(data.partnership)).content.decode()
    assert 'data-testid="public-figure-rare">c<span class="govuk-visually-hidden"> (suppressed)</span>' in body
    assert 'data-testid="public-figure-cse-referrals">20<' in body


def test_figures_of_a_reopened_return_wait_for_its_resubmission(client, cast):
    data = build(cast)
    DataSetSettingsFactory(partnership=data.partnership, publish_summary=True)
    latest = data.returns[data.periods[-1].pk]
    latest.status = ReturnStatus.REOPENED
    latest.save()
    body = client.get(url(data.partnership)).content.decode()
    assert 'data-testid="public-figure-health-assessments">68.0%' in body  # the quarter before
    assert "2025-26 Q1" in body
