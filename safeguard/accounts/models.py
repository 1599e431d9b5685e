"""User accounts: one login per person, identified by e-mail address."""

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person who signs in. Roles per partnership are in ``partnerships.RoleAssignment``.

    Users are deactivated, never deleted: audit rows refer to them and cannot be changed.
    """

    username = None
    email = models.EmailField("e-mail address", unique=True)
    mfa_reenrol_required = models.BooleanField(
        "must set up two-factor authentication again",
        default=False,
        help_text="Set by an administrator, for example after a lost phone. The user's existing "
        "authenticators are removed and they must enrol a new one at their next sign-in.",
    )
    demo_account = models.BooleanField(default=False, help_text="Demo user: may skip MFA in demo mode only.")

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        ordering = ["last_name", "first_name", "email"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email
