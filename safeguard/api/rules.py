"""Object permissions for API tokens (django-rules).

``api.manage_tokens``: the user holds a role with the ``api.use`` capability in at least one
partnership. Which tokens they see is decided by the selector: only their own.
"""

import rules

from safeguard.core.access import has_capability
from safeguard.core.roles import Capability


@rules.predicate
def can_use_api(user, obj=None) -> bool:
    return has_capability(user, None, Capability.USE_API)


rules.add_perm("api.manage_tokens", can_use_api)
