from django.contrib import admin

from .models import Chapter, ChapterVersion, Manual, Release, ReleaseChange, Section


@admin.register(Manual)
class ManualAdmin(admin.ModelAdmin):
    list_display = ["title", "partnership", "next_update_due"]
    list_select_related = ["partnership"]
    filter_horizontal = ["adopted_by"]


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["title", "manual", "position"]
    list_select_related = ["manual"]


@admin.register(Chapter)
class ChapterAdmin(admin.ModelAdmin):
    list_display = ["title", "manual", "section", "status"]
    list_filter = ["manual", "status"]
    list_select_related = ["manual", "section"]
    readonly_fields = ["live_version", "status"]


@admin.register(ChapterVersion)
class ChapterVersionAdmin(admin.ModelAdmin):
    list_display = ["chapter", "number", "published_at"]
    list_select_related = ["chapter"]
    readonly_fields = ["body_html", "published_at"]


class ReleaseChangeInline(admin.TabularInline):
    model = ReleaseChange
    raw_id_fields = ["chapter", "version"]
    extra = 0


@admin.register(Release)
class ReleaseAdmin(admin.ModelAdmin):
    list_display = ["title", "manual", "go_live_on", "status", "published_at"]
    list_filter = ["status", "manual"]
    list_select_related = ["manual"]
    readonly_fields = ["status", "published_at"]
    inlines = [ReleaseChangeInline]
