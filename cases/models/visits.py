"""Visits (지도 방문): one stay of an engineer at a firm, on site or remote; a stay of several days is one visit.

The rules live in `Visit.clean()` and, where a row alone can tell, in database constraints, so the admin, imports
and the engineers' own forms all refuse the same things with the same Korean messages.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Exists, F, Max, Min, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .case import Case
from .engineers import Mentor
from .lifecycle import StageChange
from .vocabulary import GuidanceArea

MAX_HOURS_PER_DAY = 12


class VisitQuerySet(models.QuerySet):
    def dates(self, field_name, kind, order="ASC"):
        """As QuerySet.dates(); the years (what the visit list's date hierarchy shows first) found by asking, for
        each year from the first visit to the last, whether one exists: a probe of the date index per year, in one
        query, instead of DISTINCT over every visit of the program (~250 ms at 500,000 visits)."""
        if kind != "year" or self.query.is_sliced:
            return super().dates(field_name, kind, order)
        bounds = self.order_by().aggregate(first=Min(field_name), last=Max(field_name))
        if bounds["first"] is None:
            return []
        probes = {
            f"y{year}": Exists(
                self.order_by().filter(
                    **{f"{field_name}__gte": date(year, 1, 1), f"{field_name}__lt": date(year + 1, 1, 1)}
                )
            )
            for year in range(bounds["first"].year, bounds["last"].year + 1)
        }
        found = self.order_by().annotate(**probes).values(*probes)[0]  # one row: the probes are evaluated once
        years = [date(int(key[1:]), 1, 1) for key, exists in found.items() if exists]
        return years if order == "ASC" else years[::-1]

    def confirmed(self):
        """Visits on record: entered by staff, or reported by the engineer and confirmed by staff."""
        return self.filter(report_state=Visit.ReportState.CONFIRMED)

    def awaiting_review(self):
        """Visits the engineer reported that staff have not yet confirmed or returned."""
        return self.filter(report_state=Visit.ReportState.SUBMITTED)

    def totals_by_case(self, case_ids):
        """{case id: (visits, days, hours)} over the visits on record of these cases (none: not in it), one query."""
        rows = (
            self.confirmed()
            .filter(case_id__in=case_ids)
            .order_by()
            .values_list("case_id")
            .annotate(Count("pk"), Sum("days"), Sum("hours"))
        )
        return {case_id: (visits, days, hours) for case_id, visits, days, hours in rows}

    def totals(self):
        """{'visits': n, 'days': n, 'hours': Decimal} over these visits that are on record, in one query."""
        totals = self.confirmed().aggregate(visits=Count("pk"), days=Sum("days"), hours=Sum("hours"))
        return {"visits": totals["visits"], "days": totals["days"] or 0, "hours": totals["hours"] or 0}


class Visit(models.Model):
    class Mode(models.TextChoices):
        ON_SITE = "on_site", _("현장 방문")
        REMOTE = "remote", _("원격")

    class ReportState(models.TextChoices):
        SUBMITTED = "submitted", _("확인 대기")  # reported by the engineer through their link
        CONFIRMED = "confirmed", _("확인됨")  # on record (staff entered it or confirmed the engineer's report)
        RETURNED = "returned", _("반려")  # sent back to the engineer with a reason; not on record

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="visits", verbose_name=_("사례"))
    mentor = models.ForeignKey(
        Mentor,
        on_delete=models.PROTECT,
        related_name="visits",
        blank=True,
        verbose_name=_("퇴직기술자"),
        help_text=_("비워 두면 사례에 배정된 퇴직기술자입니다."),
    )
    started_on = models.DateField(_("시작일"))
    ended_on = models.DateField(_("종료일"), help_text=_("하루 방문이면 시작일과 같게 적습니다."))
    days = models.PositiveSmallIntegerField(_("일수"), editable=False)
    mode = models.CharField(_("방식"), max_length=8, choices=Mode, default=Mode.ON_SITE)
    hours = models.DecimalField(_("지도 시간"), max_digits=5, decimal_places=1, help_text=_("하루 최대 12시간"))
    interpreter = models.BooleanField(_("통역 동석"), default=False)
    topics = models.ManyToManyField(GuidanceArea, related_name="visits", blank=True, verbose_name=_("지도 분야"))
    summary = models.TextField(_("지도 내용 요약"), blank=True)
    action_items = models.TextField(_("후속 조치 사항"), blank=True)
    firm_confirmed_on = models.DateField(_("기업 확인일"), null=True, blank=True)
    report_state = models.CharField(
        _("보고 상태"), max_length=10, choices=ReportState, default=ReportState.CONFIRMED, db_index=True
    )
    returned_reason = models.TextField(_("반려 사유"), blank=True)
    reviewed_at = models.DateTimeField(_("확인·반려 일시"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("등록일시"), auto_now_add=True)
    updated_at = models.DateTimeField(_("수정일시"), auto_now=True)

    objects = VisitQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[topics])

    class Meta:
        verbose_name = _("지도 방문")
        verbose_name_plural = _("지도 방문")
        ordering = ["-started_on", "-pk"]
        indexes = [
            models.Index(fields=["case", "started_on"], name="visit_case_idx"),
            models.Index(fields=["mentor", "started_on", "ended_on"], name="visit_mentor_days_idx"),
            models.Index(fields=["started_on"], name="visit_started_idx"),
            # Reports awaiting review (a few hundred among hundreds of thousands): the dashboard's count and the
            # visit list filtered by state, with its date range, without reading the whole table.
            models.Index(fields=["report_state", "started_on"], name="visit_report_state_idx"),
            # A case's latest confirmed visit, from the index alone: the dashboard's "no visit lately".
            models.Index(
                fields=["case", "ended_on"], name="visit_confirmed_end_idx", condition=Q(report_state="confirmed")
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__gte=F("started_on")),
                name="visit_ends_after_it_starts",
                violation_error_message=_("종료일이 시작일보다 빠릅니다."),
            ),
            models.CheckConstraint(
                condition=~Q(report_state="returned") | ~Q(returned_reason=""),
                name="returned_visit_has_reason",
                violation_error_message=_("반려할 때는 사유를 적어야 합니다."),
            ),
            models.CheckConstraint(
                condition=Q(hours__gt=0) & Q(hours__lte=F("days") * MAX_HOURS_PER_DAY),
                name="visit_hours_within_days",
                violation_error_message=_("지도 시간은 0보다 크고 하루 12시간 이하여야 합니다."),
            ),
        ]

    def __str__(self):
        if not self.started_on or not self.ended_on:
            return str(_("지도 방문"))
        if self.started_on == self.ended_on:
            return f"{self.started_on:%Y-%m-%d}"
        return f"{self.started_on:%Y-%m-%d}–{self.ended_on:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        self._fill_defaults()
        super().save(*args, **kwargs)

    def _fill_defaults(self):
        if self.mentor_id is None and self.case_id is not None:
            self.mentor_id = self.case.mentor_id
        if self.started_on and self.ended_on:
            self.days = (self.ended_on - self.started_on).days + 1

    def clean(self):
        super().clean()
        if self.case_id is None or not self.started_on or not self.ended_on:
            return  # the missing field has its own error
        self._fill_defaults()
        if self.ended_on < self.started_on:
            raise ValidationError({"ended_on": _("종료일이 시작일보다 빠를 수 없습니다.")}, code="ends_before_start")
        if self.hours is not None:
            if self.hours <= 0:
                raise ValidationError({"hours": _("지도 시간은 0보다 커야 합니다.")}, code="no_hours")
            limit = MAX_HOURS_PER_DAY * self.days
            if self.hours > limit:
                raise ValidationError(
                    {
                        "hours": _(
                            "지도 시간은 하루 12시간을 넘을 수 없습니다 (이 방문은 %(days)s일: 최대 %(limit)s시간)."
                        )
                        % {"days": self.days, "limit": limit}
                    },
                    code="too_many_hours",
                )
        self._check_engineer_assigned()
        self._check_engineer_is_free()

    def _check_engineer_assigned(self):
        if self.mentor_id is None:
            raise ValidationError(
                _("이 사례에는 아직 퇴직기술자가 배정되지 않아 방문을 기록할 수 없습니다."), code="no_engineer"
            )
        assigned = (
            StageChange.objects.filter(case_id=self.case_id, transition="assign_mentor")
            .order_by("at")
            .values_list("at", flat=True)
            .first()
        )
        if assigned is not None and self.started_on < assigned.date():
            raise ValidationError(
                {
                    "started_on": _("퇴직기술자가 배정된 날(%(date)s)보다 앞선 방문은 기록할 수 없습니다.")
                    % {"date": f"{assigned.date():%Y-%m-%d}"}
                },
                code="before_engineer",
            )

    def _check_engineer_is_free(self):
        clash = (
            Visit.objects.filter(mentor_id=self.mentor_id, started_on__lte=self.ended_on, ended_on__gte=self.started_on)
            .exclude(report_state=Visit.ReportState.RETURNED)
            .exclude(case_id=self.case_id)
            .exclude(pk=self.pk)
            .select_related("case")
            .first()
        )
        if clash is not None:
            raise ValidationError(
                _("같은 퇴직기술자가 같은 날짜에 다른 사례(%(case)s)를 방문한 기록(%(days)s)이 있습니다.")
                % {"case": clash.case.code, "days": str(clash)},
                code="engineer_busy",
            )

    # --- the engineer's reports (portal) and staff's review ----------------------------------------------------

    def confirm(self):
        """Staff accept the engineer's report: the visit is on record and counts in the totals."""
        self._review(self.ReportState.CONFIRMED, reason="")

    def return_to_engineer(self, reason):
        """Staff send the report back with a reason; the engineer sees it on their page and may report again."""
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError(_("반려 사유를 적어 주세요."), code="reason_required")
        self._review(self.ReportState.RETURNED, reason=reason)

    def _review(self, state, *, reason):
        if self.report_state != self.ReportState.SUBMITTED:
            raise ValidationError(_("확인을 기다리는 방문 보고만 확인하거나 반려할 수 있습니다."), code="not_submitted")
        self.report_state, self.returned_reason, self.reviewed_at = state, reason, timezone.now()
        self.save(update_fields=["report_state", "returned_reason", "reviewed_at", "updated_at"])
