"""The vocabularies staff extend, and the seed's read-only record."""

from django.contrib import admin

from ..models import EvolutionPath, GuidanceArea, Industry, MetricKind, OutcomePattern, SeedRecord
from .common import StaffAdmin


class VocabularyAdmin(StaffAdmin):
    """Staff-extendable vocabularies, found by code or name."""

    search_fields = ("code", "name")


@admin.register(Industry)
class IndustryAdmin(VocabularyAdmin):
    list_display = ("code", "name", "position")
    list_editable = ("position",)


@admin.register(GuidanceArea)
class GuidanceAreaAdmin(VocabularyAdmin):
    list_display = ("code", "name", "description")


@admin.register(OutcomePattern)
class OutcomePatternAdmin(VocabularyAdmin):
    list_display = ("code", "name", "title", "position")


@admin.register(EvolutionPath)
class EvolutionPathAdmin(VocabularyAdmin):
    list_display = ("code", "name", "product", "technology")


@admin.register(MetricKind)
class MetricKindAdmin(VocabularyAdmin):
    list_display = ("code", "name", "unit", "lower_is_better", "position")
    list_editable = ("position",)


@admin.register(SeedRecord)
class SeedRecordAdmin(admin.ModelAdmin):
    """Read-only: which fixture records were inserted, so reseeding does not resurrect deletions."""

    list_display = ("model", "natural_key", "seeded_at")
    list_filter = ("model",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser
