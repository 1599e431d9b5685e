"""Files that are not a census, broken census files and hostile files: each is refused with a
``CensusFileError`` whose message says what is wrong and how to fix it, quickly, never a crash."""

from __future__ import annotations

import io
import time
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safeguard.extracts.census import parser
from safeguard.extracts.census.generator import generate_census
from safeguard.extracts.census.parser import CensusFileError, open_census

GOOD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    "<Message>\n"
    "  <Header>\n"
    "    <CollectionDetails><Collection>CIN</Collection><Year>2026</Year>"
    "<ReferenceDate>2026-03-31</ReferenceDate></CollectionDetails>\n"
    "    <Source><LEA>931</LEA></Source>\n"
    "  </Header>\n"
    "  <Children>\n"
    "    <Child>\n"
    "      <ChildIdentifiers><LAchildID>B1</LAchildID><Sex>F</Sex></ChildIdentifiers>\n"
    "      <ChildCharacteristics><Ethnicity>WBRI</Ethnicity></ChildCharacteristics>\n"
    "      <CINdetails>\n"
    "        <CINreferralDate>2025-06-01</CINreferralDate>\n"
    "        <ReferralSource>6</ReferralSource>\n"
    "        <ReferralNFA>false</ReferralNFA>\n"
    "      </CINdetails>\n"
    "    </Child>\n"
    "    <Child>\n"
    "      <ChildIdentifiers><LAchildID>B2</LAchildID><Sex>M</Sex></ChildIdentifiers>\n"
    "      <ChildCharacteristics><Ethnicity>WBRI</Ethnicity></ChildCharacteristics>\n"
    "      <CINdetails>\n"
    "        <CINreferralDate>2025-07-01</CINreferralDate>\n"
    "        <ReferralSource>2A</ReferralSource>\n"
    "        <ReferralNFA>false</ReferralNFA>\n"
    "      </CINdetails>\n"
    "    </Child>\n"
    "  </Children>\n"
    "</Message>\n"
)


def read_all(source) -> list:
    """Open and read a whole file; what the import does."""
    with open_census(source) as stream:
        return list(stream)


def refused(data: bytes | str, *, within: float = 2.0) -> CensusFileError:
    if isinstance(data, str):
        data = data.encode()
    started = time.perf_counter()
    with pytest.raises(CensusFileError) as caught:
        read_all(io.BytesIO(data))
    assert time.perf_counter() - started < within
    error = caught.value
    assert error.message and str(error) == error.message
    assert "Traceback" not in error.message
    return error


def test_the_good_file_is_read():
    assert [c.la_child_id for c in read_all(io.BytesIO(GOOD.encode()))] == ["B1", "B2"]


# --- not a census at all ------------------------------------------------------------------------
def test_a_pdf_is_refused_as_a_pdf():
    error = refused(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")
    assert "PDF document" in error.message and "export the census" in error.message.lower()


def test_a_spreadsheet_renamed_to_xml_is_refused_as_a_zip_file():
    workbook = io.BytesIO()
    with zipfile.ZipFile(workbook, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    error = refused(workbook.getvalue())
    assert "zip file" in error.message and "Annex A" in error.message


def test_an_old_excel_file_is_refused():
    assert "older Microsoft Office" in refused(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100).message


def test_a_csv_file_is_not_xml():
    assert "not XML" in refused("LAchildID,UPN\nA1,H801200001001\n").message


@pytest.mark.parametrize("data", [b"", b"   \n\t  \n"])
def test_an_empty_or_blank_file_says_so(data):
    message = refused(data).message
    assert "empty" in message or "blank space" in message


def test_an_empty_file_on_disk_is_refused(tmp_path):
    path = tmp_path / "empty.xml"
    path.write_bytes(b"")
    with pytest.raises(CensusFileError, match="empty"):
        read_all(path)


def test_a_missing_file_is_refused_not_a_crash(tmp_path):
    with pytest.raises(CensusFileError, match="could not be found"):
        read_all(tmp_path / "gone.xml")


def test_the_wrong_root_element_says_what_was_found_and_what_was_expected():
    error = refused('<?xml version="1.0"?>\n<workbook><sheet/></workbook>')
    assert "<workbook>" in error.message and "<Message>" in error.message
    assert error.line == 2


def test_a_namespace_is_refused():
    error = refused('<Message xmlns="urn:example:cin"><Header/></Message>')
    assert "namespace" in error.message and "urn:example:cin" in error.message


def test_a_file_without_a_header_is_refused():
    error = refused(GOOD.replace(GOOD[GOOD.index("  <Header>") : GOOD.index("  <Children>")], ""))
    assert "no <Header>" in error.message


def test_a_header_after_the_children_is_no_header():
    header = GOOD[GOOD.index("  <Header>") : GOOD.index("  <Children>")]
    text = GOOD.replace(header, "").replace("</Children>\n", "</Children>\n" + header)
    assert "no <Header>" in refused(text).message


def test_a_file_that_is_not_well_formed_names_the_line():
    error = refused(GOOD.replace("<ReferralSource>6</ReferralSource>", "<ReferralSource>6</Referral>"))
    assert "not well-formed XML at line 13" in error.message and error.line == 13


# --- truncated ----------------------------------------------------------------------------------
def test_a_file_cut_off_in_the_middle_of_a_child_says_where_it_stops():
    cut = GOOD[: GOOD.index("<ReferralSource>2A")] + "<ReferralSou"
    error = refused(cut)
    stop = cut.count("\n") + 1
    assert "stops part-way through" in error.message and f"line {stop}" in error.message
    assert error.line == stop


def test_a_truncated_generated_file_is_refused_after_the_complete_children(tmp_path):
    path = tmp_path / "census.xml"
    generate_census(path, children=300, seed=2)
    data = path.read_bytes()
    cut = data[: len(data) * 2 // 3]
    read = []
    with pytest.raises(CensusFileError, match="stops part-way through"), open_census(io.BytesIO(cut)) as stream:
        for child in stream:
            read.append(child)
    assert 0 < len(read) < 300


# --- hostile files ------------------------------------------------------------------------------
BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE Message [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">\n' for i in range(1, 10)
    )
    + "]>\n<Message><Header>&lol9;</Header></Message>\n"
)


def test_a_billion_laughs_file_is_refused_at_its_doctype():
    error = refused(BILLION_LAUGHS, within=1.0)
    assert "DOCTYPE" in error.message


def test_an_external_entity_is_never_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-TOKEN-4711")
    xxe = (
        f'<?xml version="1.0"?>\n<!DOCTYPE Message [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
        "<Message><Header><CollectionDetails><Collection>&xxe;</Collection></CollectionDetails></Header></Message>"
    )
    error = refused(xxe)
    assert "DOCTYPE" in error.message and "TOP-SECRET" not in error.message


def test_an_external_entity_for_etc_passwd_is_refused():
    xxe = (
        '<?xml version="1.0"?>\n<!DOCTYPE Message [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
        "<Message><Header>&xxe;</Header><Children/></Message>"
    )
    error = refused(xxe)
    assert "DOCTYPE" in error.message and "root:" not in error.message


def test_even_a_harmless_doctype_is_refused():
    text = GOOD.replace("<Message>", '<!DOCTYPE Message SYSTEM "http://example.invalid/cin.dtd">\n<Message>', 1)
    error = refused(text)
    assert "DOCTYPE" in error.message and error.line == 2 and "(line 2)" in error.message


def test_a_utf16_doctype_is_refused_too():
    error = refused(BILLION_LAUGHS.replace('version="1.0"', 'version="1.0" encoding="UTF-16"').encode("utf-16"))
    assert "DOCTYPE" in error.message


def test_deeply_nested_elements_are_refused():
    bomb = "<Message><Header/><Children>" + "<Child>" * 100_000 + "</Child>" * 100_000 + "</Children></Message>"
    error = refused(bomb, within=2.0)
    assert "nested more than 256 deep" in error.message


def test_one_enormous_record_is_refused_without_holding_it_in_memory(monkeypatch):
    monkeypatch.setattr(parser, "MAX_RECORD_BYTES", 64 * 1024)
    monkeypatch.setattr(parser, "READ_CHUNK", 16 * 1024)
    huge_child = "<Child>" + "<CINdetails><ReferralSource>6</ReferralSource></CINdetails>" * 20_000 + "</Child>"
    text = GOOD.replace("<Children>", "<Children>" + huge_child)
    error = refused(text)
    assert "holds no complete <Child> record" in error.message


# --- too large ----------------------------------------------------------------------------------
def test_a_file_over_the_size_limit_is_refused_before_it_is_parsed(tmp_path, settings):
    settings.SAFEGUARD_EXTRACT_MAX_BYTES = 2048
    path = tmp_path / "census.xml"
    generate_census(path, children=20, seed=1)
    started = time.perf_counter()
    with pytest.raises(CensusFileError) as caught:
        read_all(path)
    assert time.perf_counter() - started < 0.5
    assert "larger than the 2 KB" in caught.value.message
    assert "SAFEGUARD_EXTRACT_MAX_BYTES" in caught.value.message
    with pytest.raises(CensusFileError, match="larger than"), path.open("rb") as handle:
        read_all(handle)


class _Unsized(io.RawIOBase):
    """A stream whose size cannot be known beforehand (like a network upload)."""

    def __init__(self, data: bytes):
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def read(self, size=-1):
        return self._data.read(size)


def test_a_stream_of_unknown_size_is_cut_off_at_the_limit(tmp_path, settings):
    path = tmp_path / "census.xml"
    generate_census(path, children=200, seed=1)
    settings.SAFEGUARD_EXTRACT_MAX_BYTES = 64 * 1024
    with pytest.raises(CensusFileError, match="The file is larger than the 64 KB this system accepts"):
        read_all(_Unsized(path.read_bytes()))


# --- never a crash ------------------------------------------------------------------------------
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_any_bytes_are_read_or_refused_with_a_message(data):
    try:
        read_all(io.BytesIO(data))
    except CensusFileError as error:
        assert error.message


@settings(max_examples=150, deadline=None)
@given(st.integers(min_value=0, max_value=len(GOOD)), st.integers(min_value=0, max_value=255), st.booleans())
def test_a_census_cut_or_damaged_anywhere_is_read_or_refused_with_a_message(position, byte, cut):
    data = GOOD.encode()
    damaged = data[:position] if cut else data[:position] + bytes([byte]) + data[position + 1 :]
    try:
        with open_census(io.BytesIO(damaged)) as stream:
            for _child in stream:
                stream.take_findings()
    except CensusFileError as error:
        assert error.message
