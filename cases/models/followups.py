"""Follow-up surveys (사후 성과 조사): what came of a case, asked of its firm at completion and twice after.

A case that reaches 지도 완료 gets three follow-ups, due settings.FOLLOWUP_MONTHS months after completion. The
firm answers each through its own link (links.py, the page in portal/); staff send the links and may close a
follow-up that stays unanswered. When the last one is answered or closed, the case moves to 성과 확인.
The study's 12 cases have none: the study reports no follow-up.
"""

import calendar
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .case import Case
from .lifecycle import Stage
from .links import LinkHolder, LinkRefusal
from .vocabulary import GuidanceArea, MetricKind


def add_months(day, months):
    """`day` plus `months` calendar months, on the month's last day where the day does not exist (31 → 30)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class FollowUpQuerySet(models.QuerySet):
    def open(self):
        """Not yet answered or closed."""
        return self.filter(state__in=FollowUp.OPEN_STATES)

    def answered(self):
        return self.filter(state=FollowUp.State.ANSWERED)

    def due_by(self, day):
        """Open follow-ups due on or before `day` (overdue ones included)."""
        return self.open().filter(due_on__lte=day)

    def schedule_for(self, case, completed_on=None):
        """Create the case's three follow-ups (those it lacks), due FOLLOWUP_MONTHS after `completed_on`."""
        completed_on = completed_on or timezone.localdate()
        existing = set(self.filter(case=case).values_list("kind", flat=True))
        planned = [
            FollowUp(case=case, kind=kind, due_on=add_months(completed_on, months))
            for kind, months in zip(FollowUp.Kind.values, settings.FOLLOWUP_MONTHS, strict=True)
            if kind not in existing
        ]
        return self.bulk_create(planned)


class FollowUp(LinkHolder):
    class Kind(models.TextChoices):
        # Named by their place, not their month, because the months are a setting.
        COMPLETION = "completion", _("완료 시 조사")
        FIRST = "first", _("1차 사후 조사")
        SECOND = "second", _("2차 사후 조사")

    class State(models.TextChoices):
        DUE = "due", _("조사 예정")
        SENT = "sent", _("링크 발송")
        ANSWERED = "answered", _("응답 완료")
        CLOSED = "closed", _("무응답 종료")

    OPEN_STATES = (State.DUE, State.SENT)
    link_url_name = "portal:followup"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="followups", verbose_name=_("사례"))
    kind = models.CharField(_("조사 구분"), max_length=12, choices=Kind)
    due_on = models.DateField(_("조사 예정일"))
    state = models.CharField(_("상태"), max_length=10, choices=State, default=State.DUE)
    sent_at = models.DateTimeField(_("링크 발송일시"), null=True, blank=True, editable=False)
    answered_at = models.DateTimeField(_("응답일시"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("종료일시"), null=True, blank=True, editable=False)
    # The answers (empty until answered).
    satisfaction = models.PositiveSmallIntegerField(
        _("만족도 (1–5)"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    recommend = models.PositiveSmallIntegerField(
        _("추천 의향 (0–10)"), null=True, blank=True, validators=[MaxValueValidator(10)]
    )
    attribution = models.PositiveSmallIntegerField(
        _("기술지도 덕분인 정도 (%)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text=_("달라진 것 가운데 기술지도 덕분이라고 보는 몫 (0–100%)."),
    )
    # Free text from the firm: may name people or customers, so staff only (privacy.inventory).
    comment = models.TextField(_("의견 (비공개)"), blank=True)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = _("사후 성과 조사")
        verbose_name_plural = _("사후 성과 조사")
        ordering = ["due_on", "pk"]
        indexes = [
            models.Index(fields=["state", "due_on"], name="followup_state_due_idx"),
            # The staff report reads a year's answers (and the years that have any).
            models.Index(fields=["answered_at"], name="followup_answered_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind"],
                name="followup_unique_kind_per_case",
                violation_error_message=_("이 사례에 같은 구분의 사후 조사가 이미 있습니다."),
            ),
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True) | Q(satisfaction__gte=1, satisfaction__lte=5),
                name="followup_satisfaction_1_to_5",
                violation_error_message=_("만족도는 1에서 5 사이입니다."),
            ),
            models.CheckConstraint(
                condition=Q(recommend__isnull=True) | Q(recommend__lte=10),
                name="followup_recommend_0_to_10",
                violation_error_message=_("추천 의향은 0에서 10 사이입니다."),
            ),
            models.CheckConstraint(
                condition=Q(attribution__isnull=True) | Q(attribution__lte=100),
                name="followup_attribution_percent",
                violation_error_message=_("기술지도 덕분인 정도는 0에서 100% 사이입니다."),
            ),
            models.CheckConstraint(
                condition=~Q(state="answered") | Q(answered_at__isnull=False),
                name="followup_answered_has_time",
                violation_error_message=_("응답 완료인 조사에는 응답일시가 있어야 합니다."),
            ),
        ]

    def __str__(self):
        return f"{self.case.code} {self.get_kind_display()} ({self.due_on:%Y-%m-%d})"

    @property
    def is_open(self):
        return self.state in self.OPEN_STATES

    def link_refusal(self):
        if not self.is_open:
            return LinkRefusal.USED
        return super().link_refusal()

    def mark_sent(self):
        """The link went out (staff's action or a reminder): remember when."""
        self.sent_at = timezone.now()
        updates = {"sent_at": self.sent_at}
        if self.state == self.State.DUE:
            self.state = updates["state"] = self.State.SENT
        FollowUp.objects.filter(pk=self.pk, state__in=self.OPEN_STATES).update(**updates)

    def record_answer(self, *, satisfaction, recommend, attribution, comment="", adoptions=(), measurements=()):
        """Store the firm's answers once. `adoptions`: (area, Adoption value) pairs for the case's areas;
        `measurements`: (MetricKind, baseline, current) triples. Moves the case on when it was the last one."""
        with transaction.atomic():
            locked = FollowUp.objects.select_for_update().get(pk=self.pk)
            if not locked.is_open:
                raise ValidationError(_("이미 응답했거나 종료된 조사입니다."), code="followup_closed")
            case_areas = set(self.case.guidance_areas.values_list("pk", flat=True))
            self.satisfaction, self.recommend, self.attribution = satisfaction, recommend, attribution
            self.comment = comment
            self.state, self.answered_at = self.State.ANSWERED, timezone.now()
            self.save(update_fields=["satisfaction", "recommend", "attribution", "comment", "state", "answered_at"])
            FollowUpAdoption.objects.bulk_create(
                FollowUpAdoption(followup=self, area=area, adopted=adopted)
                for area, adopted in adoptions
                if area.pk in case_areas
            )
            FollowUpMeasurement.objects.bulk_create(
                FollowUpMeasurement(followup=self, kind=kind, baseline=baseline, current=current)
                for kind, baseline, current in measurements
            )
            finish_case_when_followed_up(self.case)

    def close_unanswered(self):
        """Staff give up on an answer; the case moves on when this was the last open follow-up."""
        with transaction.atomic():
            closed = FollowUp.objects.filter(pk=self.pk, state__in=self.OPEN_STATES).update(
                state=self.State.CLOSED, closed_at=timezone.now()
            )
            if not closed:
                raise ValidationError(_("이미 응답했거나 종료된 조사입니다."), code="followup_closed")
            self.refresh_from_db()
            finish_case_when_followed_up(self.case)


def finish_case_when_followed_up(case):
    """지도 완료 → 성과 확인 once the case has follow-ups and none is open (by the system itself).

    Runs inside the caller's transaction and locks the case first, so two last follow-ups answered at the same
    moment cannot both see the other still open; if staff moved the case meanwhile, the answer still stands.
    """
    locked = Case.objects.select_for_update().filter(pk=case.pk).values_list("stage", flat=True).first()
    if locked != Stage.COMPLETED:
        return
    case.refresh_from_db(fields=["stage", "version", "stage_changed_at"])
    followups = FollowUp.objects.filter(case=case)
    if followups.exists() and not followups.open().exists():
        try:
            case.mark_followed_up(by=None, note=str(_("사후 성과 조사가 모두 끝났습니다.")))
        except ValidationError:  # moved by staff in between: their stage stands, and so does the answer
            pass


class Adoption(models.TextChoices):
    YES = "yes", _("도입함")
    PARTLY = "partly", _("일부 도입")
    NO = "no", _("도입하지 않음")


class FollowUpAdoption(models.Model):
    """Whether the firm adopted what was taught in one of the case's guidance areas."""

    Adoption = Adoption

    followup = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="adoptions")
    area = models.ForeignKey(GuidanceArea, on_delete=models.PROTECT, related_name="+", verbose_name=_("지도 분야"))
    adopted = models.CharField(_("현장 도입"), max_length=8, choices=Adoption)

    class Meta:
        verbose_name = _("지도 내용 도입")
        verbose_name_plural = _("지도 내용 도입")
        ordering = ["followup", "area__name"]
        constraints = [
            models.UniqueConstraint(fields=["followup", "area"], name="followup_adoption_unique_area"),
        ]

    def __str__(self):
        return f"{self.area}: {self.get_adopted_display()}"


class FollowUpMeasurement(models.Model):
    """One measured value of a metric kind: before the guidance (baseline) and now."""

    followup = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="measurements")
    kind = models.ForeignKey(MetricKind, on_delete=models.PROTECT, related_name="measurements", verbose_name=_("지표"))
    baseline = models.DecimalField(_("지도 전 값"), max_digits=14, decimal_places=2)
    current = models.DecimalField(_("현재 값"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("측정값")
        verbose_name_plural = _("측정값")
        ordering = ["followup", "kind__position", "kind__code"]
        constraints = [
            models.UniqueConstraint(fields=["followup", "kind"], name="followup_measurement_unique_kind"),
        ]

    def __str__(self):
        return f"{self.kind.name}: {self.baseline} → {self.current}"

    @property
    def change(self):
        return self.current - self.baseline

    @property
    def change_percent(self):
        """The change relative to the baseline, in percent (None when the baseline is 0)."""
        if not self.baseline:
            return None
        return (self.current - self.baseline) / abs(self.baseline) * 100
