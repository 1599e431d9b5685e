"""Read-only admin for how workbooks were read. The child-level row tables are deliberately not in
the admin: they are seen only through the analyst's pages, where every read is logged."""

from django.contrib import admin

from .models import AnnexASheet


@admin.register(AnnexASheet)
class AnnexASheetAdmin(admin.ModelAdmin):
    list_display = ["extract", "position", "name", "list_number", "status", "rows"]
    list_filter = ["status", "list_number"]
    list_select_related = ["extract", "extract__partnership"]
    search_fields = ["name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
