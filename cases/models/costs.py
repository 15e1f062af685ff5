"""The cost ledger (비용): what a case cost, line by line, and how it was split between the program's subsidy
(지원금) and the firm's share (기업 부담금). Public reports give the program's part as 50–60%; the rate is the
case's own (`Case.subsidy_rate`), and a line's subsidy is computed from it unless staff enter it.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q, Sum
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .case import Case

# 10조 원: far above any line of a guidance budget, and far enough below 2**63 that sums of many lines never
# overflow a database integer (the staff report adds a year's lines).
MAX_AMOUNT = 10**13


class CostLineQuerySet(models.QuerySet):
    def totals(self):
        """{'amount', 'subsidy', 'firm_share'} in won over these lines, in one query."""
        totals = self.aggregate(amount=Sum("amount"), subsidy=Sum("subsidy"))
        amount, subsidy = totals["amount"] or 0, totals["subsidy"] or 0
        return {"amount": amount, "subsidy": subsidy, "firm_share": amount - subsidy}

    def totals_by_year(self):
        """[{'year', 'amount', 'subsidy', 'firm_share'}, …] by the year the cost arose, oldest first."""
        rows = (
            self.annotate(year=ExtractYear("spent_on"))
            .order_by()
            .values("year")
            .annotate(amount=Sum("amount"), subsidy=Sum("subsidy"))
            .order_by("year")
        )
        return [{**row, "firm_share": row["amount"] - row["subsidy"]} for row in rows]


class CostLine(models.Model):
    class Kind(models.TextChoices):
        CONSULTING = "consulting", _("자문료")
        AIRFARE = "airfare", _("항공료")
        ACCOMMODATION = "accommodation", _("숙박비")
        INTERPRETATION = "interpretation", _("통역비")
        OTHER = "other", _("기타")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="cost_lines", verbose_name=_("사례"))
    kind = models.CharField(_("비용 구분"), max_length=16, choices=Kind)
    spent_on = models.DateField(_("발생일"))
    amount = models.PositiveBigIntegerField(
        _("금액 (원)"),
        validators=[MaxValueValidator(MAX_AMOUNT, _("한 줄의 금액은 10조 원을 넘을 수 없습니다."))],
    )
    subsidy = models.PositiveBigIntegerField(
        _("지원금 (원)"),
        blank=True,
        help_text=_("비워 두면 사례의 지원 비율로 계산합니다. 금액을 넘을 수 없습니다."),
    )
    note = models.CharField(_("메모"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("등록일시"), auto_now_add=True)

    objects = CostLineQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("비용")
        verbose_name_plural = _("비용")
        ordering = ["spent_on", "pk"]
        indexes = [
            models.Index(fields=["case", "spent_on"], name="cost_line_case_idx"),
            models.Index(fields=["spent_on"], name="cost_line_spent_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__lte=MAX_AMOUNT),
                name="cost_amount_within_limit",
                violation_error_message=_("한 줄의 금액은 10조 원을 넘을 수 없습니다."),
            ),
            models.CheckConstraint(
                condition=Q(subsidy__lte=F("amount")),
                name="cost_subsidy_within_amount",
                violation_error_message=_("지원금은 그 줄의 금액보다 클 수 없습니다."),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount:,}원"

    def save(self, *args, **kwargs):
        self._fill_subsidy()
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        self._fill_subsidy()

    @property
    def firm_share(self):
        return (self.amount or 0) - (self.subsidy or 0)

    def _fill_subsidy(self):
        if self.subsidy is None and self.amount is not None:
            rate = self.case.subsidy_rate if self.case_id else None
            self.subsidy = subsidy_at(self.amount, rate) if rate is not None else 0


def subsidy_at(amount, rate):
    """The subsidy of `amount` won at `rate` percent, rounded to the won."""
    return int((Decimal(amount) * Decimal(rate) / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
