"""Differences between two versions of a chapter, for editors and reviewers.

Compared paragraph by paragraph (a Markdown block is a paragraph, heading, list item or table row),
and within a changed paragraph word by word, so a one-word correction shows as one word and not as
a whole rewritten paragraph.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class DiffBlock:
    kind: str  # "same", "added", "removed", "changed"
    html: SafeString


@dataclass(frozen=True)
class ChapterDiff:
    blocks: list[DiffBlock]
    added: int
    removed: int
    changed: int

    @property
    def identical(self) -> bool:
        return not (self.added or self.removed or self.changed)


def _blocks(text: str) -> list[str]:
    lines = [line.rstrip() for line in (text or "").replace("\r\n", "\n").split("\n")]
    return [line for line in lines if line.strip()]


def _words(old: str, new: str) -> str:
    a, b = re.findall(r"\S+|\s+", old), re.findall(r"\S+|\s+", new)
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(escape("".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(f"<del>{escape(''.join(a[i1:i2]))}</del>")
        if j2 > j1:
            out.append(f"<ins>{escape(''.join(b[j1:j2]))}</ins>")
    return "".join(out)


def chapter_diff(old_markdown: str, new_markdown: str) -> ChapterDiff:
    a, b = _blocks(old_markdown), _blocks(new_markdown)
    blocks: list[DiffBlock] = []
    added = removed = changed = 0
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            blocks.extend(DiffBlock("same", mark_safe(escape(line))) for line in a[i1:i2])
        elif op == "delete":
            removed += i2 - i1
            blocks.extend(DiffBlock("removed", mark_safe(f"<del>{escape(line)}</del>")) for line in a[i1:i2])
        elif op == "insert":
            added += j2 - j1
            blocks.extend(DiffBlock("added", mark_safe(f"<ins>{escape(line)}</ins>")) for line in b[j1:j2])
        else:  # replace: pair paragraphs up and diff words; leftovers are whole additions or removals
            old, new = a[i1:i2], b[j1:j2]
            for k in range(max(len(old), len(new))):
                if k < len(old) and k < len(new):
                    changed += 1
                    blocks.append(DiffBlock("changed", mark_safe(_words(old[k], new[k]))))
                elif k < len(old):
                    removed += 1
                    blocks.append(DiffBlock("removed", mark_safe(f"<del>{escape(old[k])}</del>")))
                else:
                    added += 1
                    blocks.append(DiffBlock("added", mark_safe(f"<ins>{escape(new[k])}</ins>")))
    return ChapterDiff(blocks, added, removed, changed)
