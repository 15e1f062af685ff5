"""The public filters, shared by the listing page, the API and (later) the exports."""

from collections import Counter
from dataclasses import dataclass

import django_filters
from django import forms
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from .models import Case, GuidanceArea, Industry, OutcomePattern

MAX_QUERY_LENGTH = 100


class YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField  # "2013.5" is a mistake to report, not a year to round


class CaseFilter(django_filters.FilterSet):
    pattern = django_filters.ModelChoiceFilter(
        label=_("성과 패턴"),
        field_name="outcome_pattern",
        queryset=OutcomePattern.objects.all(),
        to_field_name="code",
        empty_label=_("전체"),
    )
    industry = django_filters.ModelChoiceFilter(
        label=_("업종"),
        field_name="firm__industry",
        queryset=Industry.objects.all(),
        to_field_name="code",
        empty_label=_("전체"),
    )
    area = django_filters.ModelChoiceFilter(
        label=_("지도 분야"),
        field_name="guidance_areas",
        queryset=GuidanceArea.objects.all(),
        to_field_name="code",
        empty_label=_("전체"),
        distinct=False,  # one area per request: the join cannot repeat a case
    )
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
        empty_label=_("기본 (기업 코드순)"),
    )

    class Meta:
        model = Case
        fields = []

    def filter_year(self, queryset, name, value):
        return queryset.active_in(value)

    def filter_search(self, queryset, name, value):
        return queryset.search(value)

    def without(self, name):
        """The cases this request's filters select, ignoring filter `name`.

        That is what each value of `name` is counted against. Reuses the validated values,
        so no choice is looked up again. Call only after `is_valid()`.
        """
        queryset = self.queryset.all()
        for filter_name, value in self.form.cleaned_data.items():
            if filter_name != name:
                queryset = self.filters[filter_name].filter(queryset, value)
        return queryset

    def facets(self):
        """For each filter, every value with the number of cases it would give (other filters as they are).

        One query per filter. Call only after `is_valid()`.
        """
        active = self.form.cleaned_data
        patterns = list(OutcomePattern.objects.with_case_counts(self.without("pattern")))
        industries = Industry.objects.annotate(
            case_count=Count("firms__cases", filter=Q(firms__cases__in=self.without("industry").values("pk")))
        )
        areas = GuidanceArea.objects.annotate(
            case_count=Count("cases", filter=Q(cases__in=self.without("area").values("pk")))
        )
        return Facets(
            patterns=patterns,
            pattern=[FacetValue(p.code, p.name, p.case_count, p == active.get("pattern")) for p in patterns],
            industry=[FacetValue(i.code, i.name, i.case_count, i == active.get("industry")) for i in industries],
            area=[FacetValue(a.code, a.name, a.case_count, a == active.get("area")) for a in areas],
            year=[
                FacetValue(str(year), _("%(year)s년") % {"year": year}, count, year == active.get("year"))
                for year, count in year_counts(self.without("year"))
            ],
        )


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    active: bool


@dataclass
class Facets:
    patterns: list  # OutcomePattern objects with case_count, for the pattern cards
    pattern: list
    industry: list
    area: list
    year: list

    @property
    def total(self):
        """Cases matching all filters. Every published case has a pattern (a DB constraint), so the
        pattern counts add up to it and the page needs no COUNT(*) of its own."""
        active = [value for value in self.pattern if value.active]
        return sum(value.count for value in (active or self.pattern))

    def chips(self):
        """The active filter values, for the removable chips."""
        names = {"pattern": _("성과 패턴"), "industry": _("업종"), "area": _("지도 분야"), "year": _("지도 연도")}
        return [(name, label, value) for name, label in names.items() for value in getattr(self, name) if value.active]


def year_counts(cases):
    """(year, count) for every year some case's guidance period covers, newest first (one query)."""
    counts = Counter()
    periods = cases.exclude(started_year=None).order_by().values_list("started_year", "ended_year")
    for start, end, n in periods.annotate(n=Count("pk")):
        for year in range(start, (end or start) + 1):
            counts[year] += n
    return sorted(counts.items(), reverse=True)
