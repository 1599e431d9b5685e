"""The demo census extracts: made by the generator, imported by the real import service as the demo
analyst (so the findings and figures are real), loaded once, and shown on the workspace pages.

The files are made small here (``SCALE``): 40 to 60 children each instead of 1,300 to 2,900.
"""

import datetime as dt

import pytest
from django.urls import reverse

from safeguard.accounts.models import User
from safeguard.extracts.choices import ExtractKind, ExtractStatus, Severity
from safeguard.extracts.demo import CENSUSES, load_demo_extracts
from safeguard.extracts.models import CensusChild, Extract, Finding
from safeguard.indicators.demo import compute_demo_indicators, load_demo_reference_data
from safeguard.indicators.models import IndicatorValue
from safeguard.partnerships.demo import load_demo_data

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 1)
SCALE = 0.02


@pytest.fixture
def demo(settings):
    settings.DEMO_MODE = True  # demo users may use the workspace without two-factor authentication
    load_demo_data(today=TODAY)
    load_demo_reference_data()
    loaded = load_demo_extracts(scale=SCALE)
    computed = compute_demo_indicators()
    return loaded, computed


def census(filename: str) -> Extract:
    return Extract.objects.get(kind=ExtractKind.CIN_CENSUS, original_filename=filename)


def signed_in(client, email: str):
    client.force_login(User.objects.get(email=email))
    return client


def test_the_demo_censuses_are_imported_by_the_analyst_and_a_second_load_adds_nothing(demo):
    loaded, computed = demo
    assert [(t.slug, t.loaded, t.rejected, t.other) for t in loaded] == [
        ("northdale", 5, 1, 0),
        ("eastmoor-westbrook", 4, 0, 0),
    ]
    assert computed == [("northdale", 5), ("eastmoor-westbrook", 2)]
    extracts = Extract.objects.filter(kind=ExtractKind.CIN_CENSUS)
    assert extracts.count() == len(CENSUSES)
    for extract in extracts.select_related("partnership", "uploaded_by"):
        assert extract.uploaded_by.email == f"analyst@{extract.partnership.slug}.example"
        assert extract.stored_name == ""  # the import removed its private copy
    current = extracts.filter(is_current=True)
    northdale = current.filter(partnership__slug="northdale")
    assert sorted(northdale.values_list("collection_year", flat=True)) == [2022, 2023, 2024, 2025, 2026]
    assert set(
        current.filter(partnership__slug="eastmoor-westbrook").values_list("local_authority_code", "collection_year")
    ) == {
        ("992", 2025),
        ("993", 2025),
        ("992", 2026),
        ("993", 2026),
    }
    # Every child is synthetic and placed: Northdale's by the lookup, the joint partnership's by authority.
    children = CensusChild.objects.all()
    assert children.exists()
    assert not children.exclude(la_child_id__startswith="SYN").exists()
    assert not children.filter(locality__isnull=True).exists()
    assert set(children.filter(extract__local_authority_code="993").values_list("locality__name", flat=True)) == {
        "Westbrook"
    }

    counts = (Extract.objects.count(), CensusChild.objects.count(), IndicatorValue.objects.count())
    assert load_demo_extracts(scale=SCALE) == []
    assert compute_demo_indicators() == []
    assert (Extract.objects.count(), CensusChild.objects.count(), IndicatorValue.objects.count()) == counts


def test_the_first_2025_26_upload_was_rejected_and_its_report_lists_the_dfe_rules_it_broke(demo, client):
    rejected = census("CIN_Census_991_2025-26.xml")
    assert rejected.status == ExtractStatus.REJECTED and not rejected.is_current
    assert rejected.error_count > 0
    errors = Finding.objects.filter(extract=rejected, severity=Severity.ERROR)
    assert errors.count() == rejected.error_count
    assert not CensusChild.objects.filter(extract=rejected).exists()
    corrected = census("CIN_Census_991_2025-26_corrected.xml")
    assert (corrected.status, corrected.is_current, corrected.error_count) == (ExtractStatus.LOADED, True, 0)

    response = signed_in(client, "analyst@northdale.example").get(
        reverse("extracts:extract_detail", args=[rejected.pk])
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Rejected" in page
    assert errors.first().code in page


def test_the_2024_25_file_was_loaded_with_queries_only(demo):
    extract = census("CIN_Census_991_2024-25.xml")
    assert (extract.status, extract.is_current, extract.error_count) == (ExtractStatus.LOADED, True, 0)
    assert extract.finding_counts.get("8945Q", 0) > 0  # the withdrawn factor 18A
    assert extract.query_count == sum(extract.finding_counts.values())


def test_the_review_page_shows_the_demo_figures_with_england_and_neighbours(demo, client):
    response = signed_in(client, "analyst@northdale.example").get(reverse("cp_review:review"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Child protection process review: 2025-26" in page
    assert "No CIN census has been loaded" not in page
    assert "Statistical neighbours" in page and "England" in page
    icpc = IndicatorValue.objects.get(
        partnership__slug="northdale", code="icpc_within_15_wd", collection_year=2026, locality=None
    )
    assert icpc.denominator > 0
    assert f"{icpc.value:.1f}%" in page
    for year in ("2021-22", "2022-23", "2023-24", "2024-25"):
        assert year in page  # the trend
    for locality in ("Dalesgate", "Fellside", "Kirkby Moor", "Thornbeck"):
        assert locality in page

    for url in (reverse("extracts:extract_list"), reverse("indicators:index")):
        assert client.get(url).status_code == 200
