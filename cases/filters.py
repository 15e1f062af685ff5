"""The public filters, shared by the listing page, the statistics page, the exports and the API."""

from functools import cached_property

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from .facets import VOCABULARY_KINDS, CaseGroups, FacetCounts, Vocabulary, build_facets, cache_key_for, counted
from .models import Case, EvolutionPath

MAX_QUERY_LENGTH = 100
DEFAULT_ORDER = "code"  # the case code: unique, indexed for published cases (migration 0007)


class VocabularyFilter(django_filters.ChoiceFilter):
    """A pattern, industry or guidance area chosen by its code.

    The choices come from the filterset's vocabulary, loaded once per request in one query for all three filters
    (so an active filter costs no lookup of its own); the queryset is filtered by id.
    """

    def __init__(self, *args, kind, **kwargs):
        self.kind = kind
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{self.field_name: self.parent.vocabulary.by_code(self.kind, value).id})


class YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField  # "2013.5" is a mistake to report, not a year to round


class VocabularyChoices:
    """A filter's choices, read from its filterset's vocabulary only when a value is checked or rendered.

    Forms deep-copy their fields' choices; this must stay bound to its own filterset (and its request).
    """

    def __init__(self, filterset, kind):
        self.filterset, self.kind = filterset, kind

    def __call__(self):
        return [(item.code, item.name) for item in getattr(self.filterset.vocabulary, self.kind)]

    def __deepcopy__(self, memo):
        return self


class CaseFilter(django_filters.FilterSet):
    pattern = VocabularyFilter(
        label=_("성과 패턴"), kind="pattern", field_name="outcome_pattern_id", empty_label=_("전체")
    )
    industry = VocabularyFilter(label=_("업종"), kind="industry", field_name="firm__industry_id", empty_label=_("전체"))
    area = VocabularyFilter(
        label=_("지도 분야"),
        kind="area",
        field_name="guidance_areas",
        empty_label=_("전체"),
        distinct=False,  # one area per request: the join cannot repeat a case
    )
    # 그림11's grid: general or proprietary product and technology (cases/grid.py).
    product = django_filters.ChoiceFilter(label=_("상품"), choices=EvolutionPath.Kind.choices, empty_label=_("전체"))
    technology = django_filters.ChoiceFilter(label=_("기술"), choices=EvolutionPath.Kind.choices, empty_label=_("전체"))
    year = YearFilter(
        label=_("지도 연도"),
        method="filter_year",
        min_value=1900,
        max_value=2100,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),  # type=number cannot echo back a typo
    )
    q = django_filters.CharFilter(
        label=_("검색어"),
        method="filter_search",
        max_length=MAX_QUERY_LENGTH,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("예: 금형, 용접, 센서")}),
    )
    sort = django_filters.OrderingFilter(
        label=_("정렬"),
        fields=(("firm__code", "firm"), ("started_year", "year"), ("updated_at", "updated")),
        field_labels={
            "firm__code": _("기업 코드순"),
            "-firm__code": _("기업 코드 역순"),
            "started_year": _("지도 연도순"),
            "-started_year": _("지도 연도 최신순"),
            "updated_at": _("수정일 오래된 순"),
            "-updated_at": _("최근 수정순"),
        },
        empty_label=_("기본 (사례 코드순)"),
    )

    class Meta:
        model = Case
        fields = []

    def filter_year(self, queryset, name, value):
        return queryset.active_in(value)

    def filter_search(self, queryset, name, value):
        return queryset.search(value)

    def __init__(self, *args, vocabulary=None, **kwargs):
        super().__init__(*args, **kwargs)
        if vocabulary is not None:  # already loaded by the view (with the token it needed)
            self.vocabulary = vocabulary
        for name in VOCABULARY_KINDS:
            self.filters[name].extra["choices"] = VocabularyChoices(self, name)

    @cached_property
    def vocabulary(self):
        return Vocabulary.load()

    def filter_queryset(self, queryset):
        """The filters, then the chosen order with the case code as tie-breaker (stable pages, reversible)."""
        queryset = super().filter_queryset(queryset)
        return queryset.order_by(
            *(queryset.query.order_by if self.form.cleaned_data.get("sort") else ()), DEFAULT_ORDER
        )

    def without(self, *names):
        """The cases this request's filters select, ignoring the filters `names` (and the order).

        That is what each value of a filter is counted against. Call only after `is_valid()`.
        """
        queryset = self.queryset.order_by()
        for filter_name, value in self.form.cleaned_data.items():
            if filter_name not in names and filter_name != "sort":
                queryset = self.filters[filter_name].filter(queryset, value)
        return queryset

    def active_values(self):
        """The chosen pattern, industry and area (vocabulary objects), year, product and technology (codes, or None).
        Call only after `is_valid()`."""
        data = self.form.cleaned_data
        active = {
            kind: self.vocabulary.by_code(kind, data[kind]) if data.get(kind) else None for kind in VOCABULARY_KINDS
        }
        for name in ("year", "product", "technology"):
            active[name] = data.get(name) or None
        return active

    def cache_key(self):
        return cache_key_for(self.form.cleaned_data)

    def facets(self):
        """For each filter, every value with the number of cases it would give (other filters as they are).

        Cached per DataVersion token (cases/facets.py). Call only after `is_valid()`.
        """
        counts = FacetCounts.cached(self, self.vocabulary.token)
        return build_facets(counts, self.vocabulary, self.active_values())

    def total(self):
        """How many cases match every filter (the API's count): one sum over the kept counts, or a search's
        grouped matches, once per data version. Call only after `is_valid()`."""

        def count():
            return sum(CaseGroups.of(self).count("pattern", self.active_values()).values())

        return counted("total", self, self.vocabulary.token, count)
