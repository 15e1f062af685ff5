"""The public filters, shared by the listing page, the API and (later) the exports."""

import django_filters
from django import forms
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
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "placeholder": "예: 2013"}),
    )
    q = django_filters.CharFilter(
        label=_("검색어"),
        method="filter_search",
        max_length=MAX_QUERY_LENGTH,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "예: 금형, 용접, 센서"}),
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
