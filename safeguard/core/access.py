"""Who may see what: the partnership scope of a user, computed once per request.

``visible_partnership_ids(user)`` is the single source every ``visible_to(user)`` queryset uses.
Superusers see every partnership (they administer the installation); everyone else sees the
partnerships where they hold a current role.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from .roles import capabilities_for

_CACHE_ATTR = "_safeguard_role_map"


def role_map(user) -> dict[int, frozenset[str]]:
    """Map of partnership id -> roles currently held, cached on the user object."""
    if user is None or not user.is_authenticated:
        return {}
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    from safeguard.partnerships.models import RoleAssignment

    today = timezone.localdate()
    result: dict[int, set[str]] = {}
    rows = RoleAssignment.objects.filter(user_id=user.pk).current(today).values_list("partnership_id", "role")
    for partnership_id, role in rows:
        result.setdefault(partnership_id, set()).add(role)
    frozen = {pid: frozenset(roles) for pid, roles in result.items()}
    setattr(user, _CACHE_ATTR, frozen)
    return frozen


def forget_roles(user) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def visible_partnership_ids(user) -> list[int] | None:
    """Partnership ids the user may see; None means every partnership (superuser)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    if user.is_superuser:
        return None
    return list(role_map(user).keys())


def has_capability(user, partnership_id: int | None, capability: str) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if partnership_id is None:
        return any(capability in capabilities_for(set(r)) for r in role_map(user).values())
    return capability in capabilities_for(set(role_map(user).get(partnership_id, frozenset())))


def partnerships_with_capability(user, capability: str) -> list[int] | None:
    if user.is_superuser:
        return None
    return [pid for pid, roles in role_map(user).items() if capability in capabilities_for(set(roles))]


def today() -> dt.date:
    return timezone.localdate()


def split_ended(items, on: dt.date) -> tuple[list, list]:
    """Split dated records (``end_date``) into (still running or upcoming, ended before ``on``)."""
    running, ended = [], []
    for item in items:
        (ended if item.end_date is not None and item.end_date < on else running).append(item)
    return running, ended
