"""The demo Annex A workbook: generated, imported by the real import as Northdale's analyst, once."""

import datetime as dt

import pytest
from django.urls import reverse

from safeguard.accounts.models import User
from safeguard.annexa.demo import load_demo_annex_a
from safeguard.extracts.choices import ExtractKind, ExtractStatus
from safeguard.extracts.models import Extract
from safeguard.partnerships.demo import load_demo_data

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 15)


def test_the_demo_workbook_is_imported_once_and_its_summary_shows_how_it_was_read(client, settings):
    settings.DEMO_MODE = True
    load_demo_data(today=TODAY)
    extract = load_demo_annex_a(today=TODAY, rows=300)
    assert extract is not None
    assert (extract.status, extract.is_current, extract.error_count) == (ExtractStatus.LOADED, True, 0)
    assert extract.reference_date == dt.date(2026, 5, 31)
    assert extract.uploaded_by.email == "analyst@northdale.example"
    assert load_demo_annex_a(today=TODAY, rows=300) is None
    assert Extract.objects.filter(kind=ExtractKind.ANNEX_A).count() == 1

    client.force_login(User.objects.get(email="analyst@northdale.example"))
    assert extract.original_filename in client.get(reverse("annexa:upload")).content.decode()
    response = client.get(reverse("annexa:extract_summary", args=[extract.pk]))
    assert response.status_code == 200
    assert "List 7" in response.content.decode()
