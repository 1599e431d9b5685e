"""Installation administrators see subscriptions read-only: changes go through the public links
and the workspace pages, which keep the exactly-once rules."""

from django.contrib import admin

from .models import Delivery, Subscriber


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Subscriber)
class SubscriberAdmin(_ReadOnly):
    list_display = ["pk", "partnership", "status", "created_at", "confirmed_at", "unsubscribed_at"]
    list_filter = ["status", "partnership"]
    list_select_related = ["partnership"]
    exclude = ["address_key"]


@admin.register(Delivery)
class DeliveryAdmin(_ReadOnly):
    list_display = ["pk", "release", "subscriber_id", "status", "attempts", "next_attempt_at", "sent_at"]
    list_filter = ["status"]
    list_select_related = ["release"]
    exclude = ["address_key"]
