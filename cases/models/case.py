"""The case: one firm's technical guidance by one engineer, from request to published story.

`CaseQuerySet` holds one method per screen; the lifecycle (stage and transitions) is in lifecycle.py.
"""

from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Exists, ExpressionWrapper, F, OuterRef, Q, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .. import search
from .engineers import Mentor
from .firms import Firm
from .lifecycle import PUBLISHABLE_STAGES, CaseLifecycle, Stage
from .vocabulary import CodeManager, EvolutionPath, GuidanceArea, OutcomePattern

SIMILAR_CANDIDATES = 200  # how many of the newest candidate cases a case page ranks as similar
FIRST_PROGRAM_YEAR = 2008  # the program started in 2008 (study, section 1)
LAST_PLAUSIBLE_YEAR = 2100


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

    def ranked_similar(self, pk, limit=6, candidates=SIMILAR_CANDIDATES):
        """(id, shared areas) of case `pk` first, then of up to `limit` others of these cases most like it (one
        query). A case page keeps this per data version (cases/facets.py, `similar_ranking`) and reads the cases
        with `page_of`.

        Most like it: most guidance areas shared, then the same outcome pattern, then by code. Only the newest
        `candidates` cases sharing an area and the newest sharing the pattern are ranked, so the cost stays
        fixed however many cases exist (with fewer candidates than that, the ranking is exact).
        Empty when there is no case `pk` among these.
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
        return (
            self.filter(pk__in=ids).annotate(**ranking).order_by(*order).values_list("pk", "shared_areas")[: limit + 1]
        )

    def page_of(self, pk, ranking):
        """Case `pk` of these with `similar`: the other cases of `ranking` (`ranked_similar`'s rows) still among
        these, in its order, each with `shared_areas`. Four queries: the cases with their firm, engineer, pattern
        and path, then the areas of all, the case's outcome items and its metrics. None when `pk` is not among
        these (or not first in the ranking: not published when it was ranked)."""
        if not ranking or ranking[0][0] != pk:
            return None
        shared = dict(ranking)
        rows = self.filter(pk__in=shared).select_related(
            "firm__industry", "mentor", "outcome_pattern", "evolution_path"
        )
        cases = {case.pk: case for case in rows}
        case = cases.get(pk)
        if case is None:
            return None
        case.similar = [cases[other] for other, _shared in ranking[1:] if other in cases]
        for other in case.similar:
            other.shared_areas = shared[other.pk]
        models.prefetch_related_objects([case, *case.similar], "guidance_areas")
        models.prefetch_related_objects([case], "outcome_items", "metrics")
        return case

    def matching_for_long(self, since):
        """Cases in matching since before `since` (a datetime): the dashboard's 'matching too long'."""
        return self.filter(Case.matching_since_before(since))

    def without_visit_since(self, day):
        """Cases in guidance since before `day` (a date) with no visit on record (confirmed) ending on or after it.

        An engineer's report awaiting review does not count until staff confirm it.
        """
        return self.filter(Case.unvisited_since(day))

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
                # Candidates by their bigrams (search.BigramMatch); longer words are confirmed by the substring test.
                queryset = queryset.filter(search_text__bigrams=search.bigram_tsquery(term))
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
        # Counting `status`, not the pk: every column read is in case_period_status_idx, so PostgreSQL counts from
        # the index alone instead of reading every case (~100 ms at 100,000 cases).
        for start, end, draft_count in periods.annotate(drafts=Count("status", filter=Q(status=Case.Status.DRAFT))):
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


class Case(CaseLifecycle):
    class Status(models.TextChoices):
        DRAFT = "draft", _("작성 중")
        PUBLISHED = "published", _("공개")

    Stage = Stage  # Case.Stage.COMPLETED reads naturally where a case is at hand

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
    guidance = models.TextField(
        _("지도내용"),
        blank=True,
        help_text=_("무엇을 지도했는지 요약합니다 (자료 요약표의 '지도내용'). 공개에 필요합니다."),
    )
    guidance_details = models.TextField(
        _("세부 지도 내용"), blank=True, help_text=_("구체적으로 지도가 이루어진 분야와 방법.")
    )
    outcomes = models.TextField(
        _("주요 성과"), blank=True, help_text=_("성과 요약 (자료 요약표의 '주요 성과'). 공개에 필요합니다.")
    )
    # The firm's request in its own words, copied from its application: staff only (privacy.inventory).
    request_text = models.TextField(
        _("신청 내용 (비공개)"),
        blank=True,
        help_text=_("기업이 신청서에 적은 애로기술. 공개되지 않습니다. 공개용 '지도 배경'은 따로 적습니다."),
    )
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
        help_text=_("자료가 경로를 밝힌 경우에만 고릅니다. 고르면 상품·기술 위치가 그 경로의 칸이어야 합니다."),
    )
    # The case's cell on the product × technology grid of 그림11 (section 4). All the study's cases are
    # general × general; a case that took an evolution path stands in that path's cell.
    product = models.CharField(
        _("상품 (범용/독자)"),
        max_length=12,
        choices=EvolutionPath.Kind,
        default=EvolutionPath.Kind.GENERAL,
        help_text=_("연구 4절(그림11)의 상품 축: 범용 상품인지, 독자적인 상품인지."),
    )
    technology = models.CharField(
        _("기술 (범용/독자)"),
        max_length=12,
        choices=EvolutionPath.Kind,
        default=EvolutionPath.Kind.GENERAL,
        help_text=_("연구 4절(그림11)의 기술 축: 범용 기술인지, 독자적인 기술인지."),
    )
    started_year = models.PositiveSmallIntegerField(_("지도 시작 연도"), null=True, blank=True)
    ended_year = models.PositiveSmallIntegerField(
        _("지도 종료 연도"), null=True, blank=True, help_text=_("한 해만 지도했다면 비워 둡니다.")
    )
    status = models.CharField(_("상태"), max_length=12, choices=Status, default=Status.DRAFT)
    subsidy_rate = models.DecimalField(
        _("지원 비율 (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("사업이 부담하는 비용의 비율. 예: 60. 비용 줄의 지원금을 비워 두면 이 비율로 계산합니다."),
    )
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
            models.CheckConstraint(
                condition=Q(subsidy_rate__isnull=True) | Q(subsidy_rate__gte=0, subsidy_rate__lte=100),
                name="case_subsidy_rate_percent",
                violation_error_message=_("지원 비율은 0에서 100% 사이입니다."),
            ),
            models.CheckConstraint(
                condition=Q(product__in=EvolutionPath.Kind.values, technology__in=EvolutionPath.Kind.values),
                name="case_grid_position_known",
                violation_error_message=_("상품과 기술은 각각 범용 또는 독자 중 하나입니다."),
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(stage__in=PUBLISHABLE_STAGES),
                name="published_case_is_finished",
                violation_error_message=_("지도 완료 또는 성과 확인 단계의 사례만 공개할 수 있습니다."),
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
            # The staff pages (docs/performance.md, "Staff pages"): an engineer's current and finished cases, counted
            # from the index alone (the shortlist, the dashboard); the change list's years and drafts likewise.
            models.Index(fields=["mentor", "stage"], name="case_mentor_stage_idx"),
            models.Index(fields=["started_year", "ended_year", "status"], name="case_period_status_idx"),
            models.Index(fields=["status", "stage"], name="case_status_stage_idx"),  # finished drafts to publish
            # The dashboard's "too long in matching" and "no visit lately": a stage's cases by when they entered it.
            models.Index(fields=["stage", "stage_changed_at"], name="case_stage_since_idx"),
        ]
        permissions = [
            ("publish_case", _("사례를 공개하거나 작성 중으로 되돌릴 수 있음")),
            ("manage_stage", _("사례의 진행 단계를 바꾸고 퇴직기술자를 배정할 수 있음")),
        ]

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

    def publishing_problems(self):
        """Why this case cannot be published yet, in Korean (empty when it can). Reads self.firm."""
        problems = []
        if self.stage not in PUBLISHABLE_STAGES:
            problems.append(_("지도 완료 또는 성과 확인 단계의 사례만 공개할 수 있습니다."))
        if self.outcome_pattern_id is None:
            problems.append(_("공개하는 사례에는 성과 패턴이 있어야 합니다."))
        if not self.guidance.strip() or not self.outcomes.strip():
            problems.append(_("지도내용과 주요 성과를 적어야 합니다."))
        if not self.firm.products.strip():
            problems.append(_("기업의 생산제품(공개용)을 적어야 합니다."))
        return problems

    def natural_key(self):
        return (self.code,)

    def clean(self):
        super().clean()
        path = self.evolution_path if self.evolution_path_id else None
        if path and (path.product, path.technology) != (self.product, self.technology):
            raise ValidationError(
                {
                    "evolution_path": _(
                        "%(path)s은(는) %(product)s 상품 × %(technology)s 기술 칸으로 가는 경로입니다. "
                        "상품·기술 위치를 그 칸으로 맞추거나 경로를 비워 두세요."
                    )
                    % {
                        "path": path.name,
                        "product": path.get_product_display(),
                        "technology": path.get_technology_display(),
                    }
                }
            )

    @staticmethod
    def attach_visit_totals(cases):
        """Give each of `cases` `visit_count`, `visit_days` and `visit_hours` over its confirmed visits only (as
        VisitQuerySet.totals() counts them): reports awaiting review or returned count nowhere. One grouped query
        by the visits' case index for the cases at hand, read after them: as correlated subqueries in the cases'
        own query they cost PostgreSQL 4–5 ms of planning on every API request."""
        from .visits import Visit  # visits.py builds on this module

        totals = Visit.objects.totals_by_case([case.pk for case in cases])
        for case in cases:
            case.visit_count, case.visit_days, case.visit_hours = totals.get(case.pk, (0, 0, Decimal("0.0")))
        return cases

    @staticmethod
    def matching_since_before(since):
        """The condition of CaseQuerySet.matching_for_long, for a count beside others (staff/dashboard.py)."""
        return Q(stage=Stage.MATCHING, stage_changed_at__lt=since)

    @staticmethod
    def unvisited_since(day):
        """The condition of CaseQuerySet.without_visit_since. In guidance since before `day`'s local midnight
        (a range on the (stage, stage_changed_at) index, not a date computed per row), and no confirmed visit
        ending on or after `day` (visit_confirmed_end_idx answers each case from the index)."""
        from .visits import Visit  # visits.py builds on this module

        midnight = timezone.make_aware(datetime.combine(day, time.min))
        recent = Visit.objects.confirmed().filter(case=OuterRef("pk"), ended_on__gte=day)
        return Q(stage=Stage.IN_GUIDANCE, stage_changed_at__lt=midnight) & ~Q(Exists(recent))

    @property
    def grid_cell_display(self):
        """Where the case stands on 그림11's grid, e.g. "범용 상품 × 범용 기술"."""
        return _("%(product)s 상품 × %(technology)s 기술") % {
            "product": self.get_product_display(),
            "technology": self.get_technology_display(),
        }

    @property
    def period_display(self):
        if self.started_year is None:
            return ""
        if self.ended_year and self.ended_year != self.started_year:
            return f"{self.started_year}–{self.ended_year}년"
        return f"{self.started_year}년"


# `search_text__bigrams`: CaseQuerySet.search's index condition on PostgreSQL (cases/search.py).
Case._meta.get_field("search_text").register_lookup(search.BigramMatch)
