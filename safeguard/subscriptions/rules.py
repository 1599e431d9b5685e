"""Object permissions of the subscriptions module (django-rules).

``subscriptions.manage`` is asked with a Subscriber (its partnership), a Release (the partnership
that owns its manual or any that adopted it: each business unit acts on its own subscribers' e-mails)
or nothing (any partnership).
"""

import rules

from safeguard.core.access import has_capability
from safeguard.core.roles import Capability


@rules.predicate
def can_manage_subscriptions(user, obj=None) -> bool:
    cap = Capability.MANAGE_SUBSCRIPTIONS
    if obj is None:
        return has_capability(user, None, cap)
    if hasattr(obj, "manual"):  # a release
        ids = [obj.manual.partnership_id, *obj.manual.adopted_by.values_list("pk", flat=True)]
        return any(has_capability(user, pk, cap) for pk in ids)
    return has_capability(user, getattr(obj, "partnership_id", None), cap)


rules.add_perm("subscriptions.manage", can_manage_subscriptions)
