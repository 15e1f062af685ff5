from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from .models import (
    Case,
    EvolutionPath,
    Firm,
    GuidanceArea,
    Industry,
    Mentor,
    Metric,
    Outcome,
    OutcomePattern,
    SeedRecord,
)


class OutcomeInline(admin.TabularInline):
    model = Outcome
    extra = 1
    fields = ("position", "kind", "text")


class MetricInline(admin.TabularInline):
    model = Metric
    extra = 1
    fields = ("position", "name", "unit", "baseline", "value", "target", "qualifier")


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ("code", "firm", "products", "outcome_pattern", "status", "period", "area_names", "updated_at")
    list_display_links = ("code", "firm")
    list_filter = ("status", "outcome_pattern", "firm__industry", "guidance_areas", "evolution_path")
    search_fields = (
        "code",
        "firm__code",
        "firm__name",
        "firm__products",
        "guidance",
        "guidance_details",
        "outcomes",
    )
    list_select_related = ("firm", "outcome_pattern")
    autocomplete_fields = ("firm", "mentor")
    filter_horizontal = ("guidance_areas",)
    inlines = (OutcomeInline, MetricInline)
    list_per_page = 50
    readonly_fields = ("created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("code", "status", "firm", "mentor", "guidance_areas")}),
        (_("지도"), {"fields": ("background", "guidance", "guidance_details", ("started_year", "ended_year"))}),
        (_("성과"), {"fields": ("outcomes", "outcome_pattern", "evolution_path")}),
        (_("출처"), {"fields": ("source", "source_notes", "created_at", "updated_at"), "classes": ("collapse",)}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("guidance_areas")

    @admin.display(description=_("생산제품"), ordering="firm__products")
    def products(self, case):
        return case.firm.products

    @admin.display(description=_("지도 기간"), ordering="started_year")
    def period(self, case):
        return case.period_display or "—"

    @admin.display(description=_("지도 분야"))
    def area_names(self, case):
        return ", ".join(area.name for area in case.guidance_areas.all())


@admin.register(Firm)
class FirmAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "products", "industry")
    list_filter = ("industry",)
    search_fields = ("code", "name", "products")
    list_select_related = ("industry",)


@admin.register(Mentor)
class MentorAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "years_of_experience", "case_count")
    search_fields = ("code", "name", "background")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(case_count=Count("cases"))

    @admin.display(description=_("사례 수"), ordering="case_count")
    def case_count(self, mentor):
        return mentor.case_count


class VocabularyAdmin(admin.ModelAdmin):
    """Staff-extendable vocabularies: a code, a name and how many cases use each entry."""

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


@admin.register(SeedRecord)
class SeedRecordAdmin(admin.ModelAdmin):
    """Read-only: which fixture records were inserted, so reseeding does not resurrect deletions."""

    list_display = ("model", "natural_key", "seeded_at")
    list_filter = ("model",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
