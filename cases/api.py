"""The read-only JSON API: the public listing's data and filters, paginated as {count, next, previous, results}."""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, serializers, viewsets
from rest_framework.response import Response

from . import views
from .facets import PageCache, Vocabulary
from .filters import CaseFilter
from .models import Case, Firm, Metric, OutcomePattern


class FirmSerializer(serializers.ModelSerializer):
    industry = serializers.CharField(source="industry.name")

    class Meta:
        model = Firm
        fields = ["code", "name", "industry", "profile"]


class OutcomePatternSerializer(serializers.ModelSerializer):
    class Meta:
        model = OutcomePattern
        fields = ["code", "name", "title", "description"]


class MetricSerializer(serializers.ModelSerializer):
    display = serializers.CharField(source="value_display")

    class Meta:
        model = Metric
        fields = [
            "name",
            "unit",
            "baseline",
            "value",
            "target",
            "qualifier",
            "display",
            "baseline_display",
            "target_display",
        ]


class VisitTotalsSerializer(serializers.Serializer):
    """The case's confirmed visits only (CaseQuerySet.with_visit_totals), as the admin's case page counts them."""

    count = serializers.IntegerField(source="visit_count")
    days = serializers.IntegerField(source="visit_days")
    hours = serializers.DecimalField(source="visit_hours", max_digits=9, decimal_places=1)


class CaseSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    firm = FirmSerializer()
    products = serializers.CharField(source="firm.products")
    mentor = serializers.SerializerMethodField()
    guidance_areas = serializers.SerializerMethodField()
    outcome_pattern = OutcomePatternSerializer()
    evolution_path = serializers.SerializerMethodField()
    grid_position = serializers.SerializerMethodField()
    period = serializers.SerializerMethodField()
    metrics = MetricSerializer(many=True)
    outcome_details = serializers.SerializerMethodField()
    visits = VisitTotalsSerializer(source="*")

    class Meta:
        model = Case
        fields = [
            "id",
            "url",
            "code",
            "firm",
            "products",
            "mentor",
            "guidance_areas",
            "background",
            "guidance",
            "guidance_details",
            "outcomes",
            "outcome_details",
            "metrics",
            "outcome_pattern",
            "evolution_path",
            "grid_position",
            "period",
            "visits",
            "source",
            "source_notes",
        ]

    def get_url(self, case):
        return self.context["request"].build_absolute_uri(case.get_absolute_url())

    def get_mentor(self, case):
        if case.mentor is None:
            return None
        return {"name": case.mentor.name, "background": case.mentor.background}

    def get_guidance_areas(self, case):
        return [area.name for area in case.guidance_areas.all()]

    def get_evolution_path(self, case):
        return str(case.evolution_path) if case.evolution_path else None

    def get_grid_position(self, case):
        """The case's cell on 그림11's grid: {"product": "general"|"proprietary", "technology": …}."""
        return {"product": case.product, "technology": case.technology, "display": case.grid_cell_display}

    def get_period(self, case):
        return {"start": case.started_year, "end": case.ended_year or case.started_year, "display": case.period_display}

    def get_outcome_details(self, case):
        return [
            {"kind": item.kind, "kind_display": item.get_kind_display(), "text": item.text}
            for item in case.outcome_items.all()
        ]


class CaseListSerializer(CaseSerializer):
    """A list result: everything but the outcome details (on the case's own URL), one query fewer per page."""

    class Meta(CaseSerializer.Meta):
        fields = [name for name in CaseSerializer.Meta.fields if name != "outcome_details"]


class CaseFilterBackend(DjangoFilterBackend):
    """django-filter's backend, handing the filterset the vocabularies the list view already loaded."""

    def get_filterset_kwargs(self, request, queryset, view):
        return {
            **super().get_filterset_kwargs(request, queryset, view),
            "vocabulary": getattr(view, "vocabulary", None),
        }


class CaseViewSet(viewsets.ReadOnlyModelViewSet):
    filterset_class = CaseFilter
    filter_backends = [CaseFilterBackend]
    vocabulary = None

    def list(self, request, *args, **kwargs):
        """A list page, cached like the public pages (cases/facets.py) under the data version and the full URL."""
        self.vocabulary = Vocabulary.load()
        etag = views.etag_for(request, self.vocabulary.token)
        if (unchanged := views.not_modified(request, etag)) is not None:
            return unchanged
        cached = PageCache(request, self.vocabulary.token, absolute=True)
        data = cached.get()
        if data is not None:
            return views.shared(Response(data), etag)
        response = super().list(request, *args, **kwargs)
        cached.put(response.data)
        return views.shared(response, etag)

    def get_queryset(self):
        if self.action == "list":
            return Case.objects.for_listing().with_visit_totals().prefetch_related("metrics")
        return Case.objects.for_detail().with_visit_totals()

    def get_serializer_class(self):
        return CaseListSerializer if self.action == "list" else CaseSerializer

    def get_object(self):
        try:
            return super().get_object()
        except Http404:
            raise exceptions.NotFound(_("공개된 사례 중에 이 번호의 사례가 없습니다.")) from None
