"""What the study reports a case achieved: outcome statements and the numbers (metrics) that go with them."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .case import Case
from .vocabulary import MetricKind


class OutcomeManager(models.Manager):
    def get_by_natural_key(self, case_code, position):
        return self.get(case__code=case_code, position=position)


class MetricManager(models.Manager):
    def get_by_natural_key(self, case_code, name):
        return self.get(case__code=case_code, name=name)


class Outcome(models.Model):
    """One result the study reports for a case, direct or indirect."""

    class Kind(models.TextChoices):
        DIRECT = "direct", _("직접 성과")
        INDIRECT = "indirect", _("간접 효과")
        OUTLOOK = "outlook", _("향후 목표·전망")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="outcome_items", verbose_name=_("사례"))
    position = models.PositiveSmallIntegerField(_("순서"), default=1)
    kind = models.CharField(_("구분"), max_length=12, choices=Kind, default=Kind.DIRECT)
    text = models.TextField(_("내용"))

    objects = OutcomeManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("성과")
        verbose_name_plural = _("성과")
        ordering = ["case", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "position"],
                name="outcome_unique_position",
                violation_error_message=_("한 사례 안에서 성과 순서가 겹칩니다."),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.text[:40]}"

    def natural_key(self):
        return (*self.case.natural_key(), self.position)

    natural_key.dependencies = ["cases.case"]


class Metric(models.Model):
    """A number the study gives for a case's outcome, e.g. J: about 10% cost saving per mold."""

    class Qualifier(models.TextChoices):
        EXACT = "exact", _("정확히")
        ABOUT = "about", _("약")
        AT_LEAST = "at_least", _("이상")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="metrics", verbose_name=_("사례"))
    name = models.CharField(_("측정 항목"), max_length=120, help_text=_("무엇을 쟀는지. 예: 금형 1개당 비용 절감률"))
    unit = models.CharField(_("단위"), max_length=20, help_text=_("예: %, 개/월"))
    baseline = models.DecimalField(_("이전 값"), max_digits=14, decimal_places=2, null=True, blank=True)
    value = models.DecimalField(
        _("결과 값"), max_digits=14, decimal_places=2, help_text=_("지도 뒤 달성한 값이나 변화량")
    )
    target = models.DecimalField(_("목표 값"), max_digits=14, decimal_places=2, null=True, blank=True)
    qualifier = models.CharField(_("정확도"), max_length=12, choices=Qualifier, default=Qualifier.EXACT)
    position = models.PositiveSmallIntegerField(_("순서"), default=1)
    kind = models.ForeignKey(
        MetricKind,
        on_delete=models.PROTECT,
        related_name="metrics",
        null=True,
        blank=True,
        verbose_name=_("지표 종류"),
        help_text=_("맞는 종류가 있을 때만 고릅니다. 값과 단위는 자료에 적힌 그대로 둡니다."),
    )

    objects = MetricManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("성과 지표")
        verbose_name_plural = _("성과 지표")
        ordering = ["case", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "name"],
                name="metric_unique_name_per_case",
                violation_error_message=_("이 사례에 같은 이름의 지표가 이미 있습니다."),
            ),
        ]

    def __str__(self):
        return f"{self.name} {self.value_display}"

    def natural_key(self):
        return (*self.case.natural_key(), self.name)

    natural_key.dependencies = ["cases.case"]

    @property
    def value_display(self):
        return format_quantity(self.value, self.unit, self.qualifier)

    @property
    def baseline_display(self):
        return format_quantity(self.baseline, self.unit)

    @property
    def target_display(self):
        return format_quantity(self.target, self.unit)


def format_quantity(number, unit, qualifier=Metric.Qualifier.EXACT):
    """'약 10%', '5,000개/월 이상': the study's way of stating a number."""
    if number is None:
        return ""
    text = f"{number.normalize():,f}{unit}"
    if qualifier == Metric.Qualifier.ABOUT:
        return f"약 {text}"
    if qualifier == Metric.Qualifier.AT_LEAST:
        return f"{text} 이상"
    return text
