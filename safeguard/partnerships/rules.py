"""Object permissions for the partnerships module (django-rules).

``partnerships.manage_record`` is asked with a Partnership or any object that has ``partnership``.
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
    if hasattr(obj, "group"):
        return obj.group.partnership_id
    return None


@rules.predicate
def can_manage_partnership_records(user, obj=None) -> bool:
    return has_capability(user, _partnership_id(obj), Capability.MANAGE_PARTNERSHIP)


@rules.predicate
def can_view_workspace(user, obj=None) -> bool:
    return has_capability(user, _partnership_id(obj), Capability.VIEW_WORKSPACE)


@rules.predicate
def can_manage_roles(user, obj=None) -> bool:
    return has_capability(user, _partnership_id(obj), Capability.MANAGE_ROLES)


rules.add_perm("partnerships.view_records", can_view_workspace)
rules.add_perm("partnerships.manage_record", can_manage_partnership_records)
rules.add_perm("partnerships.manage_roles", can_manage_roles)
rules.add_perm("partnerships.create_partnership", rules.is_superuser)
