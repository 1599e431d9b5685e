"""Object permissions for the documents library (django-rules).

- ``documents.view_document``: any workspace role in the document's partnership (every staff role).
- ``documents.manage_document``: add, re-upload, edit, archive: roles with ``documents.manage``
  (business manager, business unit officer, quality assurance officer, training coordinator).

Both are asked with a ``Document`` (or a ``Partnership`` for "may add a document here").
"""

import rules

from safeguard.core.access import has_capability
from safeguard.core.roles import Capability


def _partnership_id(obj):
    if obj is None:
        return None
    if obj.__class__.__name__ == "Partnership":
        return obj.pk
    return obj.partnership_id


@rules.predicate
def can_view_documents(user, obj=None) -> bool:
    return has_capability(user, _partnership_id(obj), Capability.VIEW_WORKSPACE)


@rules.predicate
def can_manage_documents(user, obj=None) -> bool:
    return has_capability(user, _partnership_id(obj), Capability.MANAGE_DOCUMENTS)


rules.add_perm("documents.view_document", can_view_documents)
rules.add_perm("documents.manage_document", can_manage_documents)
