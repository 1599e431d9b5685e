"""Upload rules: the file's content decides what it is; everything else is refused with a message
saying what was wrong and what is allowed, and nothing is stored."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from safeguard.documents import files, generate
from safeguard.documents.files import check_upload, human_size, sanitise_file_name

ALLOWED = [
    ("policy.pdf", generate.minimal_pdf, "application/pdf"),
    ("form.docx", lambda: generate.docx_bytes("Form", ["Text"]), files.DOCX.content_type),
    ("matrix.xlsx", lambda: generate.xlsx_bytes("Sheet", [["a", "b"], [1, 2]]), files.XLSX.content_type),
    ("protocol.odt", lambda: generate.odt_bytes("Protocol", ["Text"]), files.ODT.content_type),
    ("chart.png", generate.png_bytes, "image/png"),
    ("photo.jpg", generate.jpeg_bytes, "image/jpeg"),
]


def _upload(content: bytes, name: str = "file.pdf", content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _message(content: bytes, name: str = "file.pdf") -> str:
    with pytest.raises(ValidationError) as caught:
        check_upload(_upload(content, name))
    return " ".join(caught.value.messages)


@pytest.mark.parametrize(("name", "build", "expected"), ALLOWED, ids=[a[0] for a in ALLOWED])
def test_it_accepts_each_allowed_type_by_its_content(name, build, expected):
    content = build()
    checked = check_upload(_upload(content, name, content_type="application/octet-stream"))
    assert checked.kind.content_type == expected
    assert checked.size == len(content)
    assert len(checked.sha256) == 64


def test_it_ignores_a_wrong_extension_and_the_browsers_content_type():
    checked = check_upload(_upload(generate.docx_bytes("Form", []), "form.pdf", content_type="application/pdf"))
    assert checked.kind == files.DOCX


def test_it_refuses_an_executable_named_pdf():
    message = _message(b"MZ\x90\x00\x03" + b"\x00" * 200, "policy.pdf")
    assert "program" in message
    assert files.ALLOWED_SUMMARY in message


def test_it_refuses_html_named_pdf():
    assert "web page" in _message(b"<!DOCTYPE html><html><script>alert(1)</script></html>", "policy.pdf")
    assert "web page" in _message(b"\n  <svg onload='alert(1)'></svg>", "image.png")


def test_it_refuses_a_renamed_zip():
    message = _message(_zip({"notes.txt": b"hello"}), "policy.docx")
    assert "This file is a ZIP archive but not a Word, Excel or OpenDocument file." in message


def test_it_refuses_a_macro_enabled_word_file():
    message = _message(generate.docx_bytes("Form", ["x"], macro_enabled=True), "form.docx")
    assert "macro" in message
    assert "not accepted" in message


def test_it_refuses_a_docx_that_smuggles_a_macro_project():
    content = _zip(
        {
            "[Content_Types].xml": generate._DOCX_CONTENT_TYPES.format(main=generate._DOCX_MAIN).encode(),
            "word/document.xml": b"<w:document/>",
            "word/vbaProject.bin": b"\x00" * 10,
        }
    )
    assert "macros" in _message(content, "form.docx")


def test_it_refuses_other_office_and_opendocument_kinds():
    spreadsheet = _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"})
    assert "OpenDocument spreadsheet" in _message(spreadsheet)
    template = generate._DOCX_CONTENT_TYPES.format(
        main="application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
    )
    assert "Word template" in _message(_zip({"[Content_Types].xml": template.encode()}))


def test_it_refuses_a_damaged_zip_and_an_old_office_file():
    assert "damaged" in _message(b"PK\x03\x04" + b"\x00" * 100)
    assert "older Office file" in _message(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "form.doc")


def test_it_refuses_an_incomplete_pdf():
    assert "incomplete" in _message(b"%PDF-1.4\n1 0 obj<<>>endobj\n")


def test_it_refuses_an_empty_file():
    message = _message(b"")
    assert "The file is empty" in message


def test_it_refuses_a_file_over_the_limit_saying_both_sizes(settings):
    settings.SAFEGUARD_DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
    big = SimpleUploadedFile("big.pdf", b"", content_type="application/pdf")
    big.size = 31 * 1024 * 1024  # what the upload handler measured; the content is never read
    with pytest.raises(ValidationError) as caught:
        check_upload(big)
    assert "The file is 31 MB; the limit is 20 MB." in caught.value.messages[0]


def test_the_limit_comes_from_the_setting(settings):
    settings.SAFEGUARD_DOCUMENT_MAX_BYTES = 1000
    assert "the limit is 1000 bytes" in _message(generate.minimal_pdf() + b" " * 1000)


def test_it_refuses_unknown_content():
    assert "not a kind the library accepts" in _message(b"just some text", "notes.pdf")


@pytest.mark.parametrize(
    ("size", "shown"),
    [(0, "0 bytes"), (1, "1 byte"), (240 * 1024, "240 KB"), (1536 * 1024, "1.5 MB"), (31 * 1024 * 1024, "31 MB")],
)
def test_sizes_are_shown_for_people(size, shown):
    assert human_size(size) == shown


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\Policy v2.pdf", "Policy v2.pdf"),
        ('evil"\r\nX-Header: 1.pdf', "evil_X-Header_ 1.pdf"),
        ("", "file"),
        ("a" * 300 + ".pdf", "a" * 146 + ".pdf"),
    ],
)
def test_file_names_are_sanitised(raw, safe):
    assert sanitise_file_name(raw) == safe


def test_stored_names_are_random_and_keep_no_part_of_the_users_name():
    class Version:
        content_type = "application/pdf"

    first = files.random_file_name(Version(), "Child A case notes.pdf")
    second = files.random_file_name(Version(), "Child A case notes.pdf")
    assert first != second
    assert "Child" not in first
    assert first.endswith(".pdf")


def test_the_storage_has_no_public_url():
    with pytest.raises(NotImplementedError):
        files.document_storage().url("ab/cd.pdf")
