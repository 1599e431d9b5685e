"""Writes: who may change the library, versions, owners, archive, and that a refused file leaves
nothing behind."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from safeguard.core.concurrency import ConcurrentEditError
from safeguard.core.testing import PersonFactory
from safeguard.documents import generate, services
from safeguard.documents.choices import Category, DocumentStatus, Visibility
from safeguard.documents.models import Document, DocumentVersion
from safeguard.documents.testing import make_document, owner_for, upload


def _create(cast, by, **overrides):
    data = {
        "partnership": cast.partnership,
        "by": by,
        "title": "Escalation policy",
        "category": Category.POLICY,
        "owner": owner_for(cast.partnership),
        "review_date": dt.date(2027, 3, 31),
        "file": upload(),
        "visibility": Visibility.PUBLIC,
    }
    return services.document_create(**{**data, **overrides})


def _stored_files(root):
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_a_manager_adds_a_document_with_its_first_version(cast, document_root):
    document = _create(cast, cast.manager)
    version = document.current_version
    assert document.slug == "escalation-policy"
    assert version.number == 1
    assert version.change_note == "First version"
    assert version.content_type == "application/pdf"
    assert version.original_filename == "policy.pdf"
    assert version.uploaded_by == cast.manager
    assert version.size == len(generate.minimal_pdf())
    assert "policy" not in version.file.name
    assert len(_stored_files(document_root)) == 1


def test_a_second_document_with_the_same_title_gets_its_own_address(cast):
    assert _create(cast, cast.manager).slug == "escalation-policy"
    assert _create(cast, cast.manager).slug == "escalation-policy-2"


@pytest.mark.parametrize("who", ["board_member", "data_lead", "read_only", "other_manager"])
def test_roles_without_the_capability_cannot_add(cast, who):
    with pytest.raises(PermissionDenied):
        _create(cast, getattr(cast, who))


def test_a_refused_file_saves_nothing(cast, document_root):
    with pytest.raises(ValidationError) as caught:
        _create(cast, cast.manager, file=upload(b"MZ\x90\x00" + b"\x00" * 64, "policy.pdf"))
    assert "program" in caught.value.message_dict["file"][0]
    assert not Document.objects.exists()
    assert not DocumentVersion.objects.exists()
    assert _stored_files(document_root) == []


def test_every_problem_is_reported_at_once(cast):
    nobody = PersonFactory(partnership=cast.partnership, email="")
    with pytest.raises(ValidationError) as caught:
        _create(cast, cast.manager, title="", owner=nobody, file=upload(b""))
    errors = caught.value.message_dict
    assert set(errors) >= {"title", "owner", "file"}
    assert "no e-mail address" in errors["owner"][0]


def test_the_owner_must_belong_to_the_partnership(cast):
    with pytest.raises(ValidationError) as caught:
        _create(cast, cast.manager, owner=owner_for(cast.other_partnership))
    assert "own partnership" in caught.value.message_dict["owner"][0]


def test_a_new_version_becomes_the_current_one_and_the_old_one_is_kept(cast):
    document = make_document(cast.partnership)
    first = document.current_version
    second = services.document_version_upload(
        document=document,
        by=cast.officer,
        file=upload(generate.docx_bytes("Policy", ["v2"]), "policy v2.docx"),
        change_note="Added timescales",
        review_date=dt.date(2028, 1, 31),
    )
    document.refresh_from_db()
    assert second.number == 2
    assert document.current_version == second
    assert document.review_date == dt.date(2028, 1, 31)
    assert list(document.versions.values_list("number", flat=True).order_by("number")) == [1, 2]
    assert first.file.storage.exists(first.file.name)
    assert second.content_type == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def test_a_new_version_needs_a_note_of_what_changed(cast):
    document = make_document(cast.partnership)
    with pytest.raises(ValidationError) as caught:
        services.document_version_upload(document=document, by=cast.manager, file=upload(), change_note="  ")
    assert "Say what changed" in caught.value.message_dict["change_note"][0]
    assert document.versions.count() == 1


def test_a_refused_new_version_leaves_the_current_one(cast, document_root):
    document = make_document(cast.partnership)
    before = len(_stored_files(document_root))
    with pytest.raises(ValidationError):
        services.document_version_upload(
            document=document, by=cast.manager, file=upload(b"<html></html>"), change_note="Oops"
        )
    document.refresh_from_db()
    assert document.versions.count() == 1
    assert len(_stored_files(document_root)) == before


def test_edits_use_optimistic_locking(cast):
    document = make_document(cast.partnership)
    services.document_update(document=document, by=cast.manager, expected_version=1, title="Renamed")
    stale = Document.objects.get(pk=document.pk)
    with pytest.raises(ConcurrentEditError):
        services.document_update(document=stale, by=cast.manager, expected_version=1, title="Again")
    document.refresh_from_db()
    assert document.title == "Renamed"
    assert document.slug.startswith("test-policy")  # the address never changes


def test_archive_and_restore(cast):
    document = make_document(cast.partnership)
    services.document_archive(document=document, by=cast.manager, expected_version=document.version)
    assert document.status == DocumentStatus.ARCHIVED
    assert document.archived_at is not None
    with pytest.raises(ValidationError):
        services.document_version_upload(document=document, by=cast.manager, file=upload(), change_note="x")
    services.document_restore(document=document, by=cast.manager, expected_version=document.version)
    assert document.status == DocumentStatus.CURRENT
    assert document.archived_at is None


def test_another_partnerships_manager_cannot_change_a_document(cast):
    document = make_document(cast.partnership)
    with pytest.raises(PermissionDenied):
        services.document_version_upload(document=document, by=cast.other_manager, file=upload(), change_note="x")
    with pytest.raises(PermissionDenied):
        services.document_archive(document=document, by=cast.other_manager, expected_version=document.version)
