"""The case's lifecycle on its admin page: the stage buttons, the matching shortlist, the stage record, and the
change-list filters by stage and by what needs attention."""

from datetime import timedelta

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..matching import shortlist
from ..models import STAGE_PERMISSION, Mentor, Stage, StageChange, Visit

MATCHING_TOO_LONG_DAYS = 14
IDLE_GUIDANCE_DAYS = settings.IDLE_GUIDANCE_DAYS  # one number for the filter, dashboard and reminders
NOTE_MAX_LENGTH = 2000

# The buttons staff see, in this order, with the note's label; a reason is required where the model says so.
TRANSITION_BUTTONS = {
    "start_matching": (_("매칭 시작"), _("메모")),
    "complete": (_("지도 완료"), _("메모")),
    "replace_mentor": (_("퇴직기술자 교체"), _("교체 사유 (필수)")),
    "withdraw": (_("중단"), _("중단 사유 (필수)")),
}


class StageListFilter(admin.SimpleListFilter):
    title = _("진행 단계")
    parameter_name = "stage"

    def lookups(self, request, model_admin):
        return Stage.choices

    def queryset(self, request, queryset):
        if self.value() in Stage.values:
            return queryset.filter(stage=self.value())
        return queryset


class AttentionListFilter(admin.SimpleListFilter):
    """What the dashboard points at: matching too long, guidance without a recent visit."""

    title = _("확인 필요")
    parameter_name = "attention"

    def lookups(self, request, model_admin):
        return [
            ("matching_long", _("%(days)s일 넘게 매칭 중") % {"days": MATCHING_TOO_LONG_DAYS}),
            ("no_recent_visit", _("%(days)s일 동안 방문 없는 지도 중") % {"days": IDLE_GUIDANCE_DAYS}),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "matching_long":
            return queryset.matching_for_long(now - timedelta(days=MATCHING_TOO_LONG_DAYS))
        if self.value() == "no_recent_visit":
            return queryset.without_visit_since(timezone.localdate() - timedelta(days=IDLE_GUIDANCE_DAYS))
        return queryset


class CaseLifecycleAdminMixin:
    """For CaseAdmin: POST `<pk>/stage/<transition>/` runs a transition; the change page shows what can be done."""

    def get_urls(self):
        transition = path(
            "<path:object_id>/stage/<str:transition>/",
            self.admin_site.admin_view(self.transition_view),
            name="cases_case_transition",
        )
        return [transition, *super().get_urls()]

    def transition_view(self, request, object_id, transition):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        case = self.get_object(request, object_id)
        if case is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not request.user.has_perm(STAGE_PERMISSION):
            raise PermissionDenied
        note = request.POST.get("note", "")[:NOTE_MAX_LENGTH]
        try:
            self._run_transition(request, case, transition, note)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
        except PermissionDenied as error:
            self.message_user(request, str(error) or _("권한이 없습니다."), messages.ERROR)
        else:
            self.message_user(
                request, _("'%(stage)s' 단계로 바꿨습니다.") % {"stage": case.get_stage_display()}, messages.SUCCESS
            )
        return redirect(reverse("admin:cases_case_change", args=[case.pk]))

    def _run_transition(self, request, case, transition, note):
        by = request.user
        if transition == "assign_mentor":
            raw = request.POST.get("mentor", "")
            mentor = Mentor.objects.filter(pk=raw).first() if raw.isdigit() else None
            if mentor is None:
                raise ValidationError(_("배정할 퇴직기술자를 골라 주세요."))
            case.assign_mentor(mentor, by=by, note=note)
        elif transition in ("replace_mentor", "withdraw"):
            getattr(case, transition)(by=by, reason=note)
        elif transition in ("start_matching", "complete"):
            getattr(case, transition)(by=by, note=note)
        else:
            raise ValidationError(_("알 수 없는 작업입니다."))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        case = self.get_object(request, object_id) if object_id else None
        if case is not None:
            extra_context = {**(extra_context or {}), **self.lifecycle_context(request, case)}
        return super().change_view(request, object_id, form_url, extra_context)

    def lifecycle_context(self, request, case):
        """The stage panel: buttons, the shortlist in matching, the stage record, the visit totals."""
        available = set(case.available_transitions(request.user))
        buttons = [
            {"name": name, "label": label, "note_label": note_label}
            for name, (label, note_label) in TRANSITION_BUTTONS.items()
            if name in available
        ]
        changes = StageChange.objects.filter(case=case).select_related("by", "mentor")[:50]
        return {
            "lifecycle": {
                "case": case,
                "buttons": buttons,
                "may_assign": "assign_mentor" in available,
                "may_add_visit": request.user.has_perm("cases.add_visit"),
                "shortlist": shortlist(case) if case.stage == Stage.MATCHING else None,
                "changes": changes,
                "totals": Visit.objects.filter(case=case).totals(),
            }
        }
