"""Reads for personal access tokens. A user only ever sees their own tokens."""

from .models import ApiToken


def api_token_list(*, user):
    return ApiToken.objects.filter(user_id=user.pk).order_by("-created_at", "-pk")


def api_token_get(*, user, pk):
    return api_token_list(user=user).get(pk=pk)
