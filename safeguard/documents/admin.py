"""Installation administrators' view of the library. Files are uploaded in the workspace (where
they are checked), so versions are read-only here."""

from django.contrib import admin

from .models import Document, DocumentVersion, ReviewReminder


class DocumentVersionInline(admin.TabularInline):
    model = DocumentVersion
    fields = ["number", "original_filename", "content_type", "size", "change_note", "uploaded_by", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "partnership", "category", "visibility", "status", "review_date"]
    list_filter = ["category", "visibility", "status", "partnership"]
    list_select_related = ["partnership"]
    search_fields = ["title", "slug"]
    raw_id_fields = ["owner"]
    readonly_fields = ["slug", "current_version", "archived_at", "version", "updated_by"]
    inlines = [DocumentVersionInline]


@admin.register(DocumentVersion)
class DocumentVersionAdmin(admin.ModelAdmin):
    list_display = ["document", "number", "content_type", "size", "created_at"]
    list_select_related = ["document"]
    readonly_fields = [
        "document",
        "number",
        "file",
        "original_filename",
        "content_type",
        "size",
        "sha256",
        "change_note",
        "uploaded_by",
    ]

    def has_add_permission(self, request):
        return False


@admin.register(ReviewReminder)
class ReviewReminderAdmin(admin.ModelAdmin):
    list_display = ["document", "stage", "review_date", "sent_at", "recipient_count"]
    list_filter = ["stage"]
    list_select_related = ["document"]
    readonly_fields = ["document", "stage", "review_date", "sent_at", "recipient_count"]

    def has_add_permission(self, request):
        return False
