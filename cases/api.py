"""The read-only JSON API: the public listing's data and filters, paginated as {count, next, previous, results}."""

from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, serializers, viewsets
from rest_framework.response import Response

from . import views
from .facets import PageCache, Vocabulary, similar_ranking
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


class SimilarCaseSerializer(serializers.ModelSerializer):
    """A similar case as the case page lists it (CaseQuerySet.page_of): `shared_areas` guidance areas in common."""

    url = serializers.SerializerMethodField()
    firm = serializers.CharField(source="firm.name")
    products = serializers.CharField(source="firm.products")
    outcome_pattern = serializers.SerializerMethodField()
    shared_areas = serializers.IntegerField()

    class Meta:
        model = Case
        fields = ["id", "url", "code", "firm", "products", "outcome_pattern", "shared_areas"]

    def get_url(self, case):
        return self.context["request"].build_absolute_uri(case.get_absolute_url())

    def get_outcome_pattern(self, case):
        return {"code": case.outcome_pattern.code, "name": case.outcome_pattern.name}


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
    similar = SimilarCaseSerializer(many=True)

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
            "similar",
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
    """A list result: everything but the outcome details and the similar cases (on the case's own URL)."""

    class Meta(CaseSerializer.Meta):
        fields = [name for name in CaseSerializer.Meta.fields if name not in ("outcome_details", "similar")]


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
        # Bad filters raise (a 400 from the exception handler): only good pages are built, once however many ask.
        data = PageCache(request, self.vocabulary.token, absolute=True).get_or_build(
            lambda: (super(CaseViewSet, self).list(request, *args, **kwargs).data, True)
        )
        return views.shared(Response(data), etag)

    def get_queryset(self):
        return Case.objects.for_listing().with_visit_totals().prefetch_related("metrics")

    def retrieve(self, request, pk):
        """The case and its similar cases as the case page reads them (cases/views.py), with its ETag and 304s."""

        def respond(token):
            case = Case.objects.published().with_visit_totals().page_of(pk, similar_ranking(pk, token))
            if case is None:
                raise exceptions.NotFound(_("공개된 사례 중에 이 번호의 사례가 없습니다."))
            return Response(self.get_serializer(case).data)

        return views.versioned(request, respond)

    def get_serializer_class(self):
        return CaseListSerializer if self.action == "list" else CaseSerializer
