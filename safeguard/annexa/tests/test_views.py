"""The upload page and the column matching page: who may use them, what they show, query counts."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from safeguard.annexa import selectors
from safeguard.annexa.models import AnnexASheet
from safeguard.annexa.testing import (
    AnnexAExtractFactory,
    AnnexASheetFactory,
    encrypted_workbook,
    synthetic_workbook,
)
from safeguard.audit.models import AccessLog
from safeguard.extracts.choices import ExtractStatus
from safeguard.extracts.models import Extract

UPLOAD = reverse("annexa:upload")


@pytest.fixture
def post(client, tmp_path, django_capture_on_commit_callbacks):
    """Upload a synthetic workbook; the queued import runs when the request's transaction commits
    (the test settings' task backend runs tasks at once)."""

    def upload(*, rows=60, error_rate=0.0, reference_date="2025-03-31", name="annex-a.xlsx", **extra):
        synthetic_workbook(tmp_path / "a.xlsx", rows=rows, error_rate=error_rate, seed=3)
        data = {"file": SimpleUploadedFile(name, (tmp_path / "a.xlsx").read_bytes()), "reference_date": reference_date}
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(UPLOAD, {**data, **extra})

    return upload


# --- Who may use the pages --------------------------------------------------------------------
def test_the_upload_page_asks_for_sign_in(client):
    response = client.get(UPLOAD)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_an_analyst_sees_the_upload_form(client, cast):
    client.force_login(cast.analyst)
    page = client.get(UPLOAD)
    body = page.content.decode()
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in body and 'name="reference_date"' in body
    assert 'type="hidden" name="partnership"' in body  # one partnership: no choice to make
    assert "No Annex A workbook has been imported yet." in body


@pytest.mark.parametrize("who", ["manager", "read_only", "board_member", "data_lead"])
def test_roles_other_than_analyst_cannot_import(client, cast, post, who):
    client.force_login(getattr(cast, who))
    assert client.get(UPLOAD).status_code == 403
    assert post().status_code == 403
    assert not Extract.objects.exists()


def test_the_summary_page_of_another_partnership_is_not_found(client, cast):
    theirs = AnnexAExtractFactory(partnership=cast.other_partnership)
    client.force_login(cast.analyst)
    assert client.get(reverse("annexa:extract_summary", args=[theirs.pk])).status_code == 404
    client.force_login(cast.other_analyst)
    assert client.get(reverse("annexa:extract_summary", args=[theirs.pk])).status_code == 200


def test_the_summary_page_is_only_for_annex_a_extracts(client, cast):
    census = AnnexAExtractFactory(partnership=cast.partnership, kind="cin_census")
    client.force_login(cast.analyst)
    assert client.get(reverse("annexa:extract_summary", args=[census.pk])).status_code == 404


def test_every_staff_role_sees_how_a_workbook_was_read(client, cast):
    sheet = AnnexASheetFactory(extract__partnership=cast.partnership)
    url = reverse("annexa:extract_summary", args=[sheet.extract_id])
    for user in (cast.manager, cast.read_only, cast.analyst):
        client.force_login(user)
        assert client.get(url).status_code == 200
    assert AccessLog.objects.filter(object_pk=str(sheet.extract_id), action="view").count() == 3


# --- Importing --------------------------------------------------------------------------------
def test_an_analyst_imports_a_workbook_and_lands_on_its_report(client, cast, post, extract_root):
    client.force_login(cast.analyst)
    response = post(name="Northdale Annex A.xlsx")
    extract = Extract.objects.get()
    assert (extract.status, extract.is_current, extract.uploaded_by) == (ExtractStatus.LOADED, True, cast.analyst)
    assert extract.reference_date == dt.date(2025, 3, 31)
    assert response.status_code == 302 and response["Location"] == selectors.report_url(extract)
    assert "Workbook uploaded: it is being checked now." in client.get(response["Location"]).content.decode()
    assert extract.original_filename == "Northdale Annex A.xlsx" and extract.children_read == 60
    assert extract.stored_name == "" and list(extract_root.iterdir()) == []  # the private copy is gone
    assert "?" not in response["Location"]  # nothing from the workbook goes into an address


def test_a_workbook_with_errors_is_reported_not_loaded(client, cast, post):
    client.force_login(cast.analyst)
    post(rows=200, error_rate=0.2)
    extract = Extract.objects.get()
    assert extract.status == ExtractStatus.REJECTED and not extract.is_current
    body = client.get(reverse("annexa:extract_summary", args=[extract.pk])).content.decode()
    assert "Not loaded: errors" in body


def test_a_refused_file_is_explained_beside_the_field(client, cast):
    client.force_login(cast.analyst)
    upload = SimpleUploadedFile("annex-a.xlsx", encrypted_workbook())
    page = client.post(UPLOAD, {"file": upload, "reference_date": "2025-03-31"})
    body = page.content.decode()
    assert page.status_code == 200
    assert "There is a problem" in body and "protected with a password" in body
    assert not Extract.objects.exists()


def test_the_form_keeps_input_and_says_how_to_fix_it(client, cast, post):
    client.force_login(cast.analyst)
    page = post(reference_date="31/13/2025", local_authority_code="83")
    body = page.content.decode()
    assert "Enter a real date, for example 2025-03-31." in body
    assert "Enter the three-digit local authority code" in body
    assert 'value="83"' in body
    assert "Choose the file again: browsers forget it after an error." in body
    future = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    assert "cannot run to a date in the future" in post(reference_date=future).content.decode()
    assert not Extract.objects.exists()


def test_an_analyst_of_two_partnerships_chooses_one_and_only_their_own(client, cast, post):
    from safeguard.core.roles import Role
    from safeguard.core.testing import grant

    grant(cast.analyst, cast.other_partnership, Role.ANALYST)
    client.force_login(cast.analyst)
    body = client.get(UPLOAD).content.decode()
    assert "Choose a partnership" in body and cast.other_partnership.name in body
    response = post(partnership=cast.other_partnership.pk)
    assert response.status_code == 302
    assert Extract.objects.get().partnership == cast.other_partnership


# --- What the pages show ----------------------------------------------------------------------
def test_the_summary_shows_which_heading_was_taken_for_each_field(client, cast, post):
    client.force_login(cast.analyst)
    post()
    extract = Extract.objects.get()
    page = client.get(reverse("annexa:extract_summary", args=[extract.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="columns-list-7"' in body and 'data-testid="rows-per-list"' in body
    sheet7 = AnnexASheet.objects.get(extract=extract, list_number=7)
    for column in sheet7.columns["columns"]:
        assert column["heading"].replace("'", "&#x27;") in body
    assert "Allocated Worker" in body and "staff names are not kept" in body
    assert "List 8 - Children in care" in body and "not imported" in body
    assert "SYN" not in body  # no child-level data on this page


def test_the_summary_lists_the_checks_that_found_something(client, cast, post):
    client.force_login(cast.analyst)
    post(rows=200, error_rate=0.2)
    extract = Extract.objects.get()
    body = client.get(reverse("annexa:extract_summary", args=[extract.pk])).content.decode()
    assert 'data-testid="rules-found"' in body
    assert "A date cannot be read" in body and "Enter the date as a date cell" in body


def test_a_running_import_is_polled_without_reloading_the_page_and_reloads_once_done(client, cast):
    running = AnnexAExtractFactory(partnership=cast.partnership, status=ExtractStatus.PENDING)
    client.force_login(cast.analyst)
    url = reverse("annexa:extract_summary", args=[running.pk])
    body = client.get(url).content.decode()
    assert "http-equiv" not in body  # a timed reload of the page fails WCAG 2.2.1
    assert f'hx-get="{url}"' in body and 'data-testid="check-progress"' in body
    polled = client.get(url, HTTP_HX_REQUEST="true")
    assert "HX-Refresh" not in polled
    Extract.objects.filter(pk=running.pk).update(status=ExtractStatus.LOADED)
    assert client.get(url, HTTP_HX_REQUEST="true")["HX-Refresh"] == "true"


def test_a_failed_import_shows_why(client, cast):
    failed = AnnexAExtractFactory(
        partnership=cast.partnership, status=ExtractStatus.FAILED, failure_message="The file is empty (0 bytes)."
    )
    client.force_login(cast.analyst)
    body = client.get(reverse("annexa:extract_summary", args=[failed.pk])).content.decode()
    assert "The workbook could not be imported" in body and "The file is empty (0 bytes)." in body


def test_the_upload_page_lists_recent_imports_in_a_constant_number_of_queries(
    client, cast, django_assert_max_num_queries
):
    client.force_login(cast.analyst)
    AnnexAExtractFactory(partnership=cast.partnership, uploaded_by=cast.analyst)
    client.get(UPLOAD)
    with django_assert_max_num_queries(20) as few:
        client.get(UPLOAD)
    for _ in range(8):
        AnnexAExtractFactory(partnership=cast.partnership, uploaded_by=cast.analyst)
    AnnexAExtractFactory(partnership=cast.other_partnership)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(UPLOAD)
    assert len(page.context["recent"]) == 9


def test_the_summary_page_runs_a_constant_number_of_queries(client, cast, django_assert_max_num_queries):
    client.force_login(cast.manager)
    small = AnnexAExtractFactory(partnership=cast.partnership)
    AnnexASheetFactory(extract=small)
    client.get(reverse("annexa:extract_summary", args=[small.pk]))
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("annexa:extract_summary", args=[small.pk]))
    large = AnnexAExtractFactory(partnership=cast.partnership, finding_counts={"AA02": 3, "AA05Q": 1})
    for n in range(1, 10):
        AnnexASheetFactory(extract=large, list_number=n if n <= 7 else None, name=f"Sheet {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("annexa:extract_summary", args=[large.pk])).status_code == 200
