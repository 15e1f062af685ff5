"""Guidance visits in the staff admin: their own list, and a table on each case's page.

The rules (dates, hours per day, an engineer assigned and free that day) are Visit.clean()'s, so the admin form,
the inline and imports refuse the same things with the same Korean messages.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX

from ..models import Visit
from ..resources import VisitResource
from .common import StaffAdmin

VISIT_FIELDS = (
    "started_on",
    "ended_on",
    "mode",
    "hours",
    "interpreter",
    "topics",
    "summary",
    "action_items",
    "firm_confirmed_on",
)


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("반려 사유"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_("선택한 방문 보고 모두에 같은 사유가 기록되고, 퇴직기술자가 자기 페이지에서 봅니다."),
        error_messages={"required": _("반려 사유를 적어 주세요.")},
    )


class SharedAutocompleteSelect(AutocompleteSelect):
    """An autocomplete that reads each chosen record once for all the forms of a formset: the copies Django
    makes of the widget for each form share `known`, so a case's visits (nearly always by one engineer) cost one
    query for their engineer, not one per visit."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.known = {}

    def optgroups(self, name, value, attr=None):
        """AutocompleteSelect's options (the chosen record only), from `known` where it was read already."""
        selected = {str(v) for v in value if str(v) not in self.choices.field.empty_values}
        if missing := selected - self.known.keys():
            self.known.update((str(obj.pk), obj) for obj in self.choices.queryset.filter(pk__in=missing))
        default = (None, [], 0)
        if not self.is_required:
            default[1].append(self.create_option(name, "", "", False, 0))
        for pk in sorted(selected & self.known.keys()):
            obj = self.known[pk]
            label = self.choices.field.label_from_instance(obj)
            default[1].append(self.create_option(name, obj.pk, label, selected, len(default[1])))
        return [default]


class VisitInline(admin.StackedInline):
    """A case's visits; the engineer is the case's own unless chosen. Reports are reviewed in the visit list."""

    model = Visit
    extra = 0
    readonly_fields = ("report_state",)
    fields = (
        ("started_on", "ended_on", "mode", "hours", "interpreter"),
        "report_state",
        "mentor",
        "topics",
        "summary",
        "action_items",
        "firm_confirmed_on",
    )
    autocomplete_fields = ("mentor",)
    filter_horizontal = ("topics",)
    ordering = ("started_on", "pk")
    classes = ("collapse",)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("topics")  # one query for every visit's topics

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "mentor":
            kwargs["widget"] = SharedAutocompleteSelect(db_field, self.admin_site)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "topics":
            # The areas read once for every visit's form, not once per form (validation still uses the queryset).
            field.choices = list(iter(field.choices))
        return field

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)


@admin.register(Visit)
class VisitAdmin(ImportExportMixin, StaffAdmin):
    resource_classes = [VisitResource]
    import_formats = [CSV, XLSX]
    export_formats = [CSV, XLSX]
    to_encoding = "utf-8-sig"
    list_display = (
        "case",
        "mentor",
        "started_on",
        "ended_on",
        "days",
        "mode",
        "hours",
        "interpreter",
        "firm_confirmed_on",
        "report_state",
    )
    list_filter = ("report_state", "mode", "interpreter")
    date_hierarchy = "started_on"
    search_fields = ("case__code", "case__firm__name", "mentor__code", "mentor__name")
    list_select_related = ("case__firm", "mentor")  # a case reads as its firm: no query per row
    autocomplete_fields = ("case", "mentor")
    filter_horizontal = ("topics",)
    fields = ("case", "mentor", *VISIT_FIELDS)
    list_per_page = 50
    show_full_result_count = False
    actions = ("confirm_reports", "return_reports")

    def get_readonly_fields(self, request, obj=None):
        # The state changes through the actions only (they record when and why).
        return (*super().get_readonly_fields(request, obj), "report_state", "returned_reason", "reviewed_at")

    def get_fields(self, request, obj=None):
        fields = [*super().get_fields(request, obj)]
        if obj is not None:
            fields.append("report_state")
            if obj.reviewed_at or obj.returned_reason:
                fields += ["returned_reason", "reviewed_at"]
        return fields

    @admin.display(description=_("일수"), ordering="days")
    def days(self, visit):
        return visit.days

    @admin.action(description=_("방문 보고 확인"), permissions=["change"])
    def confirm_reports(self, request, queryset):
        waiting, skipped = _split(queryset)
        for visit in waiting:
            visit.confirm()
        message = _("방문 보고 %(count)d건을 확인했습니다.")
        self.message_user(request, message % {"count": len(waiting)}, messages.SUCCESS)
        self._report_skipped(request, skipped)

    @admin.action(description=_("방문 보고 반려"), permissions=["change"])
    def return_reports(self, request, queryset):
        waiting, skipped = _split(queryset)
        if not waiting:
            self._report_skipped(request, skipped)
            return None
        form = ReturnForm(request.POST if "post" in request.POST else None)
        if form.is_bound and form.is_valid():
            returned = 0
            for visit in waiting:
                try:
                    visit.return_to_engineer(form.cleaned_data["reason"])
                except ValidationError as error:
                    self.message_user(request, " ".join(error.messages), messages.WARNING)
                    continue
                returned += 1
            message = _("방문 보고 %(count)d건을 반려했습니다.")
            self.message_user(request, message % {"count": returned}, messages.SUCCESS)
            self._report_skipped(request, skipped)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("방문 보고 반려"),
            "opts": self.model._meta,
            "selected": waiting,
            "action": "return_reports",
            "skipped": skipped,
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/cases/visit/return_reports.html", context)

    def _report_skipped(self, request, skipped):
        if skipped:
            message = _("확인을 기다리지 않는 방문 %(count)d건은 건너뛰었습니다: %(list)s")
            listed = ", ".join(f"{visit.case.code} {visit}" for visit in skipped)
            self.message_user(request, message % {"count": len(skipped), "list": listed}, messages.WARNING)


def _split(queryset):
    """(the visits awaiting review, the others), oldest first."""
    visits = list(queryset.select_related("case").order_by("started_on", "pk"))
    waiting = [visit for visit in visits if visit.report_state == Visit.ReportState.SUBMITTED]
    return waiting, [visit for visit in visits if visit.report_state != Visit.ReportState.SUBMITTED]
