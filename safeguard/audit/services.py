"""Writing audit records. Reads are in selectors.py."""

from django.contrib.contenttypes.models import ContentType

from .models import AccessLog


def _partnership_id(obj):
    if obj.__class__.__name__ == "Partnership":
        return obj.pk
    if hasattr(obj, "partnership_id"):
        return obj.partnership_id
    group = getattr(obj, "group", None)
    return getattr(group, "partnership_id", None)


def access_log_record(*, user, obj, action: str) -> AccessLog:
    """Record that ``user`` viewed, downloaded or exported ``obj``."""
    return AccessLog.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        action=action,
        content_type=ContentType.objects.get_for_model(obj),
        object_pk=str(obj.pk),
        object_repr=str(obj)[:200],
        partnership_id=_partnership_id(obj),
    )
