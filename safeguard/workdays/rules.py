"""Object permissions for the working-day calendar (django-rules).

- ``workdays.view_closures``: any workspace role in the partnership (everyone needs the closures).
- ``workdays.manage_closures``: add and remove closure days: roles with ``partnerships.manage``
  (business manager, business unit officer), the people who keep the partnership's records.

Both are asked with a ``ClosureDay`` or a ``Partnership``.
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
def can_view_closures(user, obj=None) -> bool:
    return has_capability(user, _partnership_id(obj), Capability.VIEW_WORKSPACE)


@rules.predicate
def can_manage_closures(user, obj=None) -> bool:
    return has_capability(user, _partnership_id(obj), Capability.MANAGE_PARTNERSHIP)


rules.add_perm("workdays.view_closures", can_view_closures)
rules.add_perm("workdays.manage_closures", can_manage_closures)
