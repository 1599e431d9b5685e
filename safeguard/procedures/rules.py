"""Object permissions for the procedures manual (django-rules).

The business unit of the partnership that **owns** a manual edits it (``procedures.edit``);
reviewers (board members, QA officers and the business unit) see drafts, diffs and release
previews (``procedures.review``). Partnerships that adopted a manual read it on their public site.
"""

import rules

from safeguard.core.access import has_capability
from safeguard.core.roles import Capability


def owning_partnership_id(obj) -> int | None:
    """The partnership that owns the manual an object belongs to."""
    name = type(obj).__name__
    if name == "Manual":
        return obj.partnership_id
    if name in {"Section", "Chapter", "Release"}:
        return obj.manual.partnership_id
    if name == "ChapterVersion":
        return obj.chapter.manual.partnership_id
    if name == "ReleaseChange":
        return obj.release.manual.partnership_id
    return None


@rules.predicate
def can_edit_procedures(user, obj=None) -> bool:
    return has_capability(user, owning_partnership_id(obj) if obj is not None else None, Capability.EDIT_PROCEDURES)


@rules.predicate
def can_review_procedures(user, obj=None) -> bool:
    return has_capability(user, owning_partnership_id(obj) if obj is not None else None, Capability.REVIEW_PROCEDURES)


rules.add_perm("procedures.edit", can_edit_procedures)
rules.add_perm("procedures.review", can_review_procedures)
