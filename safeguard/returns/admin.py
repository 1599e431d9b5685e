"""Installation administrators' view of the data set and the returns. Figures are entered and
submitted in the workspace (where they are checked), so returns, submissions, figures and e-mails
are read-only here: a submission is a record of what was sent and is never edited."""

from django.contrib import admin

from .models import (
    AgencyReturn,
    Commentary,
    DataSetFigure,
    DataSetIndicator,
    DataSetSettings,
    EscalationContact,
    ReportingPeriod,
    ReturnEmail,
    ReturnSubmission,
    ReturnValue,
    Theme,
)


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DataSetSettings)
class DataSetSettingsAdmin(admin.ModelAdmin):
    list_display = ["partnership", "due_days_after_period", "reminder_days_before", "chase_days_after"]
    list_select_related = ["partnership"]
    readonly_fields = ["version", "updated_by"]


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "partnership", "kind", "position", "is_active"]
    list_filter = ["kind", "is_active", "partnership"]
    list_select_related = ["partnership"]
    search_fields = ["name"]
    readonly_fields = ["version", "updated_by"]


@admin.register(DataSetIndicator)
class DataSetIndicatorAdmin(admin.ModelAdmin):
    list_display = ["title", "code", "partnership", "theme", "source", "agency", "unit", "period_kind", "is_active"]
    list_filter = ["source", "unit", "period_kind", "is_active", "partnership"]
    list_select_related = ["partnership", "theme", "agency"]
    search_fields = ["title", "code", "registry_code"]
    raw_id_fields = ["theme", "agency", "owner_group"]
    readonly_fields = ["version", "updated_by"]


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(admin.ModelAdmin):
    list_display = ["label", "partnership", "kind", "start", "end", "due_date"]
    list_filter = ["kind", "partnership"]
    list_select_related = ["partnership"]
    readonly_fields = ["partnership", "kind", "start", "end", "label"]

    def has_add_permission(self, request):
        return False  # periods are opened in the workspace, which also gives the agencies their returns


class ReturnValueInline(admin.TabularInline):
    model = ReturnValue
    fields = ["indicator", "locality", "value", "denominator", "not_available", "not_available_reason", "comment"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class ReturnSubmissionInline(admin.TabularInline):
    model = ReturnSubmission
    fields = ["number", "submitted_at", "submitted_by", "via"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(AgencyReturn)
class AgencyReturnAdmin(_ReadOnly):
    list_display = ["agency", "period", "partnership", "status", "due_date", "submitted_at"]
    list_filter = ["status", "partnership"]
    list_select_related = ["agency", "period", "partnership"]
    search_fields = ["agency__name", "period__label"]
    inlines = [ReturnValueInline, ReturnSubmissionInline]


@admin.register(ReturnSubmission)
class ReturnSubmissionAdmin(_ReadOnly):
    list_display = ["agency_return", "number", "submitted_at", "submitted_by", "via"]
    list_select_related = ["agency_return__agency", "agency_return__period", "submitted_by"]


@admin.register(DataSetFigure)
class DataSetFigureAdmin(_ReadOnly):
    list_display = ["indicator", "period", "locality", "value", "not_available", "source_return"]
    list_filter = ["not_available", "partnership"]
    list_select_related = ["indicator", "period", "locality"]


@admin.register(ReturnEmail)
class ReturnEmailAdmin(_ReadOnly):
    list_display = ["agency_return", "stage", "status", "created_at", "sent_at", "recipients"]
    list_filter = ["stage", "status"]
    list_select_related = ["agency_return__agency", "agency_return__period"]


@admin.register(Commentary)
class CommentaryAdmin(admin.ModelAdmin):
    list_display = ["indicator", "period", "group"]
    list_select_related = ["indicator", "period", "group"]
    raw_id_fields = ["indicator", "period", "group"]
    readonly_fields = ["version", "updated_by"]


@admin.register(EscalationContact)
class EscalationContactAdmin(admin.ModelAdmin):
    list_display = ["agency", "person", "partnership"]
    list_select_related = ["agency", "person", "partnership"]
    raw_id_fields = ["agency", "person"]
    readonly_fields = ["version", "updated_by"]
