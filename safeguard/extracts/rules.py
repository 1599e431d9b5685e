"""Object permissions for statutory extracts (django-rules).

- ``extracts.view_extract``: the list, an extract's summary and its counts by rule: any workspace
  role in the extract's partnership.
- ``extracts.import_extract``: upload a file: roles with ``extracts.import`` (the analyst role).
- ``extracts.view_child_data``: anything naming a child (findings with LAchildIDs, their downloads,
  a child's record): roles with ``extracts.view_child_data`` (the analyst role). Every such read is
  written to the access log.

Each is asked with an ``Extract``, a ``CensusChild`` or a ``Partnership`` (or nothing: "in any
partnership").
"""

import rules

from safeguard.core.access import has_capability
from safeguard.core.roles import Capability


def _partnership_id(obj):
    if obj is None:
        return None
    if obj.__class__.__name__ == "Partnership":
        return obj.pk
    if hasattr(obj, "partnership_id"):
        return obj.partnership_id
    return obj.extract.partnership_id  # a child-level record


@rules.predicate
def can_view_extracts(user, obj=None) -> bool:
    return has_capability(user, _partnership_id(obj), Capability.VIEW_WORKSPACE)


@rules.predicate
def can_import_extracts(user, obj=None) -> bool:
    return has_capability(user, _partnership_id(obj), Capability.IMPORT_EXTRACTS)


@rules.predicate
def can_view_child_data(user, obj=None) -> bool:
    return has_capability(user, _partnership_id(obj), Capability.VIEW_CHILD_DATA)


rules.add_perm("extracts.view_extract", can_view_extracts)
rules.add_perm("extracts.import_extract", can_import_extracts)
rules.add_perm("extracts.view_child_data", can_view_child_data)
