"""The admin shows the ledger read-only: no add, change or delete of a movement (corrections are
reversals, made on the platform's pages by ``services.reverse``)."""

from django.contrib import admin

from .models import Account, LedgerCheck, Movement


@admin.register(Movement)
class MovementAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "debit", "credit", "amount", "created_at")
    list_filter = ("kind",)
    raw_id_fields = ("debit", "credit", "reverses", "hours_record", "team", "actor")
    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "kind", "area_path", "balance")
    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LedgerCheck)
class LedgerCheckAdmin(admin.ModelAdmin):
    list_display = ("id", "started_at", "movements", "accounts", "total")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
