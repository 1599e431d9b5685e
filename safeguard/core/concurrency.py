"""Optimistic locking: two people editing the same record never overwrite each other silently.

Edit forms carry the version the user started from. ``save_versioned`` saves only if the row still
has that version, in one UPDATE ... WHERE version = n, and bumps it; otherwise it raises
``ConcurrentEditError`` and nothing is written.
"""

from __future__ import annotations

import contextlib

from django.db import transaction


class ConcurrentEditError(Exception):
    def __init__(self, obj, current_version: int | None, changed_by: str | None):
        self.obj = obj
        self.current_version = current_version
        self.changed_by = changed_by
        who = changed_by or "someone else"
        super().__init__(
            f"{who} changed this record after you opened it, so your changes have not been saved. "
            "Your changes are still in the form: check the current version, then save again."
        )


def save_versioned(obj, *, expected_version: int, by, fields: list[str]) -> None:
    """Save ``fields`` of ``obj`` if its stored version is still ``expected_version``.

    The row is locked (SELECT ... FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE transactions
    serialise writers) so the check and the write cannot interleave with another save.
    """
    model = type(obj)
    obj.full_clean()
    with transaction.atomic():
        current = (
            model._default_manager.select_for_update().filter(pk=obj.pk).values("version", "updated_by_id").first()
        )
        if current is None or current["version"] != expected_version:
            changed_by = None
            if current and current["updated_by_id"]:
                from django.contrib.auth import get_user_model

                editor = get_user_model().objects.filter(pk=current["updated_by_id"]).first()
                changed_by = editor.get_full_name() if editor else None
            raise ConcurrentEditError(obj, current["version"] if current else None, changed_by)
        obj.version = expected_version + 1
        obj.updated_by = by if by is not None and by.is_authenticated else None
        with audit_actor(by):
            obj.save(update_fields=[*fields, "version", "updated_by", "updated_at"])


def audit_actor(by):
    """Attribute django-auditlog entries to ``by`` (also outside a web request: API, tasks, shell)."""
    from auditlog.context import set_actor

    if by is not None and getattr(by, "is_authenticated", False):
        return set_actor(by)
    return contextlib.nullcontext()


def save_new(obj, *, by) -> None:
    """Validate and insert a new record, attributing its audit entry to ``by``."""
    obj.full_clean()
    with audit_actor(by):
        obj.save()
