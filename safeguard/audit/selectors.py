"""Reads of the audit trail, scoped to what the reader may see."""

from auditlog.models import LogEntry
from django.db.models import Q

from safeguard.core.access import partnerships_with_capability
from safeguard.core.roles import Capability

from .models import AccessLog


def change_log(*, user):
    """Change history the user may read: entries about records of partnerships where they hold
    the audit capability. auditlog stores no partnership, so the scope is taken from
    ``additional_data`` (written by every registered model's ``get_additional_data``) or, for
    installation administrators, everything."""
    ids = partnerships_with_capability(user, Capability.VIEW_AUDIT)
    qs = LogEntry.objects.select_related("actor", "content_type")
    if ids is None:
        return qs
    return qs.filter(Q(additional_data__partnership_id__in=ids))


def access_log(*, user):
    ids = partnerships_with_capability(user, Capability.VIEW_AUDIT)
    qs = AccessLog.objects.select_related("user", "content_type")
    if ids is None:
        return qs
    return qs.filter(partnership_id__in=ids)
