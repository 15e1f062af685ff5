"""A case's life: received → matching → in guidance → completed → followed up (or withdrawn on the way).

`Case.stage` is a django-fsm-2 field, protected: it changes only through the transition methods below, each of
which checks the user's permission itself (django-fsm-2 checks `permission=` only when asked), locks the row,
and records who, when and why as a `StageChange` and in the case's change history. Publication (`status`) is
separate; a database constraint lets only completed and followed-up cases be published.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, TransitionNotAllowed, transition

STAGE_PERMISSION = "cases.manage_stage"


class Stage(models.TextChoices):
    RECEIVED = "received", _("접수")
    MATCHING = "matching", _("매칭 중")
    IN_GUIDANCE = "in_guidance", _("지도 중")
    COMPLETED = "completed", _("지도 완료")
    FOLLOWED_UP = "followed_up", _("성과 확인")
    WITHDRAWN = "withdrawn", _("중단")


PUBLISHABLE_STAGES = (Stage.COMPLETED, Stage.FOLLOWED_UP)
OPEN_STAGES = (Stage.RECEIVED, Stage.MATCHING, Stage.IN_GUIDANCE)


class CaseLifecycle(FSMModelMixin, models.Model):
    """The stage field and its transitions; `Case` inherits them."""

    stage = FSMField(
        _("진행 단계"), max_length=12, choices=Stage, default=Stage.RECEIVED, protected=True, db_index=True
    )
    stage_changed_at = models.DateTimeField(_("단계 변경일시"), default=timezone.now, editable=False)

    class Meta:
        abstract = True

    def clean_fields(self, exclude=None):
        # full_clean() re-assigns every field, which a protected stage refuses; transitions only ever set a
        # valid stage, so there is nothing to clean.
        super().clean_fields(exclude={*(exclude or ()), "stage"})

    # --- what staff call (each saves the case and records the change) ---------------------------------------

    def start_matching(self, *, by, note=""):
        """접수 → 매칭 중."""
        return self._run(self._start_matching, by=by, note=note)

    def assign_mentor(self, mentor, *, by, note=""):
        """매칭 중 → 지도 중, with `mentor` as the case's engineer (one step: the guidance starts when assigned)."""
        if mentor is None or mentor.status != mentor.Status.ACTIVE:
            raise ValidationError(_("활동 중인 퇴직기술자만 배정할 수 있습니다."), code="mentor_not_active")
        return self._run(self._assign_mentor, by=by, note=note, mentor=mentor)

    def replace_mentor(self, *, by, reason):
        """지도 중 → 매칭 중: the engineer leaves the case; their visits stay on record."""
        return self._run(self._replace_mentor, by=by, note=self._required_reason(reason, _("교체 사유")))

    def complete(self, *, by, note=""):
        """지도 중 → 지도 완료."""
        return self._run(self._complete, by=by, note=note)

    def withdraw(self, *, by, reason):
        """접수 · 매칭 중 · 지도 중 → 중단."""
        return self._run(self._withdraw, by=by, note=self._required_reason(reason, _("중단 사유")))

    def mark_followed_up(self, *, by=None, note=""):
        """지도 완료 → 성과 확인, when the case's follow-ups are done (by=None: the system itself)."""
        return self._run(self._mark_followed_up, by=by, note=note, system_allowed=True)

    # --- the state machine (django-fsm-2); only reachable through the methods above --------------------------

    @transition(field="stage", source=Stage.RECEIVED, target=Stage.MATCHING)
    def _start_matching(self):
        pass

    @transition(field="stage", source=Stage.MATCHING, target=Stage.IN_GUIDANCE)
    def _assign_mentor(self, mentor):
        self.mentor = mentor
        if self.started_year is None:
            self.started_year = timezone.localdate().year

    @transition(field="stage", source=Stage.IN_GUIDANCE, target=Stage.MATCHING)
    def _replace_mentor(self):
        self.mentor = None

    @transition(field="stage", source=Stage.IN_GUIDANCE, target=Stage.COMPLETED)
    def _complete(self):
        year = timezone.localdate().year
        if self.started_year is not None and year > self.started_year and self.ended_year is None:
            self.ended_year = year

    @transition(field="stage", source=list(OPEN_STAGES), target=Stage.WITHDRAWN)
    def _withdraw(self):
        pass

    @transition(field="stage", source=Stage.COMPLETED, target=Stage.FOLLOWED_UP)
    def _mark_followed_up(self):
        pass

    # --- bookkeeping ----------------------------------------------------------------------------------------

    @staticmethod
    def _required_reason(reason, label):
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError(_("%(label)s를 적어 주세요.") % {"label": label}, code="reason_required")
        return reason

    def _schedule_followups(self):
        from .followups import FollowUp  # followups.py builds on Case, which builds on this module

        FollowUp.objects.schedule_for(self, completed_on=timezone.localdate())

    def available_transitions(self, user):
        """The names of the transitions `user` may run on this case now (for the admin's buttons)."""
        if not user.has_perm(STAGE_PERMISSION):
            return []
        return [t.name.lstrip("_") for t in self.get_available_stage_transitions()]

    def _run(self, method, *, by, note="", system_allowed=False, **kwargs):
        if by is None:
            if not system_allowed:
                raise PermissionDenied(_("누가 단계를 바꾸는지 알 수 없습니다."))
        elif not by.has_perm(STAGE_PERMISSION):
            raise PermissionDenied(_("사례의 진행 단계를 바꿀 권한이 없습니다."))
        source = self.stage
        with transaction.atomic():
            # Lock the row: two staff pressing buttons at once must not both move the case.
            current = type(self).objects.select_for_update().filter(pk=self.pk).values_list("stage", flat=True)
            if current.first() != source:
                raise ValidationError(
                    _("다른 담당자가 먼저 이 사례의 단계를 바꿨습니다. 새로 열어 확인해 주세요."), code="stale_stage"
                )
            try:
                method(**kwargs)
            except TransitionNotAllowed:
                raise ValidationError(
                    _("'%(stage)s' 단계에서는 할 수 없는 일입니다.") % {"stage": Stage(source).label},
                    code="transition_not_allowed",
                ) from None
            self.stage_changed_at = timezone.now()
            self.version += 1  # an edit: a form opened before it is now stale
            target = Stage(self.stage)
            self._change_reason = f"{target.label}: {note}" if note else str(target.label)
            if by is not None:
                self._history_user = by
            self.save()
            if target == Stage.COMPLETED:
                self._schedule_followups()
            return StageChange.objects.create(
                case=self,
                transition=method.__name__.lstrip("_"),
                source=source,
                target=target,
                mentor=self.mentor if method.__name__ == "_assign_mentor" else None,
                by=by,
                note=note,
            )


class StageChange(models.Model):
    """One transition of a case: who moved it, from where to where, when, and why."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="stage_changes")
    transition = models.CharField(_("작업"), max_length=30)
    source = models.CharField(_("이전 단계"), max_length=12, choices=Stage)
    target = models.CharField(_("새 단계"), max_length=12, choices=Stage)
    mentor = models.ForeignKey(
        "cases.Mentor",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("배정한 퇴직기술자"),
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("처리한 사람"),
    )
    at = models.DateTimeField(_("일시"), default=timezone.now)
    note = models.TextField(_("메모·사유"), blank=True)

    class Meta:
        verbose_name = _("단계 변경 기록")
        verbose_name_plural = _("단계 변경 기록")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["case", "at"], name="stage_change_case_idx"),
            # The staff report: a year's assignments and completions (and the years that have any change).
            models.Index(fields=["transition", "at"], name="stage_change_transition_idx"),
            models.Index(fields=["at"], name="stage_change_at_idx"),
        ]

    def __str__(self):
        return f"{self.get_source_display()} → {self.get_target_display()}"
