"""The read-only JSON API: the public listing's data and filters, paginated as {count, next, previous, results}."""

from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, serializers, viewsets
from rest_framework.response import Response

from . import views
from .facets import PageCache, Vocabulary, similar_ranking
from .filters import CaseFilter
from .models import Case

# Written out by hand rather than as ModelSerializers: DRF's declarative serialisers took 26 ms for a page of 20
# cases, most of the API list's time when it is built anew (docs/performance.md). Decimals go through DRF's own
# DecimalField, so they read exactly as DRF writes them ("30.00").
METRIC_NUMBER = serializers.DecimalField(max_digits=14, decimal_places=2)
VISIT_HOURS = serializers.DecimalField(max_digits=9, decimal_places=1)


def decimal(field, value):
    return None if value is None else field.to_representation(value)


def firm_data(firm):
    return {"code": firm.code, "name": firm.name, "industry": firm.industry.name, "profile": firm.profile}


def metric_data(metric):
    return {
        "name": metric.name,
        "unit": metric.unit,
        "baseline": decimal(METRIC_NUMBER, metric.baseline),
        "value": decimal(METRIC_NUMBER, metric.value),
        "target": decimal(METRIC_NUMBER, metric.target),
        "qualifier": metric.qualifier,
        "display": metric.value_display,
        "baseline_display": metric.baseline_display,
        "target_display": metric.target_display,
    }


class CaseSerializer(serializers.BaseSerializer):
    """A case as the API gives it: the case page's public content (cases/views.py), with its confirmed visit
    totals (Case.attach_visit_totals) and, on the case's own URL, the outcome details and the similar
    cases (CaseQuerySet.page_of; `shared_areas`: guidance areas in common)."""

    detail = True

    def to_representation(self, case):
        url = self.context["request"].build_absolute_uri
        pattern, path = case.outcome_pattern, case.evolution_path
        data = {
            "id": case.pk,
            "url": url(case.get_absolute_url()),
            "code": case.code,
            "firm": firm_data(case.firm),
            "products": case.firm.products,
            "mentor": {"name": case.mentor.name, "background": case.mentor.background} if case.mentor else None,
            "guidance_areas": [area.name for area in case.guidance_areas.all()],
            "background": case.background,
            "guidance": case.guidance,
            "guidance_details": case.guidance_details,
            "outcomes": case.outcomes,
        }
        if self.detail:
            data["outcome_details"] = [
                {"kind": item.kind, "kind_display": item.get_kind_display(), "text": item.text}
                for item in case.outcome_items.all()
            ]
        data.update(
            {
                "metrics": [metric_data(metric) for metric in case.metrics.all()],
                "outcome_pattern": {
                    "code": pattern.code,
                    "name": pattern.name,
                    "title": pattern.title,
                    "description": pattern.description,
                },
                "evolution_path": str(path) if path else None,
                # The case's cell on 그림11's grid.
                "grid_position": {
                    "product": case.product,
                    "technology": case.technology,
                    "display": case.grid_cell_display,
                },
                "period": {
                    "start": case.started_year,
                    "end": case.ended_year or case.started_year,
                    "display": case.period_display,
                },
                "visits": {
                    "count": case.visit_count,
                    "days": case.visit_days,
                    "hours": decimal(VISIT_HOURS, case.visit_hours),
                },
                "source": case.source,
                "source_notes": case.source_notes,
            }
        )
        if self.detail:
            data["similar"] = [
                {
                    "id": other.pk,
                    "url": url(other.get_absolute_url()),
                    "code": other.code,
                    "firm": other.firm.name,
                    "products": other.firm.products,
                    "outcome_pattern": {"code": other.outcome_pattern.code, "name": other.outcome_pattern.name},
                    "shared_areas": other.shared_areas,
                }
                for other in case.similar
            ]
        return data


class CaseListSerializer(CaseSerializer):
    """A list result: everything but the outcome details and the similar cases (on the case's own URL)."""

    detail = False


class CaseFilterBackend(DjangoFilterBackend):
    """django-filter's backend, handing the filterset the vocabularies the list view already loaded, and leaving
    it on the view: the page's count comes from the kept counts, as on the listing page (no COUNT over the cases)."""

    def get_filterset(self, request, queryset, view):
        view.filterset = super().get_filterset(request, queryset, view)
        return view.filterset

    def get_filterset_kwargs(self, request, queryset, view):
        return {
            **super().get_filterset_kwargs(request, queryset, view),
            "vocabulary": getattr(view, "vocabulary", None),
        }


class CaseViewSet(viewsets.ReadOnlyModelViewSet):
    filterset_class = CaseFilter
    filter_backends = [CaseFilterBackend]
    vocabulary = filterset = None

    def list(self, request, *args, **kwargs):
        """A list page, cached like the public pages (cases/facets.py) under the data version and the full URL."""
        self.vocabulary = Vocabulary.load()

        def respond(token):
            # Bad filters raise (a 400 from the exception handler): only good pages are built, once however many ask.
            data = PageCache(request, token, absolute=True).get_or_build(
                lambda: (super(CaseViewSet, self).list(request, *args, **kwargs).data, True)
            )
            return Response(data)

        return views.versioned(request, respond, self.vocabulary.token)

    def get_queryset(self):
        return Case.objects.for_listing().prefetch_related("metrics")

    def paginate_queryset(self, queryset):
        return Case.attach_visit_totals(list(super().paginate_queryset(queryset)))

    def retrieve(self, request, pk):
        """The case and its similar cases as the case page reads them (cases/views.py), with its ETag and 304s."""

        def respond(token):
            case = Case.objects.published().page_of(pk, similar_ranking(pk, token))
            if case is None:
                raise exceptions.NotFound(_("공개된 사례 중에 이 번호의 사례가 없습니다."))
            Case.attach_visit_totals([case])
            return Response(self.get_serializer(case).data)

        return views.versioned(request, respond)

    def get_serializer_class(self):
        return CaseListSerializer if self.action == "list" else CaseSerializer
