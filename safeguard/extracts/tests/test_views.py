"""The extract pages for each member of the cast: who sees counts, who sees children, downloads
audited, the progress page, the upload form, and query counts that do not grow with the rows."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from safeguard.audit.models import AccessLog
from safeguard.extracts import services
from safeguard.extracts.choices import ExtractStatus, Severity
from safeguard.extracts.models import Extract
from safeguard.extracts.testing import (
    ExtractFactory,
    FindingFactory,
    census_xml,
    child_with_history,
    only_these_rules,
    valid_child,
)
from safeguard.workdays.models import CalendarDay
from safeguard.workdays.services import calendar_refresh


@pytest.fixture(autouse=True)
def extract_root(settings, tmp_path):
    settings.SAFEGUARD_EXTRACT_ROOT = tmp_path / "extracts"
    return settings.SAFEGUARD_EXTRACT_ROOT


@pytest.fixture
def loaded(cast):
    """A loaded extract with two children and findings: a query naming a child, an error of the file."""
    extract = ExtractFactory(partnership=cast.partnership, current=True, query_count=2, finding_counts={"8670Q": 2})
    first = child_with_history(extract, la_child_id="NDC000101")
    child_with_history(extract, la_child_id="NDC000102")
    FindingFactory(extract=extract, code="8670Q", severity=Severity.QUERY, la_child_id=first.la_child_id)
    FindingFactory(extract=extract, code="8670Q", severity=Severity.QUERY, la_child_id="NDC000102")
    return extract


@pytest.fixture
def rejected(cast):
    extract = ExtractFactory(
        partnership=cast.partnership,
        status=ExtractStatus.REJECTED,
        error_count=3,
        query_count=1,
        finding_counts={"8840": 2, "XML03": 1, "8670Q": 1},
    )
    FindingFactory(extract=extract, code="8840", la_child_id="NDC000201", message="Plan ends the day it starts.")
    FindingFactory(extract=extract, code="8840", la_child_id="NDC000202", message="Plan ends the day it starts.")
    FindingFactory(extract=extract, code="XML03", la_child_id="NDC000203", field="PersonBirthDate")
    FindingFactory(extract=extract, code="8670Q", severity=Severity.QUERY, la_child_id="NDC000204")
    return extract


def urls(extract, child=None):
    found = {
        "list": reverse("extracts:extract_list"),
        "upload": reverse("extracts:extract_upload"),
        "detail": reverse("extracts:extract_detail", args=[extract.pk]),
        "progress": reverse("extracts:extract_progress", args=[extract.pk]),
        "csv": reverse("extracts:findings_csv", args=[extract.pk]),
        "xlsx": reverse("extracts:findings_xlsx", args=[extract.pk]),
    }
    if child is not None:
        found["child"] = reverse("extracts:child_detail", args=[child.pk])
    return found


def test_anonymous_visitors_are_sent_to_sign_in(client, loaded):
    for url in urls(loaded, loaded.children.first()).values():
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url


@pytest.mark.parametrize("who", ["read_only", "manager", "board_member", "data_lead"])
def test_staff_see_counts_by_rule_but_no_child(client, cast, rejected, who):
    client.force_login(getattr(cast, who))
    page = client.get(urls(rejected)["detail"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "The file was not loaded: it has 3 errors" in html
    assert 'data-testid="rule-counts"' in html and "8840" in html and "XML03" in html
    assert "NDC0002" not in html
    assert 'data-testid="no-child-data"' in html
    assert "Download as CSV" not in html


@pytest.mark.parametrize("who", ["read_only", "manager", "board_member"])
def test_child_data_pages_are_refused_to_staff_without_the_capability(client, cast, loaded, who):
    client.force_login(getattr(cast, who))
    for name in ("csv", "xlsx", "child", "upload"):
        assert client.get(urls(loaded, loaded.children.first())[name]).status_code == 403, name
    assert not AccessLog.objects.filter(action="download").exists()


def test_the_analyst_sees_every_finding_with_its_child_and_how_to_fix_it(client, cast, rejected):
    child = child_with_history(rejected, la_child_id="NDC000201")
    client.force_login(cast.analyst)
    html = client.get(urls(rejected)["detail"]).content.decode()
    assert html.count('data-testid="finding-row"') == 4
    assert "NDC000202" in html and "Plan ends the day it starts." in html
    assert reverse("extracts:child_detail", args=[child.pk]) in html  # a loaded child links to its record
    assert "Correct the plan&#x27;s start or end date." in html
    assert 'data-testid="download-csv"' in html and 'data-testid="download-xlsx"' in html
    log = AccessLog.objects.get(action="view")
    assert (log.user, log.object_pk, log.partnership_id) == (cast.analyst, str(rejected.pk), cast.partnership.pk)


def test_the_findings_filter_by_rule_and_severity(client, cast, rejected):
    client.force_login(cast.analyst)
    by_rule = client.get(urls(rejected)["detail"], {"code": "8840"}).content.decode()
    assert by_rule.count('data-testid="finding-row"') == 2 and "NDC000203" not in by_rule
    queries = client.get(urls(rejected)["detail"], {"severity": "query"}).content.decode()
    assert queries.count('data-testid="finding-row"') == 1 and "NDC000204" in queries
    assert f"{urls(rejected)['csv']}?severity=query" in queries  # the download keeps the filter


def test_other_partnerships_get_404_everywhere(client, cast, loaded):
    child = loaded.children.first()
    for who in (cast.other_analyst, cast.other_manager):
        client.force_login(who)
        for name, url in urls(loaded, child).items():
            if name in ("list", "upload"):
                continue
            assert client.get(url).status_code == 404, (who, name)
        listing = client.get(urls(loaded)["list"]).content.decode()
        assert loaded.original_filename not in listing


def test_the_list_shows_the_partnerships_extracts_with_filters(client, cast, loaded, rejected):
    ExtractFactory(partnership=cast.other_partnership, original_filename="southvale.xml")
    old = ExtractFactory(partnership=cast.partnership, collection_year=2024, original_filename="last-year.xml")
    client.force_login(cast.read_only)
    html = client.get(urls(loaded)["list"]).content.decode()
    assert html.count('data-testid="extract-row"') == 3
    assert "southvale.xml" not in html
    assert "Import a CIN census file" not in html and "Import an Annex A workbook" not in html
    by_year = client.get(urls(loaded)["list"], {"collection_year": 2024}).content.decode()
    assert by_year.count('data-testid="extract-row"') == 1 and old.original_filename in by_year
    by_status = client.get(urls(loaded)["list"], {"status": "rejected"}).content.decode()
    assert by_status.count('data-testid="extract-row"') == 1 and rejected.original_filename in by_status
    client.force_login(cast.analyst)
    html = client.get(urls(loaded)["list"]).content.decode()
    assert "Import a CIN census file" in html and 'href="/workspace/annex-a/"' in html


def test_reading_the_list_marks_a_stalled_import_failed(client, cast):
    stalled = ExtractFactory(partnership=cast.partnership, status=ExtractStatus.IMPORTING)
    Extract.objects.filter(pk=stalled.pk).update(updated_at=timezone.now() - dt.timedelta(hours=2))
    client.force_login(cast.read_only)
    client.get(reverse("extracts:extract_list"))
    stalled.refresh_from_db()
    assert (stalled.status, stalled.failure_message) == (ExtractStatus.FAILED, services.STOPPED_MESSAGE)
    page = client.get(stalled.get_absolute_url()).content.decode()
    assert "upload the file again" in page


def test_the_list_runs_the_same_queries_for_3_or_30_extracts(client, cast, django_assert_max_num_queries):
    for _ in range(3):
        ExtractFactory(partnership=cast.partnership, uploaded_by=cast.analyst)
    client.force_login(cast.analyst)
    client.get(reverse("extracts:extract_list"))
    with django_assert_max_num_queries(14) as few:
        client.get(reverse("extracts:extract_list"))
    for _ in range(27):
        ExtractFactory(partnership=cast.partnership, uploaded_by=cast.manager)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("extracts:extract_list"))
    assert response.content.decode().count('data-testid="extract-row"') == 25


def test_the_report_runs_the_same_queries_for_4_or_400_findings(client, cast, rejected, django_assert_max_num_queries):
    client.force_login(cast.analyst)
    url = urls(rejected)["detail"]
    client.get(url)
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    FindingFactory.create_batch(400, extract=rejected, code="8840")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url, {"page": 3})
    assert response.content.decode().count('data-testid="finding-row"') == 50


def test_the_child_record_shows_what_was_loaded_and_is_audited(client, cast, loaded, django_assert_max_num_queries):
    child = loaded.children.get(la_child_id="NDC000101")
    client.force_login(cast.analyst)
    with django_assert_max_num_queries(20):
        response = client.get(urls(loaded, child)["child"])
    html = response.content.decode()
    assert response.status_code == 200
    assert "Child NDC000101" in html
    assert "3 June 2024" in html and "NEG, NEG" in html and "12 Sep 2024" in html
    log = AccessLog.objects.get(action="view", object_pk=str(child.pk))
    assert (log.user, log.partnership_id) == (cast.analyst, cast.partnership.pk)


def test_the_csv_download_streams_every_finding_and_is_audited(client, cast, rejected):
    FindingFactory(extract=rejected, code="8840", la_child_id="=HYPERLINK(1)", message="-2+3")
    client.force_login(cast.analyst)
    response = client.get(urls(rejected)["csv"])
    assert response.status_code == 200 and response.streaming
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="cin-census-2025-la931-extract-{rejected.pk}-findings.csv"'
    )
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:4] == ["Rule", "Severity", "What the rule checks", "LAchildID"]
    assert len(rows) == 6
    assert [rows[5][3], rows[5][6]] == ["'=HYPERLINK(1)", "'-2+3"]  # never a formula
    log = AccessLog.objects.get(action="download")
    assert (log.user, log.object_pk) == (cast.analyst, str(rejected.pk))


def test_the_excel_download_has_the_counts_and_the_filtered_findings(client, cast, rejected):
    client.force_login(cast.analyst)
    response = client.get(urls(rejected)["xlsx"], {"code": "8840"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    counts = [row for row in book["Counts by rule"].iter_rows(values_only=True) if row and row[0]]
    assert counts[0][0] == "Rule" and {r[0] for r in counts[1:4]} == {"8840", "XML03", "8670Q"}
    findings = list(book["Findings"].iter_rows(values_only=True))
    assert len(findings) == 3 and {r[3] for r in findings[1:]} == {"NDC000201", "NDC000202"}
    assert AccessLog.objects.filter(action="download", user=cast.analyst).count() == 1


def test_a_running_import_shows_its_progress_and_updates_it_without_reloading_the_page(client, cast):
    running = ExtractFactory(
        partnership=cast.partnership,
        status=ExtractStatus.IMPORTING,
        size_bytes=1000,
        bytes_read=450,
        children_read=1200,
        children_count=0,
    )
    client.force_login(cast.read_only)
    html = client.get(running.get_absolute_url()).content.decode()
    assert "http-equiv" not in html  # a timed reload of the page fails WCAG 2.2.1
    assert f'hx-get="{reverse("extracts:extract_progress", args=[running.pk])}"' in html
    assert 'data-testid="check-progress"' in html  # without JavaScript
    assert '<progress id="import-progress-bar"' in html and 'value="45"' in html
    assert "1,200 children read" in html
    assert "Checking the file" in html
    fragment = client.get(reverse("extracts:extract_progress", args=[running.pk]), HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and b"45%" in fragment.content and "HX-Redirect" not in fragment
    Extract.objects.filter(pk=running.pk).update(status=ExtractStatus.LOADED, is_current=True, children_count=1200)
    done = client.get(reverse("extracts:extract_progress", args=[running.pk]), HTTP_HX_REQUEST="true")
    assert done["HX-Redirect"] == running.get_absolute_url()
    report = client.get(running.get_absolute_url()).content.decode()
    assert "http-equiv" not in report and "1,200 children loaded" in report


def test_the_saving_step_is_shown_once_every_child_is_checked(client, cast):
    saving = ExtractFactory(
        partnership=cast.partnership,
        status=ExtractStatus.IMPORTING,
        size_bytes=1000,
        bytes_read=1000,
        children_read=5000,
        children_count=5000,
    )
    client.force_login(cast.analyst)
    html = client.get(saving.get_absolute_url()).content.decode()
    assert "Saving the records" in html and 'value="100"' in html and "saving 5,000 children" in html


@pytest.fixture
def calendar_table(db):
    if not CalendarDay.objects.exists():
        calendar_refresh()


def test_the_analyst_uploads_a_file_and_lands_on_its_report(
    client, cast, calendar_table, django_capture_on_commit_callbacks
):
    cast.partnership.local_authority_code = "931"
    cast.partnership.save(update_fields=["local_authority_code"])
    client.force_login(cast.analyst)
    form = client.get(reverse("extracts:extract_upload")).content.decode()
    assert 'enctype="multipart/form-data"' in form and "Locality lookup (optional)" in form
    content = census_xml([valid_child("U0001"), valid_child("U0002", with_plan=True)])
    with only_these_rules(), django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("extracts:extract_upload"),
            {"partnership": cast.partnership.pk, "file": SimpleUploadedFile("census.xml", content)},
        )
    extract = Extract.objects.get()
    assert response.status_code == 302 and response["Location"] == extract.get_absolute_url()
    assert extract.status == ExtractStatus.LOADED and extract.uploaded_by == cast.analyst
    report = client.get(response["Location"]).content.decode()
    assert "2 children loaded" in report and "breaks none of the rules" in report


def test_the_upload_form_says_what_to_fix(client, cast):
    client.force_login(cast.analyst)
    missing = client.post(reverse("extracts:extract_upload"), {"partnership": cast.partnership.pk})
    assert "Choose the CIN census file to upload." in missing.content.decode()
    pdf = client.post(
        reverse("extracts:extract_upload"),
        {"partnership": cast.partnership.pk, "file": SimpleUploadedFile("census.xml", b"%PDF-1.7 rest")},
    )
    html = pdf.content.decode()
    assert "This is a PDF, not a CIN census" in html
    bad_lookup = client.post(
        reverse("extracts:extract_upload"),
        {
            "partnership": cast.partnership.pk,
            "file": SimpleUploadedFile("census.xml", census_xml([valid_child("U1")])),
            "locality_lookup": SimpleUploadedFile("l.csv", b"LAchildID,locality\nU1,nowhere\n"),
        },
    ).content.decode()
    assert "The locality lookup was not used" in bad_lookup and "no locality &#x27;nowhere&#x27;" in bad_lookup
    assert "Choose the file again: browsers forget it after an error." in bad_lookup
    assert not Extract.objects.exists()
