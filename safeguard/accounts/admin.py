from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .mfa import user_require_mfa_reenrolment
from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_active", "is_staff", "last_login"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Name", {"fields": ("first_name", "last_name")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "mfa_reenrol_required")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    actions = ["require_mfa_reenrolment"]

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: audit rows refer to users

    @admin.action(description="Require two-factor re-enrolment (removes their authenticators)")
    def require_mfa_reenrolment(self, request, queryset):
        for user in queryset:
            user_require_mfa_reenrolment(user=user)
        messages.success(request, f"{queryset.count()} user(s) must set up two-factor authentication again.")
