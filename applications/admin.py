"""Applications in the staff admin: the waiting queue, read-only submissions, accepting and declining.

Only staff with the application permissions (편집자) see this at all; viewers (열람자) get a 403. Opening an
application is logged (privacy.admin.PersonalDataAdminMixin).
"""

import re

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cases.models import STAGE_PERMISSION
from privacy.admin import PersonalDataAdminMixin

from . import services
from .models import REFERENCE_ALPHABET, REFERENCE_LENGTH, Application

PERSONAL_COLUMNS = ("company_name", "industry", "region")
WAITING_FIRST = models.Case(
    models.When(state=Application.State.NEW, then=models.Value(0)),
    default=models.Value(1),
    output_field=models.IntegerField(),
)


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("반려 사유"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_("선택한 신청 모두에 같은 사유가 기록됩니다. 기업에 알릴 때 이 사유를 씁니다."),
        error_messages={"required": _("반려 사유를 적어 주세요.")},
    )


@admin.register(Application)
class ApplicationAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    list_display = ("reference", "submitted_at", "waited", "state", *PERSONAL_COLUMNS)
    list_display_links = ("reference",)
    list_filter = ("state",)
    list_select_related = ("industry",)
    list_per_page = 50
    actions = ("accept_applications", "decline_applications")
    fieldsets = (
        (
            _("접수"),
            {"fields": ("reference", "submitted_at", "state", "decided_at", "decided_by", "decline_reason")},
        ),
        (
            _("기업"),
            {"fields": ("company_name", "registration_number", "region", "industry", "products", "employees")},
        ),
        (_("담당자"), {"fields": ("contact_name", "contact_email", "contact_phone")}),
        (_("신청 내용"), {"fields": ("bottleneck", "wished_areas", "wished_start")}),
        (_("동의"), {"fields": ("consent_version", "consented_at")}),
        (_("처리 결과"), {"fields": ("firm", "case", "personal_data_purged_at")}),
    )

    def get_readonly_fields(self, request, obj=None):
        # What the firm sent stays as it sent it; the state changes only through the actions.
        return [name for _name, options in self.fieldsets for name in options["fields"]]

    def has_add_permission(self, request):
        return False  # applications come from /apply/ only

    def has_change_permission(self, request, obj=None):
        # The list (obj=None) needs it for the actions; a single application opens read-only.
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser  # erasing personal data is `purge_personal_data`'s job

    def get_list_display(self, request):
        if self.may_see_personal_data(request):
            return self.list_display
        return tuple(name for name in self.list_display if name not in PERSONAL_COLUMNS)

    def get_search_fields(self, request):
        # The reference is a random number, not personal data; the company name is.
        return ("reference", "company_name") if self.may_see_personal_data(request) else ("reference",)

    def get_search_results(self, request, queryset, search_term):
        reference = _as_reference(search_term)
        if reference:
            return queryset.filter(reference=reference), False
        return super().get_search_results(request, queryset, search_term)

    def get_ordering(self, request):
        return (WAITING_FIRST.asc(), "submitted_at", "pk")  # waiting ones first, oldest first

    @admin.display(description=_("기다린 날수"), ordering="submitted_at")
    def waited(self, application):
        if application.state != Application.State.NEW:
            return "—"
        days = (timezone.localdate() - timezone.localdate(application.submitted_at)).days
        return _("%(days)s일") % {"days": days}

    @admin.action(description=_("신청 수락 (기업 연결, 매칭 중 사례 만들기)"), permissions=["change"])
    def accept_applications(self, request, queryset):
        if not request.user.has_perm(STAGE_PERMISSION):
            self.message_user(
                request,
                _("신청을 수락하려면 사례의 진행 단계를 바꿀 권한이 필요합니다. 관리자에게 권한을 요청하세요."),
                messages.ERROR,
            )
            return None
        waiting, skipped = _split(queryset)
        accepted, failed = [], []
        for application in waiting:
            try:
                case = services.accept_application(application, by=request.user)
            except (ValidationError, PermissionDenied) as error:
                failed.append(f"{application.reference}: {' '.join(_messages_of(error))}")
                continue
            accepted.append(f"{application.reference} → {case.code} ({case.firm.name})")
        if accepted:
            message = ngettext(
                "신청 %(count)d건을 수락해 매칭 중인 사례를 만들었습니다: %(list)s",
                "신청 %(count)d건을 수락해 매칭 중인 사례를 만들었습니다: %(list)s",
                len(accepted),
            )
            self.message_user(request, message % {"count": len(accepted), "list": "; ".join(accepted)})
        self._report_skipped(request, skipped)
        if failed:
            self.message_user(request, _("수락하지 못했습니다: %(list)s") % {"list": "; ".join(failed)}, messages.ERROR)
        return None

    @admin.action(description=_("신청 반려 (사유 입력)"), permissions=["change"])
    def decline_applications(self, request, queryset):
        waiting, skipped = _split(queryset)
        if not waiting:
            self._report_skipped(request, skipped)
            return None
        form = DeclineForm(request.POST if "post" in request.POST else None)
        if form.is_bound and form.is_valid():
            declined = 0
            for application in waiting:
                try:
                    services.decline_application(application, by=request.user, reason=form.cleaned_data["reason"])
                except (ValidationError, PermissionDenied) as error:
                    self.message_user(request, " ".join(_messages_of(error)), messages.WARNING)
                    continue
                declined += 1
            message = ngettext("신청 %(count)d건을 반려했습니다.", "신청 %(count)d건을 반려했습니다.", declined)
            self.message_user(request, message % {"count": declined})
            self._report_skipped(request, skipped)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("신청 반려"),
            "opts": self.model._meta,
            "selected": waiting,
            "action": "decline_applications",
            "skipped": skipped,
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "applications/decline.html", context)

    def _report_skipped(self, request, skipped):
        if skipped:
            message = ngettext(
                "이미 처리된 신청 %(count)d건은 건너뛰었습니다: %(list)s",
                "이미 처리된 신청 %(count)d건은 건너뛰었습니다: %(list)s",
                len(skipped),
            )
            references = ", ".join(application.reference for application in skipped)
            self.message_user(request, message % {"count": len(skipped), "list": references}, messages.WARNING)


def _split(queryset):
    """(the waiting applications, oldest first; the already decided ones)."""
    applications = list(queryset.select_related(None).order_by("submitted_at", "pk"))
    waiting = [a for a in applications if a.state == Application.State.NEW]
    return waiting, [a for a in applications if a.state != Application.State.NEW]


def _messages_of(error):
    return [str(message) for message in getattr(error, "messages", [error])]


def _as_reference(term):
    """'abcd efgh-jkmn pqrs' → 'ABCD-EFGH-JKMN-PQRS' when the search term is a whole reference number."""
    compact = re.sub(r"[\s\-]", "", term or "").upper()
    if len(compact) != REFERENCE_LENGTH or any(ch not in REFERENCE_ALPHABET for ch in compact):
        return None
    return "-".join(compact[i : i + 4] for i in range(0, REFERENCE_LENGTH, 4))
