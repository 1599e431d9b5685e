"""Personal access tokens for the API: scoped, hashed at rest, revocable, expiring."""

from django.conf import settings
from django.db import models


class TokenScope(models.TextChoices):
    READ = "read", "Read only"
    WRITE = "write", "Read and write"


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, for example 'Power BI refresh'.")
    prefix = models.CharField(max_length=12, unique=True)  # shown to the user to recognise the token
    key_hash = models.CharField(max_length=64, unique=True)  # SHA-256 of the secret; the secret is never stored
    scope = models.CharField(max_length=10, choices=TokenScope.choices, default=TokenScope.READ)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "-created_at"], name="apitoken_user")]  # token list page

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
