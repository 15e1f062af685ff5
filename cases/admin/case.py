"""The case in the staff admin: publishing, lifecycle, history, optimistic locking, import and export."""

from django.contrib import admin, messages
from django.db.models import OuterRef, Subquery
from django.http import HttpResponse
from django.urls import path
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportActionMixin, ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX

from privacy.admin import PersonalDataAdminMixin
from privacy.inventory import VIEW_PERMISSION as VIEW_PERSONAL_DATA

from .. import casebook
from ..facets import Vocabulary
from ..forms import CaseAdminForm
from ..models import OPEN_STAGES, Case, CostLine, FollowUp, Metric, Outcome
from ..resources import CaseResource
from .common import StaffAdmin, once_per_request
from .followups import CostLineInline, FollowUpInline
from .lifecycle import AttentionListFilter, CaseLifecycleAdminMixin, StageListFilter
from .visits import VisitInline


class OutcomeInline(admin.TabularInline):
    model = Outcome
    extra = 1
    fields = ("position", "kind", "text")

    def has_delete_permission(self, request, obj=None):
        # Editors may remove a wrong outcome line of a case they edit; viewers may not.
        return self.has_change_permission(request, obj)


class MetricInline(admin.TabularInline):
    model = Metric
    extra = 1
    fields = ("position", "name", "kind", "unit", "baseline", "value", "target", "qualifier")

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "kind":
            # Read once, not once per row (each row's select would query the kinds again).
            field.choices = list(iter(field.choices))  # iter(): no COUNT query first
        return field


def cost_totals(inline_admin_formsets):
    """The saved cost lines' totals, summed from the ledger inline's rows (already read: no query of its own)."""
    for inline in inline_admin_formsets:
        if inline.formset.model is CostLine:
            lines = list(inline.formset.get_queryset())
            amount, subsidy = sum(line.amount for line in lines), sum(line.subsidy for line in lines)
            return {"amount": amount, "subsidy": subsidy, "firm_share": amount - subsidy}
    return None


def case_overview(request):
    """The change list's years and draft count (cases/models.py: `overview`), one query per request."""
    return once_per_request(request, "overview", Case.objects.overview)


class VocabularyListFilter(admin.SimpleListFilter):
    """Pick a pattern, industry or area by code; the three filters share one vocabulary query per request."""

    kind = field_name = None

    def lookups(self, request, model_admin):
        vocabulary = once_per_request(request, "vocabulary", Vocabulary.load)
        return [(item.code, item.name) for item in getattr(vocabulary, self.kind)]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(**{f"{self.field_name}__code": self.value()})
        return queryset


class PatternListFilter(VocabularyListFilter):
    title, parameter_name, kind, field_name = _("성과 패턴"), "pattern", "pattern", "outcome_pattern"


class IndustryListFilter(VocabularyListFilter):
    title, parameter_name, kind, field_name = _("업종"), "industry", "industry", "firm__industry"


class AreaListFilter(VocabularyListFilter):
    title, parameter_name, kind, field_name = _("지도 분야"), "area", "area", "guidance_areas"


class GuidanceYearFilter(admin.SimpleListFilter):
    """Drill down by guidance year (the study gives years, not dates, so no date_hierarchy)."""

    title = _("지도 연도")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        return [(year, f"{year}년") for year in case_overview(request).years]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.active_in(int(self.value()))
        return queryset


@admin.register(Case)
class CaseAdmin(CaseLifecycleAdminMixin, PersonalDataAdminMixin, ImportExportMixin, ExportActionMixin, StaffAdmin):
    form = CaseAdminForm
    resource_classes = [CaseResource]
    import_formats = [CSV, XLSX]
    export_formats = [CSV, XLSX]
    to_encoding = "utf-8-sig"  # CSV with a BOM, so Excel opens the Korean text correctly
    change_list_template = "admin/cases/case/change_list.html"
    change_form_template = "admin/cases/case/change_form.html"
    list_display = (
        "code",
        "firm",
        "products",
        "stage_badge",
        "outcome_pattern",
        "status_badge",
        "period",
        "area_names",
        "last_changed_by",
        "updated_at",
    )
    list_display_links = ("code", "firm")
    list_filter = (
        StageListFilter,
        AttentionListFilter,
        "status",
        PatternListFilter,
        IndustryListFilter,
        AreaListFilter,
        GuidanceYearFilter,
        "product",
        "technology",
    )
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
    inlines = (OutcomeInline, MetricInline, VisitInline, FollowUpInline, CostLineInline)
    list_per_page = 50
    show_full_result_count = False  # saves a COUNT(*) per page view; the filtered count is still shown
    readonly_fields = ("stage", "stage_changed_at", "created_at", "updated_at")
    actions = ("publish", "unpublish", "schedule_followups", "casebook_pdf")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "code",
                    ("stage", "stage_changed_at"),
                    "status",
                    "firm",
                    "mentor",
                    "guidance_areas",
                    "loaded_version",
                )
            },
        ),
        (_("신청 (비공개)"), {"fields": ("request_text",), "classes": ("collapse",)}),
        (_("지도"), {"fields": ("background", "guidance", "guidance_details", ("started_year", "ended_year"))}),
        (_("성과"), {"fields": ("outcomes", "outcome_pattern", ("product", "technology"), "evolution_path")}),
        (_("비용"), {"fields": ("subsidy_rate",)}),
        (_("출처"), {"fields": ("source", "source_notes", "created_at", "updated_at"), "classes": ("collapse",)}),
    )

    class Media:
        css = {"all": ["css/admin.css"]}

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (name, {**options, "fields": list(options["fields"])})
            for name, options in super().get_fieldsets(request, obj)
        ]
        first = fieldsets[0][1]["fields"]
        if obj is None:
            first[first.index(("stage", "stage_changed_at"))] = "recorded_as"
        if not self.has_change_permission(request, obj):
            # Read-only viewers see no version field (it exists only to guard concurrent saves).
            first.remove("loaded_version")
        if not request.user.has_perm(VIEW_PERSONAL_DATA):
            fieldsets = [(name, options) for name, options in fieldsets if "request_text" not in options["fields"]]
        return fieldsets

    def get_queryset(self, request):
        latest = Case.history.model.objects.filter(id=OuterRef("pk")).order_by("-history_date")
        return (
            super()
            .get_queryset(request)
            .prefetch_related("guidance_areas")
            .annotate(last_changed_by_name=Subquery(latest.values("history_user__username")[:1]))
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            context["cost_totals"] = cost_totals(context.get("inline_admin_formsets", ()))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if obj is not None and obj.stage in OPEN_STAGES:
            readonly = (*readonly, "mentor")  # assigned and replaced through the lifecycle (matching)
        if not request.user.has_perm("cases.publish_case"):
            readonly = (*readonly, "status")
        return readonly

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.has_perm("cases.publish_case"):
            actions.pop("publish", None)
            actions.pop("unpublish", None)
        return actions

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "drafts_awaiting": case_overview(request).drafts}
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        template = path(
            "import-template.<str:kind>",
            self.admin_site.admin_view(self.import_template),
            name="cases_case_import_template",
        )
        return [template, *super().get_urls()]

    def import_template(self, request, kind):
        """The file layout staff fill in for a bulk import (Korean headers and an example row)."""
        dataset = CaseResource.template_dataset()
        if kind == "xlsx":
            content_type = XLSX.CONTENT_TYPE
            content = XLSX().export_data(dataset)
        else:
            kind, content_type = "csv", "text/csv; charset=utf-8"
            content = CSV().export_data(dataset).encode("utf-8-sig")
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="case-import-template.{kind}"'
        return response

    @admin.action(description=_("선택한 사례 공개하기"), permissions=["publish"])
    def publish(self, request, queryset):
        published, refused = [], []
        for case in queryset.select_related("firm"):
            problems = case.publishing_problems()
            if problems:
                refused.append(f"{case.firm.name} ({' '.join(str(p) for p in problems)})")
                continue
            if case.status != Case.Status.PUBLISHED:
                case.status = Case.Status.PUBLISHED
                case.version += 1
                case.save()  # one save per case, so each gets its history entry
                published.append(case)
        if published:
            self.message_user(request, f"{len(published)}건을 공개했습니다.", messages.SUCCESS)
        if refused:
            self.message_user(request, "공개하지 못했습니다: " + "; ".join(refused), messages.WARNING)

    @admin.action(description=_("선택한 사례 작성 중으로 되돌리기"), permissions=["publish"])
    def unpublish(self, request, queryset):
        count = 0
        for case in queryset.filter(status=Case.Status.PUBLISHED):
            case.status = Case.Status.DRAFT
            case.version += 1
            case.save()
            count += 1
        self.message_user(request, f"{count}건을 작성 중으로 되돌렸습니다.", messages.SUCCESS)

    def has_publish_permission(self, request):
        return request.user.has_perm("cases.publish_case")

    @admin.action(description=_("사후 성과 조사 일정 만들기 (오늘부터)"), permissions=["schedule"])
    def schedule_followups(self, request, queryset):
        """For completed cases recorded directly or imported (the lifecycle's 지도 완료 schedules its own):
        the three follow-ups, due from today. Cases that have follow-ups or are not completed are left alone."""
        scheduled, skipped = 0, 0
        for case in queryset.filter(stage=Case.Stage.COMPLETED).exclude(followups__isnull=False):
            FollowUp.objects.schedule_for(case)
            scheduled += 1
        skipped = queryset.count() - scheduled
        if scheduled:
            self.message_user(
                request, _("%(count)d건에 사후 성과 조사 일정을 만들었습니다.") % {"count": scheduled}, messages.SUCCESS
            )
        if skipped:
            self.message_user(
                request,
                _("%(count)d건은 지도 완료 단계가 아니거나 이미 일정이 있어 그대로 두었습니다.") % {"count": skipped},
                messages.WARNING,
            )

    def has_schedule_permission(self, request):
        return request.user.has_perm("cases.add_followup")

    @admin.action(description=_("사례집 PDF 만들기"), permissions=["view"])
    def casebook_pdf(self, request, queryset):
        """The selected cases' casebook PDF (cases/casebook.py); drafts among them are left out, with a message."""
        return casebook.action_response(self, request, queryset)

    @admin.display(description=_("생산제품"), ordering="firm__products")
    def products(self, case):
        return case.firm.products

    @admin.display(description=_("상태"), ordering="status")
    def status_badge(self, case):
        css = "published" if case.status == Case.Status.PUBLISHED else "draft"
        return format_html('<span class="case-status case-status--{}">{}</span>', css, case.get_status_display())

    @admin.display(description=_("진행 단계"), ordering="stage")
    def stage_badge(self, case):
        return format_html('<span class="case-stage case-stage--{}">{}</span>', case.stage, case.get_stage_display())

    @admin.display(description=_("지도 기간"), ordering="started_year")
    def period(self, case):
        return case.period_display or "—"

    @admin.display(description=_("지도 분야"))
    def area_names(self, case):
        return ", ".join(area.name for area in case.guidance_areas.all())

    @admin.display(description=_("최근 수정자"), ordering="last_changed_by_name")
    def last_changed_by(self, case):
        return case.last_changed_by_name or "—"
