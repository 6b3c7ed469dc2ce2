from django.contrib import admin

from payments.models import LedgerEntry, LedgerTransaction, Payment, StripeEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    """Money records are written by the services only; staff read them here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StripeEvent)
class StripeEventAdmin(ReadOnlyAdmin):
    list_display = ["event_id", "type", "received_at", "processed_at", "attempts", "last_error"]
    list_filter = ["type", ("processed_at", admin.EmptyFieldListFilter)]
    search_fields = ["event_id", "last_error"]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["stripe_payment_intent", "milestone", "total_amount", "currency", "status"]
    list_filter = ["status", "currency"]
    search_fields = ["stripe_payment_intent"]


class LedgerEntryInline(admin.TabularInline):
    model = LedgerEntry
    extra = 0
    can_delete = False

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(LedgerTransaction)
class LedgerTransactionAdmin(ReadOnlyAdmin):
    list_display = ["pk", "kind", "contract", "payment", "created_at"]
    list_filter = ["kind"]
    inlines = [LedgerEntryInline]
