"""The demo library: realistic synthetic documents, every file valid by the upload rules, loaded once."""

import datetime as dt

from django.core.files.base import ContentFile

from safeguard.documents import files
from safeguard.documents.choices import Visibility
from safeguard.documents.demo import SPECS, load_demo_documents
from safeguard.documents.models import Document
from safeguard.partnerships.demo import load_demo_data

TODAY = dt.date(2026, 6, 1)


def test_the_demo_library_loads_once_with_the_promised_variety(db):
    load_demo_data(today=TODAY)
    added = load_demo_documents(today=TODAY)
    assert len(added) == 2 * len(SPECS)
    assert load_demo_documents(today=TODAY) == []  # idempotent

    northdale = Document.objects.filter(partnership__slug="northdale")
    assert northdale.filter(visibility=Visibility.PUBLIC).exists()
    assert northdale.filter(visibility=Visibility.WORKSPACE).exists()
    assert northdale.review_overdue(TODAY).count() == 1
    assert northdale.review_due(TODAY).count() == 1
    assert northdale.get(slug="escalation-policy").versions.count() == 2
    kinds = {d.current_version.content_type for d in northdale.select_related("current_version")}
    assert kinds == {files.PDF.content_type, files.XLSX.content_type, files.DOCX.content_type}
    for document in northdale.select_related("current_version"):
        version = document.current_version
        with version.file.open("rb") as handle:
            content = handle.read()
        assert len(content) == version.size
        assert files.check_upload(ContentFile(content, name="x")).kind.content_type == version.content_type
