"""Installation administrators' view of statutory extracts: what was imported, by whom, with what
outcome. Extracts are made only by the import (workspace upload or ``manage.py import_cin_census``),
so they are read-only here; deleting one removes its child-level rows and findings.

Child-level records are deliberately not registered: they are read only in the workspace, by the
partnership's analysts, with every read written to the access log.
"""

from django.contrib import admin

from .models import Extract


@admin.register(Extract)
class ExtractAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "partnership",
        "kind",
        "local_authority_code",
        "collection_year",
        "status",
        "is_current",
        "children_count",
        "error_count",
        "query_count",
        "created_at",
    ]
    list_filter = ["kind", "status", "is_current", "collection_year", "partnership"]
    list_select_related = ["partnership"]
    date_hierarchy = "created_at"
    fields = [
        "partnership",
        "kind",
        "local_authority_code",
        "collection_year",
        "reference_date",
        "period_start",
        "period_end",
        "source",
        "original_filename",
        "size_bytes",
        "sha256",
        "locality_lookup_name",
        "uploaded_by",
        "status",
        "is_current",
        "failure_message",
        "bytes_read",
        "children_read",
        "children_count",
        "error_count",
        "query_count",
        "finding_counts",
        "timings",
        "started_at",
        "finished_at",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
