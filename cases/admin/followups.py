"""Follow-up surveys (사후 성과 조사) and the cost ledger in the staff admin.

Follow-ups are created by `Case.complete()` and answered by the firm through its link, so their page is read-mostly:
staff send links, close a survey that stays unanswered, revoke a link, and may move a due date. The firm's comment
is private (privacy.inventory): viewers (열람자) do not see it.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacy.admin import PersonalDataAdminMixin

from ..models import CostLine, FollowUp, FollowUpAdoption, FollowUpMeasurement
from ..notifications import SendFailed, Unsendable, send_followup_link
from .common import report_sending, revoke_links


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    max_num = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class AdoptionInline(ReadOnlyInline):
    model = FollowUpAdoption
    fields = readonly_fields = ("area", "adopted")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("area")  # one query, however many areas


class MeasurementInline(ReadOnlyInline):
    model = FollowUpMeasurement
    fields = readonly_fields = ("kind", "baseline", "current", "change")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("kind")

    @admin.display(description=_("변화"))
    def change(self, measurement):
        percent = measurement.change_percent
        if percent is None:
            return f"{measurement.change:+}"
        return f"{measurement.change:+} ({percent:+.1f}%)"


class OverdueListFilter(admin.SimpleListFilter):
    title = _("예정일")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("예정일 지남 (미응답)")), ("no", _("예정일 전 또는 끝남"))]

    def queryset(self, request, queryset):
        # The conditions themselves, not `pk IN (…)`: the (state, due_on) index then finds the few overdue ones.
        overdue = Q(state__in=FollowUp.OPEN_STATES, due_on__lt=timezone.localdate())
        if self.value() == "yes":
            return queryset.filter(overdue)
        if self.value() == "no":
            return queryset.exclude(overdue)
        return queryset


@admin.register(FollowUp)
class FollowUpAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    list_display = ("case_code", "firm_name", "kind", "due_on", "state", "sent_at", "answered_at")
    list_display_links = ("case_code",)
    list_filter = ("state", "kind", OverdueListFilter)
    search_fields = ("case__code",)
    list_select_related = ("case__firm",)
    list_per_page = 50
    show_full_result_count = False
    date_hierarchy = "due_on"
    actions = ("send_links", "close_unanswered", revoke_links)
    inlines = (AdoptionInline, MeasurementInline)
    readonly_fields = (
        "case",
        "kind",
        "state",
        "link_issued_at",
        "link_expires_at",
        "sent_at",
        "answered_at",
        "closed_at",
        "satisfaction",
        "recommend",
        "attribution",
        "comment",
    )
    fieldsets = (
        (None, {"fields": ("case", "kind", "due_on", "state")}),
        (_("링크"), {"fields": (("link_issued_at", "link_expires_at"), "sent_at")}),
        (
            _("응답"),
            {"fields": (("answered_at", "closed_at"), "satisfaction", "recommend", "attribution", "comment")},
        ),
    )

    def has_add_permission(self, request):
        return False  # scheduled by Case.complete(), one per kind

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("case__firm")

    @admin.display(description=_("사례 코드"), ordering="case__code")
    def case_code(self, followup):
        return followup.case.code

    @admin.display(description=_("기업"), ordering="case__firm__name")
    def firm_name(self, followup):
        return followup.case.firm.name

    @admin.action(description=_("사후 조사 링크 메일 보내기"), permissions=["change"])
    def send_links(self, request, queryset):
        base_url = request.build_absolute_uri("/")
        sent, skipped, failed = [], [], []
        for followup in queryset.select_related("case__firm").order_by("due_on", "pk"):
            try:
                send_followup_link(followup, base_url)
            except Unsendable as reason:
                skipped.append(str(reason))
            except SendFailed as error:
                failed.append(str(error))
            else:
                sent.append(followup)
        message = _("사후 조사 링크 메일 %(count)d건을 보냈습니다.")
        report_sending(self, request, message, sent=len(sent), skipped=skipped, failed=failed)

    @admin.action(description=_("무응답으로 종료"), permissions=["change"])
    def close_unanswered(self, request, queryset):
        closed, skipped = 0, []
        for followup in queryset.select_related("case").order_by("due_on", "pk"):
            if not followup.is_open:
                skipped.append(str(followup))
                continue
            try:
                followup.close_unanswered()
            except ValidationError:  # answered by the firm a moment ago
                skipped.append(str(followup))
                continue
            closed += 1
        message = _("사후 조사 %(count)d건을 무응답으로 종료했습니다.")
        self.message_user(request, message % {"count": closed}, messages.SUCCESS)
        if skipped:
            self.message_user(
                request,
                _("이미 응답했거나 종료된 조사는 건너뛰었습니다: %(list)s") % {"list": ", ".join(skipped)},
                messages.WARNING,
            )


class FollowUpInline(ReadOnlyInline):
    """The case's follow-ups on its page: when each is due, and whether it was sent and answered."""

    model = FollowUp
    fields = readonly_fields = ("kind", "due_on", "state", "sent_at", "answered_at")
    show_change_link = True
    verbose_name_plural = _("사후 성과 조사")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("case")  # each row is named by its case's code


class CostLineInline(admin.TabularInline):
    """The case's cost ledger; a blank subsidy is computed from the case's subsidy rate when saved."""

    model = CostLine
    extra = 1
    fields = ("kind", "spent_on", "amount", "subsidy", "note")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type("CostLineFormSet", (SubsidyFromRateFormSet, formset), {})

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)


class SubsidyFromRateFormSet:
    """A line left without a subsidy gets it from the case's rate at saving, when the case (even a new one) has
    its rate; the model's clean() could only fill 0 for a case not yet saved."""

    def save_new(self, form, commit=True):
        self._blank_subsidy_again(form)
        return super().save_new(form, commit)

    def save_existing(self, form, obj, commit=True):
        self._blank_subsidy_again(form)
        return super().save_existing(form, obj, commit)

    @staticmethod
    def _blank_subsidy_again(form):
        if form.cleaned_data.get("subsidy") is None:
            form.instance.subsidy = None
