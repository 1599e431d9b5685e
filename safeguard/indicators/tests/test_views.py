"""Workspace pages: who may see and change what, another partnership's records are a 404, forms
keep what was typed, and list pages run a constant number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from safeguard.indicators.choices import AreaKind
from safeguard.indicators.models import Benchmark, IndicatorSettings, IndicatorValue, PopulationEstimate
from safeguard.indicators.services import indicators_compute
from safeguard.indicators.testing import (
    BenchmarkFactory,
    Census,
    IndicatorValueFactory,
    LocalityFactory,
    PopulationEstimateFactory,
    calendar_table,
)
from safeguard.partnerships.models import Locality

pytestmark = pytest.mark.usefixtures(calendar_table.__name__)

INDEX = reverse("indicators:index")
LOCALITIES = reverse("indicators:locality_list")
D = dt.date


def _census(partnership, localities, children=3):
    census = Census(partnership, year=2025)
    for n in range(children):
        locality = localities[n % len(localities)] if localities else None
        child = census.child(f"V{n:03d}", locality=locality)
        episode = census.episode(child, D(2024, 5, 1) + dt.timedelta(days=n))
        census.assessment(episode, authorised=D(2024, 6, 3))
        s47 = census.s47(episode, start=D(2024, 5, 6), icpc=D(2024, 5, 20))
        census.plan(episode, start=s47.icpc_date, initial="EMO", reviews=[D(2024, 8, 1)])
    return census


# --- The indicators page ----------------------------------------------------------------------------
def test_the_page_shows_definitions_and_the_latest_figures_with_benchmarks(client, cast):
    north = LocalityFactory(partnership=cast.partnership, name="North")
    _census(cast.partnership, [north])
    indicators_compute(partnership=cast.partnership)
    BenchmarkFactory(partnership=cast.partnership, code="re_referrals_12m", value=22.6)
    BenchmarkFactory(
        partnership=cast.partnership, code="re_referrals_12m", area_kind=AreaKind.REGION, value=None, marker="c"
    )
    client.force_login(cast.analyst)
    page = client.get(INDEX)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Initial child protection conferences within 15 working days of the section 47 start" in html
    assert html.count('data-testid="definition"') == 21
    assert "2024-25" in html and ">North<" in html
    row = html[html.index('data-code="re_referrals_12m"') :]
    row = row[: row.index("</tr>")]
    assert "22.6%" in row and ">c<" in row
    assert "0 of 3" in row


def test_other_roles_read_the_definitions_and_are_sent_to_the_suppressed_review_for_figures(client, cast):
    _census(cast.partnership, [LocalityFactory(partnership=cast.partnership, name="North")])
    indicators_compute(partnership=cast.partnership)
    client.force_login(cast.read_only)
    html = client.get(INDEX).content.decode()
    assert html.count('data-testid="definition"') == 21
    assert 'data-testid="figures-on-review"' in html and "child protection process review" in html
    assert 'data-code="re_referrals_12m"' not in html and "0 of 3" not in html


def test_without_figures_the_page_says_how_to_get_them(client, cast):
    client.force_login(cast.board_member)
    page = client.get(INDEX)
    assert page.status_code == 200
    assert b'data-testid="no-values"' in page.content


def test_another_partnerships_figures_are_a_404(client, cast):
    client.force_login(cast.manager)
    assert client.get(INDEX, {"partnership": cast.other_partnership.pk}).status_code == 404
    assert client.get(INDEX, {"partnership": cast.partnership.pk}).status_code == 200
    client.force_login(cast.other_manager)
    assert client.get(INDEX, {"partnership": cast.partnership.pk}).status_code == 404


def test_the_page_runs_the_same_queries_however_many_localities_and_values(client, cast, django_assert_max_num_queries):
    def fill(n, codes):
        localities = [LocalityFactory(partnership=cast.partnership) for _ in range(n)]
        for code in codes:
            for loc in [None, *localities]:
                IndicatorValueFactory(partnership=cast.partnership, code=code, locality=loc)

    client.force_login(cast.manager)
    fill(1, ["referrals"])
    with django_assert_max_num_queries(14) as small:
        assert client.get(INDEX).status_code == 200
    fill(6, ["icpcs", "cpp_started", "re_referrals_12m"])
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(INDEX).status_code == 200


def test_recompute_queues_the_computation(client, cast):
    _census(cast.partnership, [])
    client.force_login(cast.analyst)
    response = client.post(reverse("indicators:compute"), {"partnership": cast.partnership.pk})
    assert response.status_code == 302
    assert response["Location"] == f"{INDEX}?partnership={cast.partnership.pk}"
    assert IndicatorValue.objects.filter(partnership=cast.partnership, code="referrals", locality=None).get().value == 3
    client.force_login(cast.read_only)
    assert client.post(reverse("indicators:compute"), {"partnership": cast.partnership.pk}).status_code == 403
    client.force_login(cast.analyst)
    refused = client.post(reverse("indicators:compute"), {"partnership": cast.other_partnership.pk})
    assert refused.status_code == 200  # not a choice: the form says so
    assert not IndicatorValue.objects.filter(partnership=cast.other_partnership).exists()


# --- Localities ---------------------------------------------------------------------------------------
def test_an_analyst_adds_changes_retires_and_brings_back_a_locality(client, cast):
    client.force_login(cast.analyst)
    response = client.post(
        reverse("indicators:locality_create"),
        {"partnership": cast.partnership.pk, "name": "North", "code": "North", "ons_code": "e08000021"},
    )
    assert response.status_code == 302
    locality = Locality.objects.get(partnership=cast.partnership)
    assert (locality.code, locality.ons_code) == ("north", "E08000021")
    edit = reverse("indicators:locality_edit", args=[locality.pk])
    response = client.post(edit, {"name": "North Dale", "code": "north", "version": locality.version})
    assert response.status_code == 302
    locality.refresh_from_db()
    assert (locality.name, locality.version) == ("North Dale", 2)
    status = reverse("indicators:locality_status", args=[locality.pk])
    assert b"Yes, retire it" in client.get(status).content
    client.post(status, {"version": locality.version})
    locality.refresh_from_db()
    assert not locality.is_active
    client.post(status, {"version": locality.version})
    locality.refresh_from_db()
    assert locality.is_active


def test_a_clashing_locality_keeps_what_was_typed_and_says_how_to_fix_it(client, cast):
    LocalityFactory(partnership=cast.partnership, name="North", code="north")
    client.force_login(cast.manager)
    response = client.post(
        reverse("indicators:locality_create"),
        {"partnership": cast.partnership.pk, "name": "North", "code": "north-2", "ons_code": "XYZ"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Another locality of this partnership has this name. Choose a different name." in html
    assert "Enter an ONS area code: a letter and eight digits" in html
    assert 'value="north-2"' in html


def test_a_stale_edit_is_refused(client, cast):
    locality = LocalityFactory(partnership=cast.partnership, name="North", code="north")
    client.force_login(cast.manager)
    edit = reverse("indicators:locality_edit", args=[locality.pk])
    client.post(edit, {"name": "North A", "code": "north", "version": 1})
    response = client.post(edit, {"name": "North B", "code": "north", "version": 1})
    assert response.status_code == 200
    assert "changed this record after you opened it" in response.content.decode()


def test_read_only_sees_localities_but_cannot_change_them(client, cast):
    locality = LocalityFactory(partnership=cast.partnership)
    client.force_login(cast.read_only)
    page = client.get(LOCALITIES)
    assert page.status_code == 200 and locality.name.encode() in page.content
    assert b"add-locality" not in page.content
    assert client.get(reverse("indicators:locality_create")).status_code == 403
    assert client.post(reverse("indicators:locality_edit", args=[locality.pk]), {}).status_code == 403


def test_another_partnerships_locality_is_a_404_and_not_listed(client, cast):
    theirs = LocalityFactory(partnership=cast.other_partnership, name="Theirs")
    client.force_login(cast.analyst)
    assert client.get(reverse("indicators:locality_edit", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("indicators:locality_status", args=[theirs.pk]), {"version": 1}).status_code == 404
    assert b"Theirs" not in client.get(LOCALITIES).content


@pytest.mark.parametrize(
    ("url", "make"),
    [
        (LOCALITIES, lambda p, n: [LocalityFactory(partnership=p) for _ in range(n)]),
        (
            reverse("indicators:population_list"),
            lambda p, n: [PopulationEstimateFactory(partnership=p, year=2000 + n + i) for i in range(n)],
        ),
        (
            reverse("indicators:benchmark_list"),
            lambda p, n: [BenchmarkFactory(partnership=p, collection_year=2000 + n + i) for i in range(n)],
        ),
    ],
)
def test_list_pages_run_a_constant_number_of_queries(client, cast, url, make, django_assert_max_num_queries):
    client.force_login(cast.manager)
    make(cast.partnership, 1)
    with django_assert_max_num_queries(14) as small:
        assert client.get(url).status_code == 200
    make(cast.partnership, 10)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


# --- Imports ---------------------------------------------------------------------------------------
def test_a_population_upload_shows_its_report_once(client, cast):
    cast.partnership.local_authority_code = "830"
    cast.partnership.save(update_fields=["local_authority_code"])
    client.force_login(cast.analyst)
    upload = SimpleUploadedFile("mye.csv", b"area_code,year,age_0_17\n830,2024,63450\n", content_type="text/csv")
    response = client.post(
        reverse("indicators:population_upload"), {"partnership": cast.partnership.pk, "file": upload}
    )
    assert response.status_code == 302
    assert PopulationEstimate.objects.get().population == 63_450
    page = client.get(response["Location"]).content.decode()
    assert "Population estimates imported" in page and "Row 2: the whole partnership, mid-2024: 63,450 children" in page
    assert "import-report" not in client.get(response["Location"]).content.decode()


def test_a_refused_upload_lists_the_problems_and_asks_for_the_file_again(client, cast):
    client.force_login(cast.manager)
    upload = SimpleUploadedFile("cin.csv", b"time_period,geographic_level,re_referrals_percent\n2024,National,x\n")
    response = client.post(reverse("indicators:benchmark_upload"), {"partnership": cast.partnership.pk, "file": upload})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Row 2, column &#x27;time_period&#x27;: &#x27;2024&#x27; is not a reporting year." in html
    assert "Choose the file again" in html
    assert not Benchmark.objects.exists()


def test_uploads_need_the_right_role_and_partnership(client, cast):
    upload = SimpleUploadedFile("mye.csv", b"area_code,year,age_0_17\n830,2024,1\n")
    client.force_login(cast.read_only)
    assert client.get(reverse("indicators:population_upload")).status_code == 403
    client.force_login(cast.analyst)
    response = client.post(
        reverse("indicators:population_upload"), {"partnership": cast.other_partnership.pk, "file": upload}
    )
    assert response.status_code == 200 and not PopulationEstimate.objects.exists()


def test_area_settings_are_saved_and_validated(client, cast):
    client.force_login(cast.manager)
    url = reverse("indicators:area_settings", args=[cast.partnership.pk])
    response = client.post(
        url, {"ons_code": "e10000007", "region_code": "", "neighbour_codes": "831; 832 , 831 E06000015"}
    )
    assert response.status_code == 302
    settings = IndicatorSettings.objects.get(partnership=cast.partnership)
    assert (settings.ons_code, settings.neighbours) == ("E10000007", ["831", "832", "E06000015"])
    response = client.post(
        url, {"ons_code": "", "region_code": "", "neighbour_codes": "83", "version": settings.version}
    )
    assert "These are not local authority codes: 83." in response.content.decode()
    client.force_login(cast.other_manager)
    assert client.get(url).status_code == 404
