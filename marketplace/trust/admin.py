"""Platform staff keep the company-of-concern lists here (or through the API); saving a list
screens every provider again."""

from django.contrib import admin

from marketplace.trust.models import ConcernEntry, ConcernList
from marketplace.trust.services import concern_matches_refresh


class ConcernEntryInline(admin.TabularInline):
    model = ConcernEntry
    extra = 1


@admin.register(ConcernList)
class ConcernListAdmin(admin.ModelAdmin):
    list_display = ["name", "source", "published_on", "updated_at"]
    inlines = [ConcernEntryInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        concern_matches_refresh()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        concern_matches_refresh()
