from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction

from jiceng.accounts.models import AuditLog, RoleAssignment, User
from jiceng.accounts.services import audit, snapshot


class RoleAssignmentInline(admin.TabularInline):
    """Shown for reference; grants are made through accounts.services so they are audited."""

    model = RoleAssignment
    fields = readonly_fields = ("role", "area", "org", "created_at")
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [RoleAssignmentInline]
    fieldsets = (*(BaseUserAdmin.fieldsets or ()), ("基层", {"fields": ("display_name", "phone")}))

    def save_model(self, request, obj, form, change):
        fields = ["username", "display_name", "phone", "is_active", "is_staff", "is_superuser"]
        before = snapshot(User.objects.get(pk=obj.pk), fields) if change else None
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit(
                request.user,
                "admin_change_user" if change else "admin_create_user",
                obj,
                before=before,
                after=snapshot(obj, fields),
            )


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "object_type", "object_repr"]
    list_filter = ["action", "object_type"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
