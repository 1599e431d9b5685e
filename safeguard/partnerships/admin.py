from django.contrib import admin

from .models import Agency, Contact, Group, Membership, Partnership, Person, RoleAssignment


@admin.register(Partnership)
class PartnershipAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "local_authority_code", "is_active"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "partnership", "sector", "is_active"]
    list_filter = ["partnership", "sector"]
    search_fields = ["name"]
    list_select_related = ["partnership"]


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ["name", "partnership", "kind", "reports_to"]
    list_filter = ["partnership", "kind"]
    list_select_related = ["partnership", "reports_to"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["family_name", "given_name", "partnership", "agency"]
    list_filter = ["partnership"]
    search_fields = ["family_name", "given_name", "email"]
    list_select_related = ["partnership", "agency"]
    raw_id_fields = ["user"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["person", "group", "role", "start_date", "end_date"]
    list_filter = ["group__partnership", "role"]
    list_select_related = ["person", "group"]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "partnership", "role", "agency", "start_date", "end_date"]
    list_filter = ["partnership", "role"]
    list_select_related = ["user", "partnership", "agency"]
    raw_id_fields = ["user"]


admin.site.register(Contact)
admin.site.site_header = "Safeguard administration"
