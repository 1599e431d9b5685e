import rules

from safeguard.core.access import has_capability
from safeguard.core.roles import Capability


@rules.predicate
def can_view_audit(user, obj=None) -> bool:
    return has_capability(user, None, Capability.VIEW_AUDIT)


rules.add_perm("audit.view_log", can_view_audit)
