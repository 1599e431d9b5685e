"""Read a CIN census XML file as a stream of typed records, safely and in bounded memory.

Source of the format: DfE, "Children in need census 2025 to 2026: guide" and its XML schema; the
element tree the parser checks against is ``schema.py`` (with the differences of older years).

Usage (what the import does)::

    with open_census(path, on_progress=report) as stream:
        header = stream.header                  # read when the stream is opened
        for child in stream:                    # one ChildRecord per <Child>
            ...
            findings = stream.take_findings()   # structural findings so far (XML01...), drained

How it reads
------------
- A first look at the start of the file (``_sniff``) refuses what is not a census at all, with a
  message saying what the file seems to be: empty, a PDF, a spreadsheet or other zip file, not XML,
  a DOCTYPE (a census never has one; refusing it stops entity-expansion "billion laughs" and external
  entity attacks before they start), a root element other than ``<Message>``, or a namespace.
- Then ``lxml.etree.iterparse`` streams the file with start/end events for the few elements that
  frame the census (Message, Header, Children, Child) only, so libxml2 does the per-element work in
  C. Each ``<Child>`` is walked once against the schema when it ends, turned into a ``ChildRecord``,
  then cleared and its preceding siblings deleted: memory stays bounded whatever the file size.
- libxml2 runs with ``resolve_entities=False``, ``no_network=True``, ``load_dtd=False`` and
  ``huge_tree=False`` (which caps nesting depth and the size of one text node).
- Every read goes through ``_Reader``, which counts bytes (for progress), refuses a file over
  ``settings.SAFEGUARD_EXTRACT_MAX_BYTES`` even when its size was not known beforehand, and refuses a
  single record larger than ``MAX_RECORD_BYTES`` (no real child record comes close; without the cap a
  hostile file could make one "record" the size of the whole file).

Every fatal problem raises ``CensusFileError`` with a plain-English message and, where known, the
line: never a stack trace. Problems within a record that is otherwise readable become structural
findings (``schema.STRUCTURE_CHECKS``) and the value reaches the rules as missing.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Callable, Iterator
from typing import BinaryIO

from lxml import etree

from . import schema
from .codes import GENDER_CURRENT_TO_SEX
from .records import CensusHeader, ChildRecord
from .validation import ERROR, FindingRecord

#: The largest single ``<Child>`` (or the header, or anything between two children) we accept. A
#: child with many episodes, plans and reviews is a few kilobytes.
MAX_RECORD_BYTES = 8 * 1024 * 1024
#: How much of the start of the file the first look reads to find the root element.
SNIFF_BYTES = 64 * 1024
MAX_SNIFF_BYTES = 1024 * 1024
READ_CHUNK = 256 * 1024
DEFAULT_MAX_BYTES = 500 * 1024 * 1024

# The value kinds, compared by identity in the hot loop (``_Node.kind`` holds these very objects).
_DATE, _BOOLEAN, _CODE, _TEXT = schema.DATE, schema.BOOLEAN, schema.CODE, schema.TEXT
_NON_NEGATIVE_INTEGER = schema.NON_NEGATIVE_INTEGER
_FRAME_TAGS = (schema.ROOT_TAG, schema.HEADER_TAG, schema.CHILDREN_TAG, schema.CHILD_TAG)
_SHOWN_VALUE = 40  # characters of an unreadable value quoted back in a finding
MAX_FIELD = 60  # a finding's field (an element name) is stored in a column this long


class CensusFileError(Exception):
    """The file cannot be read as a CIN census at all. ``message`` says what is wrong and how to fix
    it, ``line`` where (or None)."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line

    def __str__(self) -> str:
        return self.message


# --- reading bytes ------------------------------------------------------------------------------
class _TooLarge(Exception):
    pass


class _RecordTooLarge(Exception):
    pass


class _Reader:
    """A file-like wrapper that lxml reads through: counts bytes and lines, enforces the limits, and
    replays the bytes the first look already read."""

    __slots__ = ("_raw", "_replay", "at_eof", "count", "limit", "mark", "newlines")

    def __init__(self, raw: BinaryIO, limit: int):
        self._raw = raw
        self._replay = b""
        self.count = 0
        self.newlines = 0
        self.at_eof = False
        self.limit = limit
        self.mark = 0

    def _pull(self, size: int) -> bytes:
        data = self._raw.read(size)
        if not data:
            self.at_eof = True
            return b""
        if not isinstance(data, bytes):
            data = bytes(data)
        self.count += len(data)
        self.newlines += data.count(b"\n")
        if self.count > self.limit:
            raise _TooLarge
        if self.count - self.mark > MAX_RECORD_BYTES + READ_CHUNK:
            raise _RecordTooLarge
        return data

    def head(self, size: int) -> bytes:
        """Read up to ``size`` more bytes for the first look; they are replayed to the parser."""
        data = self._pull(size)
        self._replay += data
        return self._replay

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = READ_CHUNK
        if self._replay:
            data, self._replay = self._replay[:size], self._replay[size:]
            return data
        return self._pull(size)


# --- converting values --------------------------------------------------------------------------
_BAD = object()  # a value that could not be read
_BOOLEANS = {"true": True, "false": False, "1": True, "0": False}


class _DateCache(dict):
    """ISO date strings already converted. Cleared when large, so a hostile file cannot grow it."""

    __slots__ = ()
    LIMIT = 20_000

    def convert(self, text: str):
        if len(text) != 10 or text[4] != "-" or text[7] != "-":
            return _BAD
        try:
            value = dt.date.fromisoformat(text)
        except ValueError:
            return _BAD
        if len(self) >= self.LIMIT:
            self.clear()
        self[text] = value
        return value


def _to_bool(text: str):
    value = _BOOLEANS.get(text)
    if value is None:
        value = _BOOLEANS.get(text.lower(), _BAD)
    return value


def _to_int(text: str):
    digits = text[1:] if text[:1] in "+-" else text
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 9:
        return _BAD
    return int(text)


def _to_non_negative_int(text: str):
    if not (text.isascii() and text.isdigit()) or len(text) > 9:
        return _BAD
    return int(text)


# --- the compiled schema ------------------------------------------------------------------------
class _Node:
    """One schema element prepared for the walk: dispatch by tag, no per-element lookups of specs."""

    __slots__ = (
        "attr",
        "empty",
        "is_group",
        "kind",
        "label",
        "max_length",
        "members",
        "missing_rule",
        "record",
        "repeats",
        "required",
        "required_tags",
        "special",
        "tag",
    )

    def __init__(self, spec: schema.Leaf | schema.Group):
        self.tag = spec.tag
        self.attr = spec.attr
        self.required = spec.required
        self.repeats = spec.repeats
        self.missing_rule = spec.missing_rule
        self.is_group = isinstance(spec, schema.Group)
        self.special = ""
        if self.is_group:
            self.kind = ""
            self.max_length = None
            self.record = spec.record
            self.members = {m.tag: _Node(m) for m in spec.members}
            self.required_tags = frozenset(m.tag for m in spec.members if m.required and not m.missing_rule)
            self.empty = None
        else:
            self.kind = spec.kind
            self.max_length = spec.max_length
            self.record = None
            self.members = {}
            self.required_tags = frozenset()
            self.empty = "" if spec.kind in (schema.CODE, schema.TEXT) else None
            if spec.tag == "GenderCurrent":
                self.special = "gender"
            elif spec.tag == "CPPreviewDate":
                self.special = "review"
        self.label = f"<{spec.tag}>"


def _display_tag(tag) -> str:
    if not isinstance(tag, str):
        return "an XML entity or other non-element node"
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return f"<{local}> (in the XML namespace {namespace})"
    return f"<{tag}>"


def _shown(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _SHOWN_VALUE else text[: _SHOWN_VALUE - 1] + "…"


def _leading_newlines(text: str) -> int:
    return text[: len(text) - len(text.lstrip())].count("\n")


def _tail_line(el, tail: str) -> int:
    """The line where the text after ``el`` starts (exact after a leaf; after a group, where the group
    starts, as libxml2 does not keep end lines)."""
    line = el.sourceline or 0
    if not len(el) and el.text:
        line += el.text.count("\n")
    return line + _leading_newlines(tail)


class _Walker:
    """Turns a parsed element (Header or Child) into its record, collecting structural findings."""

    def __init__(self, findings: list[FindingRecord], year: int):
        self.findings = findings
        self.year = year
        self.dates = _DateCache()

    def finding(self, code: str, message: str, field: str, line: int | None) -> None:
        fix = schema.STRUCTURE_CHECKS[code][1]
        self.findings.append(FindingRecord(code, ERROR, message, fix, field[:MAX_FIELD], line, ""))

    def unexpected(self, sub, parent: _Node) -> None:
        tag = sub.tag
        shown = _display_tag(tag)
        hint = schema.MOVED.get(tag) if isinstance(tag, str) else None
        census = f"the {self.year - 1}-{self.year % 100:02d} census"
        if hint:
            message = f"{shown} is not part of {parent.label} in {census}: {hint}."
        else:
            message = f"{shown} is not part of {parent.label} in a CIN census file, so it was not read."
        self.finding("XML01", message, tag if isinstance(tag, str) else "", sub.sourceline)

    def stray_text(self, text: str, parent: _Node, line: int | None) -> None:
        self.finding(
            "XML08",
            f"There is text ('{_shown(text)}') inside {parent.label} between its elements; it was not read.",
            parent.tag,
            line,
        )

    def fill(self, el, node: _Node, rec) -> None:
        """Read the members of ``el`` (described by ``node``) into ``rec``.

        The hot loop of the parser: it runs once per element, so it reads each lxml property once and
        converts the common values (dates seen before, codes) inline. ``rec.lines`` doubles as the
        record of which members were seen (tags are distinct within a record)."""
        members = node.members
        lines = rec.lines
        dates = self.dates
        text = el.text
        if text is not None and not text.isspace():
            self.stray_text(text, node, el.sourceline + _leading_newlines(text))
        for sub in el:
            tag = sub.tag
            member = members.get(tag)
            tail = sub.tail
            if tail is not None and not tail.isspace():
                self.stray_text(tail, node, _tail_line(sub, tail))
            if member is None:
                self.unexpected(sub, node)
                continue
            line = sub.sourceline
            if not member.repeats:
                if tag in lines:
                    self.finding(
                        "XML07",
                        f"{member.label} appears more than once in {node.label}; only the first one was read.",
                        tag,
                        line,
                    )
                    continue
                lines[tag] = line
            if member.is_group:
                record = member.record
                if record is None:  # a wrapper: its members fill this record
                    self.fill(sub, member, rec)
                else:
                    inner = record(line=line)
                    self.fill(sub, member, inner)
                    if member.repeats:
                        getattr(rec, member.attr).append(inner)
                    else:
                        setattr(rec, member.attr, inner)
                continue
            # a leaf
            if len(sub):
                for nested in sub:
                    self.unexpected(nested, member)
            text = sub.text
            kind = member.kind
            if text is None:
                value = self.empty_value(member, line)
            elif kind is _DATE:
                value = dates.get(text)
                if value is None:
                    value = self.value(text, member, line)
            elif kind is _CODE and text.isalnum() and (member.max_length is None or len(text) <= member.max_length):
                value = text  # the common case: a clean code
            else:
                value = self.value(text, member, line)
            attr = member.attr
            if member.repeats:
                getattr(rec, attr).append(value)
                if member.special == "review":
                    rec.review_lines.append(line)
                if tag not in lines:
                    lines[tag] = line
            elif attr:
                setattr(rec, attr, value)
                if member.special == "gender":
                    rec.sex = GENDER_CURRENT_TO_SEX.get(value, "")
                    lines["Sex"] = line
            elif hasattr(rec, "values"):
                rec.values[tag] = value
        required = node.required_tags
        if required and not required <= lines.keys():
            for tag in sorted(required - lines.keys()):
                self.finding("XML02", f"{node.label} has no <{tag}>: the census requires it.", tag, el.sourceline)

    def value(self, text: str, member: _Node, line: int):
        """The typed value of a leaf's text (the member's empty value when blank or unreadable)."""
        text = text.strip()
        if not text:
            return self.empty_value(member, line)
        kind = member.kind
        if kind is _DATE:
            value = self.dates.get(text) or self.dates.convert(text)
            if value is _BAD:
                self.finding(
                    "XML03",
                    f"{member.label} is '{_shown(text)}', which is not a date written as YYYY-MM-DD.",
                    member.tag,
                    line,
                )
                return None
            return value
        if kind is _CODE or kind is _TEXT:
            if member.max_length is not None and len(text) > member.max_length:
                self.finding(
                    "XML06",
                    f"{member.label} is {len(text)} characters long; it can hold at most {member.max_length}.",
                    member.tag,
                    line,
                )
                return ""
            return text
        if kind is _BOOLEAN:
            value = _to_bool(text)
            if value is _BAD:
                self.finding(
                    "XML04",
                    f"{member.label} is '{_shown(text)}', which is not true or false (or 1 or 0).",
                    member.tag,
                    line,
                )
                return None
            return value
        value = _to_non_negative_int(text) if kind is _NON_NEGATIVE_INTEGER else _to_int(text)
        if value is _BAD:
            what = "a whole number of 0 or more" if kind is _NON_NEGATIVE_INTEGER else "a whole number"
            self.finding("XML05", f"{member.label} is '{_shown(text)}', which is not {what}.", member.tag, line)
            return None
        return value

    def empty_value(self, member: _Node, line: int):
        if member.required and not member.missing_rule:
            self.finding("XML02", f"{member.label} is empty: the census requires a value.", member.tag, line)
        return member.empty


# --- the first look -----------------------------------------------------------------------------
_SIGNATURES = (
    (
        b"%PDF",
        "This is a PDF document, not a CIN census. Export the census from your case management system "
        "as an XML file and upload that.",
    ),
    (
        b"PK\x03\x04",
        "This is a zip file (an Excel .xlsx workbook or another compressed file), not a CIN census XML "
        "file. If it is an Annex A workbook, upload it on the Annex A page; if it is a zipped census, "
        "unzip it and upload the XML file inside.",
    ),
    (
        b"\xd0\xcf\x11\xe0",
        "This is an older Microsoft Office file (such as .xls or .doc), not a CIN census XML file. "
        "Export the census from your case management system as XML and upload that.",
    ),
    (
        b"\x1f\x8b",
        "This is a compressed (gzip) file. Decompress it and upload the XML file inside.",
    ),
)
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
_DOCTYPE_MARKS = tuple(
    mark.encode(encoding) for mark in ("<!DOCTYPE", "<!ENTITY") for encoding in ("ascii", "utf-16-le", "utf-16-be")
)
_DOCTYPE_MESSAGE = (
    "The file has a DOCTYPE declaration (line {line}). A CIN census file never has one, and it can be "
    "used to attack the system that reads the file, so the file was refused. Export the census again "
    "from your system, or remove the <!DOCTYPE ...> section at the top of the file."
)
_NOT_XML = (
    "This file is not XML: a CIN census file starts with '<' (usually '<?xml' or '<Message>'). Check "
    "you chose the census XML file exported from your system."
)
_PARSER_OPTIONS = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
    # Not ``remove_blank_text``, although it saves a tenth of the parse: past line 65,535 libxml2
    # no longer stores an element's line and reads it from the node after its start tag, the blank
    # text there (a line late already for a group such as Child) or, without it, the first value
    # inside (later still), so findings about a Child or an episode would move further.
}


def _line_at(data: bytes, marker: bytes) -> int:
    return data[: data.find(marker)].count(b"\n") + 1


def _sniff(reader: _Reader) -> None:
    """Refuse what is not a census at all, from the start of the file, before the real parse."""
    head = reader.head(SNIFF_BYTES)
    if not head:
        raise CensusFileError(
            "The file is empty (0 bytes). Export the census from your system again and upload the file it makes."
        )
    for signature, message in _SIGNATURES:
        if head.startswith(signature):
            raise CensusFileError(message)
    body = head
    for bom in _BOMS:
        if body.startswith(bom):
            body = body[len(bom) :]
            break
    probe = body.lstrip(b" \t\r\n\x00")  # \x00: UTF-16 text
    if probe and probe[:1] != b"<":
        raise CensusFileError(_NOT_XML)
    pull = etree.XMLPullParser(events=("start",), **_PARSER_OPTIONS)
    fed = 0
    root = None
    while root is None:
        chunk = head[fed:]
        fed = len(head)
        try:
            if chunk:
                pull.feed(chunk)
            for _event, el in pull.read_events():
                root = el
                break
        except etree.XMLSyntaxError as exc:
            for mark in _DOCTYPE_MARKS:
                if mark in head:
                    line = _line_at(head, mark)
                    raise CensusFileError(_DOCTYPE_MESSAGE.format(line=line), line) from None
            if not head.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
                break
            raise _syntax_error(exc, reader) from None
        if root is not None:
            break
        if reader.at_eof or len(head) >= MAX_SNIFF_BYTES:
            break
        head = reader.head(SNIFF_BYTES)
    if root is None:
        if not head.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
            raise CensusFileError(
                "The file holds only blank space, no XML. Export the census from your system again and upload "
                "the file it makes."
            )
        raise CensusFileError(
            "No XML element was found at the start of the file. Check you chose the census XML file exported "
            "from your system."
        )
    docinfo = root.getroottree().docinfo
    if docinfo.doctype:
        marker = next((m for m in _DOCTYPE_MARKS if m in head), None)
        line = _line_at(head, marker) if marker else 1
        raise CensusFileError(_DOCTYPE_MESSAGE.format(line=line), line)
    tag = root.tag
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        if local == schema.ROOT_TAG:
            raise CensusFileError(
                f"The file's <{local}> element is in the XML namespace '{namespace}', but a CIN census file "
                "uses no namespace. Remove the xmlns attribute from <Message> (or export the census again).",
                root.sourceline,
            )
        raise CensusFileError(
            f"This XML file starts with <{local}> (in the namespace '{namespace}'), not <Message>: it is not "
            "a CIN census file. Check you chose the census file exported from your system.",
            root.sourceline,
        )
    if tag != schema.ROOT_TAG:
        raise CensusFileError(
            f"This XML file starts with <{tag}>, but a CIN census file starts with <Message>. Check you "
            "chose the census file exported from your system (not another return or an Annex A workbook).",
            root.sourceline,
        )


def _syntax_error(exc: etree.XMLSyntaxError, reader: _Reader) -> CensusFileError:
    line = exc.lineno or (exc.position[0] if exc.position else None)
    detail = str(exc.msg if getattr(exc, "msg", None) else exc)
    detail = detail.split(", line ")[0].strip().rstrip(".")
    last_line = reader.newlines + 1
    if "Excessive depth" in detail:
        return CensusFileError(
            f"Elements are nested more than 256 deep (line {line}). A CIN census is only a few levels deep, so "
            "this is not a census file. Check you chose the census file exported from your system.",
            line,
        )
    if "amplification" in detail or ("entity" in detail.lower() and "loop" in detail.lower()):
        return CensusFileError(_DOCTYPE_MESSAGE.format(line=line), line)
    if reader.at_eof and (
        "Premature end of data" in detail
        or "EndTag" in detail
        or (line is not None and line >= last_line - 1)
        or reader.newlines == 0
    ):
        return CensusFileError(
            f"The file stops part-way through, at line {line}: it looks cut short, for example by an "
            "interrupted export or upload. Export the census again and upload the whole file.",
            line,
        )
    return CensusFileError(
        f"The file is not well-formed XML at line {line} ({detail}). Correct the XML at that line, or export "
        "the census again from your system, and upload it again.",
        line,
    )


# --- the stream ---------------------------------------------------------------------------------
def _max_bytes() -> int:
    """``settings.SAFEGUARD_EXTRACT_MAX_BYTES``; the default when Django is not set up (a script)."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        return int(getattr(settings, "SAFEGUARD_EXTRACT_MAX_BYTES", DEFAULT_MAX_BYTES))
    except ImproperlyConfigured:
        return DEFAULT_MAX_BYTES


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f}".removesuffix(".0") + " MB"
    if n >= 1024:
        return f"{n / 1024:.1f}".removesuffix(".0") + " KB"
    return f"{n} bytes"


def _too_large_message(limit: int, size: int | None = None) -> str:
    what = f"The file is {_size(size)}, larger" if size else "The file is larger"
    return (
        f"{what} than the {_size(limit)} this system accepts for a census file. Check it is the census XML "
        "file; if it is, ask your administrator to raise SAFEGUARD_EXTRACT_MAX_BYTES."
    )


def _known_size(source) -> int | None:
    try:
        return os.fstat(source.fileno()).st_size if source.fileno() >= 0 else None
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        pass
    try:
        if source.seekable():
            here = source.tell()
            end = source.seek(0, os.SEEK_END)
            source.seek(here)
            return end - here
    except (AttributeError, OSError, ValueError):
        return None
    return None


class CensusStream:
    """An open census file: ``header`` is read, children are read as you iterate (once)."""

    header: CensusHeader
    bytes_read: int
    children_read: int

    def __init__(
        self,
        raw: BinaryIO,
        *,
        owned: bool,
        limit: int,
        on_progress: Callable[[int, int], None] | None,
        progress_every: int,
    ):
        self._raw = raw
        self._owned = owned
        self._reader = _Reader(raw, limit)
        self._on_progress = on_progress
        self._progress_every = max(1, int(progress_every))
        self._findings: list[FindingRecord] = []
        self._events = None
        self._stack: list[str] = []
        self._children_seen = False
        self._started = False
        self._closed = False
        self.children_read = 0
        self.layout_year = schema.LATEST_YEAR
        self.header = CensusHeader()
        try:
            self._open()
        except BaseException:
            self.close()
            raise

    @property
    def bytes_read(self) -> int:
        return self._reader.count

    # -- opening: the first look, then the header -------------------------------------------------
    def _open(self) -> None:
        with self._translating():
            _sniff(self._reader)
            self._events = iter(
                etree.iterparse(self._reader, events=("start", "end"), tag=_FRAME_TAGS, **_PARSER_OPTIONS)
            )
            stack = self._stack
            for event, el in self._events:
                tag = el.tag
                if event == "start":
                    stack.append(tag)
                    if tag == schema.CHILD_TAG or (tag == schema.CHILDREN_TAG and len(stack) == 2):
                        break  # children before any header
                    continue
                depth = len(stack)
                stack.pop()
                if depth == 2 and tag == schema.HEADER_TAG:
                    self._read_header(el)
                    return
                if depth == 1:
                    break  # </Message>: the file holds no header
        raise CensusFileError(
            "The file has no <Header> before its children. A CIN census starts with a Header giving the "
            "collection, year, reference date and local authority: export the census again from your system."
        )

    def _read_header(self, el) -> None:
        walker = _Walker(self._findings, schema.LATEST_YEAR)
        header = CensusHeader(line=el.sourceline)
        walker.fill(el, _HEADER_NODE, header)
        self.header = header
        year = header.year
        if year is None and header.reference_date is not None:
            ref = header.reference_date
            year = ref.year if ref.month <= 8 else ref.year + 1
        self.layout_year = schema.layout_year(year)
        self._walker = _Walker(self._findings, self.layout_year)
        self._child_node = _Node(schema.child_layout(self.layout_year))
        el.clear()
        self._reader.mark = self._reader.count

    # -- iterating ----------------------------------------------------------------------------------
    def __iter__(self) -> Iterator[ChildRecord]:
        if self._started:
            raise RuntimeError("A census stream can be read once.")
        self._started = True
        return self._children()

    def _children(self) -> Iterator[ChildRecord]:
        stack = self._stack
        reader = self._reader
        child_tag, children_tag = schema.CHILD_TAG, schema.CHILDREN_TAG
        every = self._progress_every
        with self._translating():
            for event, el in self._events:
                tag = el.tag
                if event == "start":
                    stack.append(tag)
                    if tag == children_tag and len(stack) == 2:
                        self._children_seen = True
                    continue
                depth = len(stack)
                stack.pop()
                if depth == 3 and tag == child_tag and stack[1] == children_tag:
                    record = self._read_child(el)
                    reader.mark = reader.count
                    self.children_read += 1
                    if self._on_progress is not None and self.children_read % every == 0:
                        self._on_progress(reader.count, self.children_read)
                    yield record
                elif depth == 2 and tag == children_tag:
                    self._check_leftovers(el, _CHILDREN_NODE)
                    el.clear()
                elif depth == 2 and tag == schema.HEADER_TAG:
                    self._walker.finding(
                        "XML07",
                        "<Header> appears more than once in <Message>; only the first one was read.",
                        "Header",
                        el.sourceline,
                    )
                    el.clear()
                elif depth == 1:
                    self._check_leftovers(el, _ROOT_NODE)
            if not self._children_seen:
                self._walker.finding(
                    "XML02", "<Message> has no <Children>: the file holds no children.", "Children", None
                )
        if self._on_progress is not None:
            self._on_progress(reader.count, self.children_read)
        self.close()

    def _read_child(self, el) -> ChildRecord:
        parent = el.getparent()
        while parent[0] is not el:  # anything before this Child was read, or is not a Child
            previous = parent[0]
            if previous.tag != schema.CHILD_TAG:
                self._walker.unexpected(previous, _CHILDREN_NODE)
            del parent[0]
        start = len(self._findings)
        record = ChildRecord(line=el.sourceline)
        self._walker.fill(el, self._child_node, record)
        if len(self._findings) > start and record.la_child_id:
            for finding in self._findings[start:]:
                finding.la_child_id = record.la_child_id
        el.clear()
        return record

    def _check_leftovers(self, el, node: _Node) -> None:
        """Report elements that are neither Header, Children nor Child where only those belong."""
        for sub in el:
            if sub.tag not in node.members:
                self._walker.unexpected(sub, node)

    def take_findings(self) -> list[FindingRecord]:
        """Structural findings since the last call (the list is emptied). Called once a child, so the
        common case, nothing found, returns at once."""
        findings = self._findings
        if not findings:
            return []
        taken = findings[:]
        findings.clear()  # the walker keeps appending to this very list
        return taken

    # -- errors and closing -------------------------------------------------------------------------
    def _translating(self):
        return _Translating(self)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._events = None
        if self._owned:
            self._raw.close()

    def __enter__(self) -> CensusStream:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class _Translating:
    """Turns every way a read can fail into a ``CensusFileError`` (and closes the stream)."""

    def __init__(self, stream: CensusStream):
        self.stream = stream

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None or exc_type is GeneratorExit:
            return False
        stream = self.stream
        reader = stream._reader
        if issubclass(exc_type, CensusFileError):
            stream.close()
            return False
        if issubclass(exc_type, _TooLarge):
            error = CensusFileError(_too_large_message(reader.limit))
        elif issubclass(exc_type, _RecordTooLarge):
            error = CensusFileError(
                f"More than {MAX_RECORD_BYTES // (1024 * 1024)} MB of the file (up to line {reader.newlines + 1}) "
                "holds no complete <Child> record. A census is laid out as Message, Header, Children and one "
                "Child per child, each a few kilobytes: check you chose the census file exported from your system.",
                reader.newlines + 1,
            )
        elif issubclass(exc_type, etree.XMLSyntaxError):
            error = _syntax_error(exc, reader)
        elif issubclass(exc_type, UnicodeError | LookupError):
            error = CensusFileError(
                "The file's characters could not be read in the encoding it declares. Save or export it as "
                "UTF-8 and upload it again."
            )
        elif issubclass(exc_type, OSError):
            error = CensusFileError("The file could not be read from storage. Upload it again.")
        else:
            return False
        stream.close()
        raise error from None


_HEADER_NODE = _Node(schema.HEADER)
_ROOT_NODE = _Node(schema.Group(schema.ROOT_TAG, (schema.HEADER, schema.Group(schema.CHILDREN_TAG, ()))))
_CHILDREN_NODE = _Node(schema.Group(schema.CHILDREN_TAG, (schema.Group(schema.CHILD_TAG, ()),)))


def open_census(
    source: str | os.PathLike | BinaryIO,
    *,
    on_progress: Callable[[int, int], None] | None = None,
    progress_every: int = 1000,
) -> CensusStream:
    """Open a census file (a path or a binary file object) and read its header.

    ``on_progress(bytes_read, children_read)`` is called every ``progress_every`` children and at the
    end. Raises ``CensusFileError`` when the file cannot be read as a census at all (empty, not XML,
    a DOCTYPE, the wrong root element, no Header, larger than ``SAFEGUARD_EXTRACT_MAX_BYTES``...).
    """
    limit = _max_bytes()
    if isinstance(source, str | os.PathLike):
        try:
            size = os.path.getsize(source)
            if size > limit:
                raise CensusFileError(_too_large_message(limit, size))
            raw = open(source, "rb")  # noqa: SIM115  (closed by the stream)
        except FileNotFoundError:
            raise CensusFileError("The uploaded file could not be found in storage. Upload it again.") from None
        except IsADirectoryError:
            raise CensusFileError("The path given is a folder, not a census file.") from None
        except PermissionError:
            raise CensusFileError("The file could not be opened: permission was refused. Upload it again.") from None
        owned = True
    else:
        raw = source
        owned = False
        size = _known_size(source)
        if size is not None and size > limit:
            raise CensusFileError(_too_large_message(limit, size))
    return CensusStream(raw, owned=owned, limit=limit, on_progress=on_progress, progress_every=progress_every)
