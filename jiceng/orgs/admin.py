from django.contrib import admin

from jiceng.orgs.models import CommitteePost, Department, Org, PartTimeMember, ResidentUnit


class ReadOnlyAdmin(admin.ModelAdmin):
    """Writes go through the services (the org pages), which validate and audit them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Org)
class OrgAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "org_type", "category", "area_path", "total_members", "child_count", "is_active"]
    list_filter = ["org_type", "category", "is_active"]
    search_fields = ["code", "name"]


@admin.register(CommitteePost)
class CommitteePostAdmin(ReadOnlyAdmin):
    list_display = ["org", "post", "holder_name", "start_on", "end_on", "vacant_since"]
    list_filter = ["post"]
    search_fields = ["org__code", "org__name", "holder_name"]
    list_select_related = ["org"]


@admin.register(PartTimeMember)
class PartTimeMemberAdmin(ReadOnlyAdmin):
    list_display = ["org", "role", "person_name", "unit", "start_on", "end_on"]
    list_filter = ["role"]
    list_select_related = ["org", "unit"]


@admin.register(ResidentUnit)
class ResidentUnitAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "area_path", "party_org"]
    list_filter = ["kind"]
    search_fields = ["name", "area_path"]
    list_select_related = ["party_org"]


@admin.register(Department)
class DepartmentAdmin(ReadOnlyAdmin):
    list_display = ["name", "level", "area_path"]
    list_filter = ["level"]
    search_fields = ["name"]
