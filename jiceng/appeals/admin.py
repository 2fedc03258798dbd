from django.contrib import admin

from jiceng.appeals.models import Category


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    """Shown for reference; the catalogue is edited through jiceng.appeals.services.catalogue (audited)."""

    list_display = ["code", "full_name", "responsible_level", "default_urgency", "is_active"]
    search_fields = ["code", "name", "full_name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
