"""Vocabularies staff extend (industries, guidance areas, outcome patterns, evolution paths).

Every fixture-loaded model has a natural key (its `code`) so `manage.py seed` can tell what already exists.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class CodeManager(models.Manager):
    """Natural-key lookups for models identified by a unique `code`."""

    def get_by_natural_key(self, code):
        return self.get(code=code)


class CodedModel(models.Model):
    """A record staff refer to by a short, stable code (also its natural key)."""

    code = models.SlugField(
        _("코드"),
        max_length=40,
        unique=True,
        allow_unicode=True,
        help_text=_("영문·숫자·하이픈으로 된 짧은 고유 코드. URL과 필터에 쓰이므로 만든 뒤에는 바꾸지 마세요."),
    )

    objects = CodeManager()

    class Meta:
        abstract = True

    def natural_key(self):
        return (self.code,)


class Industry(CodedModel):
    name = models.CharField(_("업종명"), max_length=60, unique=True)
    position = models.PositiveSmallIntegerField(_("표시 순서"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("업종")
        verbose_name_plural = _("업종")
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


class GuidanceArea(CodedModel):
    name = models.CharField(_("분야명"), max_length=60, unique=True)
    description = models.TextField(_("설명"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("지도 분야")
        verbose_name_plural = _("지도 분야")
        ordering = ["name"]

    def __str__(self):
        return self.name


class OutcomePattern(CodedModel):
    name = models.CharField(_("패턴명"), max_length=60, unique=True, help_text=_("예: 성과 패턴 1"))
    title = models.CharField(
        _("요약"), max_length=120, help_text=_("한 줄 요약. 예: 생산기술 안정화 → 제품경쟁력 강화")
    )
    korean_side = models.CharField(_("한국 측 효과"), max_length=120)
    japanese_side = models.CharField(_("일본 측 효과"), max_length=120)
    description = models.TextField(_("설명"))
    position = models.PositiveSmallIntegerField(_("표시 순서"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("성과 패턴")
        verbose_name_plural = _("성과 패턴")
        ordering = ["position", "code"]

    def __str__(self):
        return f"{self.name}: {self.title}"


class EvolutionPath(CodedModel):
    """Section 4's paths on the product × technology grid (그림11)."""

    class Kind(models.TextChoices):
        GENERAL = "general", _("범용")
        PROPRIETARY = "proprietary", _("독자")

    name = models.CharField(_("경로명"), max_length=40, unique=True, help_text=_("예: 경로 ①"))
    product = models.CharField(_("상품"), max_length=12, choices=Kind)
    technology = models.CharField(_("기술"), max_length=12, choices=Kind)
    description = models.TextField(_("설명"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("진화 경로")
        verbose_name_plural = _("진화 경로")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "technology"],
                name="evolution_path_unique_cell",
                violation_error_message=_("같은 상품·기술 조합의 경로가 이미 있습니다."),
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_product_display()} 상품 × {self.get_technology_display()} 기술)"


class MetricKind(CodedModel):
    """What a follow-up measures (불량률, 원가, 매출, …): its unit, and which way is better."""

    name = models.CharField(_("지표명"), max_length=60, unique=True, help_text=_("예: 불량률"))
    unit = models.CharField(_("단위"), max_length=20, help_text=_("예: %, 백만 원, 명"))
    lower_is_better = models.BooleanField(
        _("낮을수록 좋음"), default=False, help_text=_("불량률·원가처럼 줄어드는 것이 개선인 지표에 표시합니다.")
    )
    position = models.PositiveSmallIntegerField(_("표시 순서"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("성과 지표 종류")
        verbose_name_plural = _("성과 지표 종류")
        ordering = ["position", "code"]

    def __str__(self):
        return f"{self.name} ({self.unit})"
