from django.contrib import admin

from .models import CalendarDay, ClosureDay


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """Read-only: the table is written by ``manage.py refresh_calendar`` from the ``holidays`` package."""

    list_display = ["date", "is_working", "working_index", "holiday_name"]
    list_filter = ["is_working"]
    search_fields = ["holiday_name"]
    date_hierarchy = "date"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ClosureDay)
class ClosureDayAdmin(admin.ModelAdmin):
    list_display = ["date", "partnership", "reason"]
    list_filter = ["partnership"]
    list_select_related = ["partnership"]
    date_hierarchy = "date"
