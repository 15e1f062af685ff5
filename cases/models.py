"""The program's domain: firms, mentors, guidance areas, outcome patterns and the cases that tie them.

Vocabularies staff extend (industries, guidance areas, outcome patterns, evolution paths) are tables;
every fixture-loaded model has a natural key so `manage.py seed` can tell what already exists.
"""

from dataclasses import dataclass

from django.db import models
from django.db.models import Count, ExpressionWrapper, F, OuterRef, Q, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from . import search

SIMILAR_CANDIDATES = 200  # how many of the newest candidate cases a case page ranks as similar
FIRST_PROGRAM_YEAR = 2008  # the program started in 2008 (study, section 1)
LAST_PLAUSIBLE_YEAR = 2100


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


class Firm(CodedModel):
    name = models.CharField(
        _("공개 이름"), max_length=60, unique=True, help_text=_("공개 페이지에 쓰는 익명 이름. 예: A기업")
    )
    products = models.CharField(_("생산제품"), max_length=200)
    industry = models.ForeignKey(Industry, on_delete=models.PROTECT, related_name="firms", verbose_name=_("업종"))
    profile = models.TextField(_("기업 개요"), blank=True, help_text=_("자료에 나온 기업 설명만 적습니다."))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("기업")
        verbose_name_plural = _("기업")
        ordering = ["code"]

    def __str__(self):
        return self.name


class Mentor(CodedModel):
    """A retired Japanese engineer. Unknown facts stay empty: the study names no one."""

    name = models.CharField(
        _("이름 또는 표기"),
        max_length=80,
        help_text=_("실명을 공개하지 않으면 'A기업 지도 퇴직기술자'처럼 적습니다."),
    )
    background = models.TextField(_("경력"), blank=True, help_text=_("자료에 나온 경력만 적고, 모르면 비워 둡니다."))
    years_of_experience = models.PositiveSmallIntegerField(
        _("경력 연수"), null=True, blank=True, help_text=_("자료에 나온 경우에만. 예: 50")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("퇴직기술자")
        verbose_name_plural = _("퇴직기술자")
        ordering = ["code"]

    def __str__(self):
        return self.name


class CaseQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Case.Status.PUBLISHED)

    def for_listing(self):
        """Everything the public list and the API render, in a fixed number of queries."""
        return (
            self.published()
            .select_related("firm__industry", "mentor", "outcome_pattern", "evolution_path")
            .prefetch_related("guidance_areas")
        )

    def for_detail(self):
        """A case page: the listing's joins plus its outcomes and metrics."""
        return self.for_listing().prefetch_related("outcome_items", "metrics")

    def with_similar(self, pk, limit=6, candidates=SIMILAR_CANDIDATES):
        """Case `pk` first, then up to `limit` others of these cases most like it (one query).

        Most like it: most guidance areas shared, then the same outcome pattern, then by code. Only the newest
        `candidates` cases sharing an area and the newest sharing the pattern are ranked, so the cost stays
        fixed however many cases exist (with fewer candidates than that, the ranking is exact).
        Each case carries `shared_areas`. Empty when there is no case `pk` among these.
        """
        areas_of_case = Case.guidance_areas.through.objects.filter(case_id=pk).values("guidancearea_id")
        pattern_of_case = Subquery(Case.objects.filter(pk=pk).order_by().values("outcome_pattern_id"))
        sharing_an_area = (
            Case.guidance_areas.through.objects.filter(guidancearea_id__in=areas_of_case)
            .exclude(case_id=pk)
            .order_by("-case_id")
            .values("case_id")[:candidates]
        )
        sharing_the_pattern = (
            Case.objects.published()
            .filter(outcome_pattern_id=pattern_of_case)
            .exclude(pk=pk)
            .order_by("-pk")
            .values("pk")[:candidates]
        )
        shared_with_case = (
            Case.guidance_areas.through.objects.filter(case_id=OuterRef("pk"), guidancearea_id__in=areas_of_case)
            .order_by()
            .values("case_id")
            .annotate(n=Count("*"))
            .values("n")
        )
        # One id list (a UNION ALL, each part read newest first from an index and cut short), rather than
        # `pk = X OR pk IN (...) OR pk IN (...)`, which PostgreSQL can only answer by scanning every case.
        area_sql, area_params = sharing_an_area.query.sql_with_params()
        pattern_sql, pattern_params = sharing_the_pattern.query.sql_with_params()
        ids = RawSQL(
            f"SELECT %s UNION ALL SELECT * FROM ({area_sql}) AS a UNION ALL SELECT * FROM ({pattern_sql}) AS p",
            [pk, *area_params, *pattern_params],
        )
        ranking = {
            "is_this": ExpressionWrapper(Q(pk=pk), models.BooleanField()),
            "shared_areas": Coalesce(Subquery(shared_with_case), 0),
            "same_pattern": ExpressionWrapper(Q(outcome_pattern_id=pattern_of_case), models.BooleanField()),
        }
        order = ("-is_this", "-shared_areas", "-same_pattern", "code")
        # Ranked on the bare rows; only the winners are joined to their firm, mentor, pattern and path.
        winners = self.filter(pk__in=ids).annotate(**ranking).order_by(*order).values("pk")[: limit + 1]
        return (
            self.filter(pk__in=winners)
            .select_related("firm__industry", "mentor", "outcome_pattern", "evolution_path")
            .annotate(**ranking)
            .order_by(*order)
        )

    def recently_published(self, limit=20):
        return self.for_listing().exclude(published_at=None).order_by("-published_at", "-pk")[:limit]

    def active_in(self, year):
        """Cases whose guidance period includes `year` (a one-year period has no end year)."""
        return self.filter(started_year__lte=year).filter(
            Q(ended_year__gte=year) | Q(ended_year__isnull=True, started_year=year)
        )

    def search(self, query):
        """Cases whose search text contains every word of `query` (see cases/search.py)."""
        queryset = self
        for term in search.search_terms(query):
            if len(term) >= 2 and search.uses_bigram_index():
                # Candidates from the bigram GIN index (a self-contained subquery, so it also works where
                # this queryset is itself nested); longer words are confirmed by the substring test.
                candidates = RawSQL(
                    "SELECT id FROM cases_case WHERE search_bigrams @@ %s::tsquery", [search.bigram_tsquery(term)]
                )
                queryset = queryset.filter(pk__in=candidates)
                if len(term) == 2:
                    continue  # the word is one bigram: the index's answer is exact, no substring test needed
            queryset = queryset.filter(search_text__contains=term)
        return queryset

    def refresh_search_text(self):
        """Recompute `search_text` for these cases, without touching anything else (no history, no signals)."""
        cases = list(self.select_related("firm", "mentor").prefetch_related("guidance_areas"))
        for case in cases:
            case.search_text = search.build_search_text(case)
        self.model.objects.bulk_update(cases, ["search_text"], batch_size=1000)
        return len(cases)

    def overview(self):
        """Every year some case's guidance period covers (newest first) and the number of drafts, in one query."""
        years, drafts = set(), 0
        periods = self.order_by().values_list("started_year", "ended_year")
        for start, end, draft_count in periods.annotate(drafts=Count("pk", filter=Q(status=Case.Status.DRAFT))):
            drafts += draft_count
            years.update(period_years(start, end))
        return CaseOverview(sorted(years, reverse=True), drafts)


def period_years(start, end):
    """The years a guidance period covers, as CaseQuerySet.active_in counts them (a one-year period has no end)."""
    if start is None:
        return range(0)
    return range(start, (end or start) + 1)


@dataclass
class CaseOverview:
    years: list
    drafts: int


class Case(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("작성 중")
        PUBLISHED = "published", _("공개")

    code = models.SlugField(
        _("사례 코드"),
        max_length=40,
        unique=True,
        allow_unicode=True,
        help_text=_("사례마다 다른 짧은 코드. 예: 2017-A (자료 연도-기업 코드)"),
    )
    firm = models.ForeignKey(Firm, on_delete=models.PROTECT, related_name="cases", verbose_name=_("기업"))
    mentor = models.ForeignKey(
        Mentor,
        on_delete=models.PROTECT,
        related_name="cases",
        null=True,
        blank=True,
        verbose_name=_("퇴직기술자"),
    )
    guidance_areas = models.ManyToManyField(GuidanceArea, related_name="cases", blank=True, verbose_name=_("지도 분야"))
    background = models.TextField(
        _("지도 배경"), blank=True, help_text=_("기업이 가져온 애로기술이나 기술지도를 받은 목적.")
    )
    guidance = models.TextField(_("지도내용"), help_text=_("무엇을 지도했는지 요약합니다 (자료 요약표의 '지도내용')."))
    guidance_details = models.TextField(
        _("세부 지도 내용"), blank=True, help_text=_("구체적으로 지도가 이루어진 분야와 방법.")
    )
    outcomes = models.TextField(_("주요 성과"), help_text=_("성과 요약 (자료 요약표의 '주요 성과')."))
    outcome_pattern = models.ForeignKey(
        OutcomePattern,
        on_delete=models.PROTECT,
        related_name="cases",
        null=True,
        blank=True,
        verbose_name=_("성과 패턴"),
        help_text=_("공개하려면 반드시 골라야 합니다."),
    )
    evolution_path = models.ForeignKey(
        EvolutionPath,
        on_delete=models.PROTECT,
        related_name="cases",
        null=True,
        blank=True,
        verbose_name=_("진화 경로"),
        help_text=_("자료가 경로를 밝힌 경우에만 고릅니다."),
    )
    started_year = models.PositiveSmallIntegerField(_("지도 시작 연도"), null=True, blank=True)
    ended_year = models.PositiveSmallIntegerField(
        _("지도 종료 연도"), null=True, blank=True, help_text=_("한 해만 지도했다면 비워 둡니다.")
    )
    status = models.CharField(_("상태"), max_length=12, choices=Status, default=Status.DRAFT)
    source = models.CharField(_("출처"), max_length=300, blank=True)
    source_notes = models.TextField(
        _("원문 교정 기록"),
        blank=True,
        help_text=_("출처 원문의 오탈자를 바로잡은 경우 무엇을 어떻게 고쳤는지 적습니다."),
    )
    published_at = models.DateTimeField(_("공개일시"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("등록일시"), auto_now_add=True)
    updated_at = models.DateTimeField(_("수정일시"), auto_now=True)
    # Derived, for search only: kept in step by cases/signals.py (see cases/search.py).
    search_text = models.TextField(_("검색용 텍스트"), blank=True, default="", editable=False)
    # Optimistic locking: every save through the admin or an import bumps it (see cases/forms.py).
    version = models.PositiveIntegerField(_("버전"), default=1, editable=False)

    objects = CodeManager.from_queryset(CaseQuerySet)()
    history = HistoricalRecords(m2m_fields=[guidance_areas], excluded_fields=["version", "search_text"])

    class Meta:
        verbose_name = _("기술지도 사례")
        verbose_name_plural = _("기술지도 사례")
        ordering = ["firm__code", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(started_year__isnull=True)
                | Q(started_year__gte=FIRST_PROGRAM_YEAR, started_year__lte=LAST_PLAUSIBLE_YEAR),
                name="case_started_year_in_program",
                violation_error_message=_("지도 시작 연도는 사업이 시작된 2008년부터 2100년 사이여야 합니다."),
            ),
            models.CheckConstraint(
                condition=Q(ended_year__isnull=True) | Q(started_year__isnull=False, ended_year__gte=F("started_year")),
                name="case_ends_after_it_starts",
                violation_error_message=_(
                    "지도 종료 연도는 시작 연도와 같거나 그 뒤여야 하며, 시작 연도 없이 적을 수 없습니다."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(outcome_pattern__isnull=False),
                name="published_case_has_pattern",
                violation_error_message=_("공개하는 사례에는 성과 패턴이 있어야 합니다."),
            ),
        ]
        # What the public queries filter and order by (docs/performance.md has the EXPLAIN output):
        # published cases in code order (the listing's default order, and backwards for its last pages),
        # by pattern in code order, and by guidance year.
        indexes = [
            models.Index(fields=["status", "outcome_pattern"], name="case_status_pattern_idx"),
            models.Index(fields=["code"], name="case_published_code_idx", condition=Q(status="published")),
            models.Index(
                fields=["outcome_pattern", "code"], name="case_published_pattern_idx", condition=Q(status="published")
            ),
            models.Index(
                fields=["started_year", "ended_year"], name="case_published_year_idx", condition=Q(status="published")
            ),
        ]
        permissions = [("publish_case", _("사례를 공개하거나 작성 중으로 되돌릴 수 있음"))]

    def __str__(self):
        return f"{self.firm.name} — {self.firm.products}"

    def save(self, *args, **kwargs):
        # Whichever path publishes (form, action, import, seed), the feed learns when it happened.
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        elif self.status == self.Status.DRAFT:
            self.published_at = None
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("cases:detail", args=[self.pk])

    def natural_key(self):
        return (self.code,)

    @property
    def period_display(self):
        if self.started_year is None:
            return ""
        if self.ended_year and self.ended_year != self.started_year:
            return f"{self.started_year}–{self.ended_year}년"
        return f"{self.started_year}년"


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


class DataVersion(models.Model):
    """One row whose token changes whenever a table the public listing and statistics read is written.

    Database triggers (migration 0007) set a new random token on every insert, update or delete of cases, their
    guidance areas, firms, industries, areas and patterns, whatever the path: admin, import, seed, bulk loads, raw
    SQL. What is cached under a token (facet counts, rendered page parts: cases/facets.py) is therefore never
    served after the data changed. A random token, not a counter, so a rolled-back write never hands one out again.
    """

    token = models.BigIntegerField(_("토큰"))

    class Meta:
        verbose_name = _("데이터 버전")
        verbose_name_plural = _("데이터 버전")

    def __str__(self):
        return str(self.token)

    @classmethod
    def current_token(cls):
        return cls.objects.filter(pk=1).values_list("token", flat=True).first()


class SeedRecord(models.Model):
    """A fixture record that `manage.py seed` once inserted.

    Reseeding skips these, so a seeded record that staff deleted on purpose is not brought back.
    """

    model = models.CharField(_("모델"), max_length=100)
    natural_key = models.CharField(_("자연 키"), max_length=300)
    seeded_at = models.DateTimeField(_("입력일시"), auto_now_add=True)

    class Meta:
        verbose_name = _("초기 데이터 기록")
        verbose_name_plural = _("초기 데이터 기록")
        constraints = [models.UniqueConstraint(fields=["model", "natural_key"], name="seed_record_unique")]

    def __str__(self):
        return f"{self.model} {self.natural_key}"
