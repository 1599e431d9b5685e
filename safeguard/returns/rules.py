"""Who may do what with the data set and the agencies' returns (django-rules).

- ``returns.view_dataset``: read the dashboard, definitions and published figures:
  ``indicators.view`` (every staff role and read-only).
- ``returns.manage_dataset``: define the data set, open periods, see every return, reopen and chase:
  ``returns.manage`` (the business unit and the analyst).
- ``returns.view_return`` / ``returns.edit_return``: a return is seen and filled in by the business
  unit (``returns.manage``) and by the data leads of **its own agency** (``returns.submit`` with a
  current data-lead role for that agency). A data lead never sees another agency's return, draft or
  submitted, except through the published figures.
- ``returns.submit_return``: as edit, while the return is not submitted.
"""

from __future__ import annotations

import rules
from django.utils import timezone

from safeguard.core.access import has_capability
from safeguard.core.roles import Capability, Role

from .choices import ReturnStatus

_AGENCY_CACHE = "_safeguard_data_lead_agencies"


def data_lead_agency_ids(user) -> frozenset[int]:
    """The agencies the user is a current data lead for (cached on the user for the request)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, _AGENCY_CACHE, None)
    if cached is not None:
        return cached
    from safeguard.partnerships.models import RoleAssignment

    ids = frozenset(
        RoleAssignment.objects.filter(user_id=user.pk, role=Role.AGENCY_DATA_LEAD, agency__isnull=False)
        .current(timezone.localdate())
        .values_list("agency_id", flat=True)
    )
    setattr(user, _AGENCY_CACHE, ids)
    return ids


def _partnership_id(obj):
    if obj is None:
        return None
    if obj.__class__.__name__ == "Partnership":
        return obj.pk
    return obj.partnership_id


@rules.predicate
def can_view_dataset(user, obj=None) -> bool:
    return has_capability(user, _partnership_id(obj), Capability.VIEW_INDICATORS)


@rules.predicate
def can_manage_dataset(user, obj=None) -> bool:
    return has_capability(user, _partnership_id(obj), Capability.MANAGE_RETURNS)


@rules.predicate
def is_data_lead_for(user, agency_return) -> bool:
    """The user leads on data for the return's agency (and holds the capability to submit)."""
    if agency_return is None:
        return has_capability(user, None, Capability.SUBMIT_RETURNS)
    return agency_return.agency_id in data_lead_agency_ids(user) and has_capability(
        user, agency_return.partnership_id, Capability.SUBMIT_RETURNS
    )


@rules.predicate
def is_open(user, agency_return) -> bool:
    return agency_return is not None and agency_return.status != ReturnStatus.SUBMITTED


can_view_return = can_manage_dataset | is_data_lead_for
can_edit_return = can_view_return & is_open

rules.add_perm("returns.view_dataset", can_view_dataset)
rules.add_perm("returns.manage_dataset", can_manage_dataset)
rules.add_perm("returns.view_return", can_view_return)
rules.add_perm("returns.edit_return", can_edit_return)
rules.add_perm("returns.reopen_return", can_manage_dataset)
