from django.contrib import admin

from jiceng.areas.models import Area


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "kind", "total_households", "total_population"]
    list_filter = ["level", "kind"]
    search_fields = ["code", "name"]

    def has_add_permission(self, request):
        return False  # writes go through services (the area pages)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
