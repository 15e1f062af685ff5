from django.db.models import prefetch_related_objects
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from . import exports, stats
from .filters import CaseFilter
from .models import Case
from .pagination import TailPaginator

PAGE_SIZE = 20


def home(request):
    filterset = CaseFilter({}, queryset=Case.objects.published(), request=request)
    filterset.is_valid()  # no parameters: always valid
    return render(request, "cases/home.html", {"patterns": filterset.facets().patterns})


def case_list(request):
    filterset = CaseFilter(request.GET, queryset=Case.objects.published(), request=request)
    if not filterset.is_valid():
        # Bad parameters are the visitor's mistake: say which, in Korean, and list nothing.
        return render(request, "cases/case_list.html", {"filter": filterset, "page": None}, status=400)
    facets = filterset.facets()
    paginator = TailPaginator(filterset.qs, PAGE_SIZE, count=facets.total, rows=Case.objects.for_listing())
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "cases/case_list.html",
        {
            "filter": filterset,
            "facets": facets,
            "page": page,
            "patterns": facets.patterns,
            "active_pattern": filterset.active_values()["pattern"],
            "q": filterset.form.cleaned_data.get("q") or "",
        },
    )


def case_detail(request, pk):
    case, *related = Case.objects.published().with_similar(pk) or [None]
    if case is None or case.pk != pk:
        raise Http404
    prefetch_related_objects([case, *related], "guidance_areas")
    prefetch_related_objects([case], "outcome_items", "metrics")
    return render(request, "cases/case_detail.html", {"case": case, "related": related})


def _export(request, kind):
    filterset = CaseFilter(request.GET, queryset=Case.objects.published(), request=request)
    if not filterset.is_valid():
        return render(request, "cases/case_list.html", {"filter": filterset, "page": None}, status=400)
    rows = exports.export_rows(filterset.qs.for_listing(), request.build_absolute_uri)
    if kind == "csv":
        response = StreamingHttpResponse(exports.csv_chunks(rows), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(exports.xlsx_bytes(rows), content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="cases.{kind}"'
    return response


def export_csv(request):
    return _export(request, "csv")


def export_xlsx(request):
    return _export(request, "xlsx")


def statistics(request):
    """Counts by pattern, industry, area and year for the same filters as the listing."""
    filterset = CaseFilter(request.GET, queryset=Case.objects.published(), request=request)
    if not filterset.is_valid():
        return render(request, "cases/stats.html", {"filter": filterset}, status=400)
    facets = filterset.facets()
    charts = [
        ("pattern", _("성과 패턴별 사례 수"), stats.bars(facets.pattern)),
        ("industry", _("업종별 사례 수"), stats.bars(facets.industry)),
        ("area", _("지도 분야별 사례 수"), stats.bars([v for v in facets.area if v.count])),
        ("year", _("지도 연도별 사례 수"), stats.bars(sorted(facets.year, key=lambda v: v.value))),
    ]
    return render(
        request,
        "cases/stats.html",
        {
            "filter": filterset,
            "facets": facets,
            "total": facets.total,
            "charts": charts,
            "chart_width": stats.CHART_WIDTH,
            "label_width": stats.LABEL_WIDTH,
            "bar_height": stats.BAR_HEIGHT,
            "context_figures": stats.CONTEXT_FIGURES,
            "context_source": stats.SOURCE,
        },
    )
