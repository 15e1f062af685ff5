import hashlib

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseNotModified, StreamingHttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control
from django.utils.http import parse_etags
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from . import crosstab, exports, grid, measured, stats
from .facets import PageCache, Vocabulary, similar_ranking
from .filters import CaseFilter
from .models import Case, DataVersion
from .pagination import TailPaginator

PAGE_SIZE = 20


def etag_for(request, token):
    """A public response's ETag: the DataVersion token (new on every write, cases/facets.py), the language and the
    full URL (scheme and host included: pages carry absolute hreflang links). None without a token."""
    if token is None:
        return None
    key = f"{token}:{get_language()}:{request.build_absolute_uri()}"
    return f'"{hashlib.sha256(key.encode()).hexdigest()[:32]}"'


def not_modified(request, etag):
    """A 304 if the visitor (or a cache in front) already holds this version: nothing looked up or rendered."""
    if etag is None or request.method not in ("GET", "HEAD"):
        return None
    held = request.META.get("HTTP_IF_NONE_MATCH", "")
    if etag not in {tag.removeprefix("W/") for tag in parse_etags(held)}:
        return None
    return shared(HttpResponseNotModified(), etag)


def shared(response, etag):
    """Headers that let any cache, shared or not, keep a public response and check it with If-None-Match.

    `max-age=0, must-revalidate`: every reuse is checked against the data version first (a 304 costs one query),
    so no cache serves a page after a publish, edit or unpublish; PUBLIC_CACHE_SECONDS > 0 lets shared caches
    serve it that long unchecked instead (docs/deployment.md). Nothing varies but the URL: the language is in it.
    Only a 200 (or its 304) carries them: an error page is not kept.
    """
    if etag is not None and response.status_code in (200, 304):
        response["ETag"] = etag
        patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
        if settings.PUBLIC_CACHE_SECONDS:
            patch_cache_control(response, s_maxage=settings.PUBLIC_CACHE_SECONDS)
    return response


UNREAD = object()  # versioned(): the caller has not read the token (None is a token too: no data version yet)


def versioned(request, respond, token=UNREAD):
    """Every public response that depends on the data alone: a `304` to a current ETag after one query (the
    token, unless the caller read it already), else `respond(token)` with the ETag and Cache-Control.

    The token is read before the data, so the data is at least as new as the ETag says: a write in between
    costs the next visitor a full response, never a stale one."""
    if token is UNREAD:
        token = DataVersion.current_token()
    etag = etag_for(request, token)
    if (unchanged := not_modified(request, etag)) is not None:
        return unchanged
    return shared(respond(token), etag)


def public_page(request, render_parts):
    """A public page whose title and content are cached under the DataVersion token, the language and the URL.

    A repeat request that holds the current ETag gets a 304 after one query (the vocabularies and the token),
    before the page cache is read. A cached page is served after that same query: nothing is validated, counted
    or rendered again, and no cached part can outlive a write it depends on (cases/facets.py). Otherwise
    `render_parts(vocabulary)` returns (status, title, content), once however many ask for the page at the same
    moment (`PageCache.get_or_build`); only a 200 is cached, and only a 200 carries the ETag.
    """
    vocabulary = Vocabulary.load()

    def build():
        status, title, content = render_parts(vocabulary)
        return (status, {"title": str(title), "content": content}), status == 200

    def respond(token):
        status, parts = PageCache(request, token).get_or_build(build)
        return render(request, "cases/page.html", parts, status=status)

    return versioned(request, respond, vocabulary.token)


def home(request):
    def render_parts(vocabulary):
        filterset = CaseFilter({}, queryset=Case.objects.published(), request=request, vocabulary=vocabulary)
        filterset.is_valid()  # no parameters: always valid
        content = render_to_string("cases/_home.html", {"patterns": filterset.facets().patterns}, request)
        return 200, _("소개"), content

    return public_page(request, render_parts)


def bad_filters(request, filterset, template, title):
    """Bad parameters are the visitor's mistake: say which, in Korean, and list nothing (400)."""
    return 400, title, render_to_string(template, {"filter": filterset, "page": None}, request)


def case_list(request):
    def render_parts(vocabulary):
        filterset = CaseFilter(request.GET, queryset=Case.objects.published(), request=request, vocabulary=vocabulary)
        if not filterset.is_valid():
            return bad_filters(request, filterset, "cases/_case_list.html", _("사례 목록"))
        facets = filterset.facets()
        paginator = TailPaginator(filterset.qs, PAGE_SIZE, count=facets.total, rows=Case.objects.for_listing())
        active_pattern = filterset.active_values()["pattern"]
        context = {
            "filter": filterset,
            "facets": facets,
            "page": paginator.get_page(request.GET.get("page")),
            "patterns": facets.patterns,
            "active_pattern": active_pattern,
            "q": filterset.form.cleaned_data.get("q") or "",
        }
        title = active_pattern.name if active_pattern else _("사례 목록")
        return 200, title, render_to_string("cases/_case_list.html", context, request)

    return public_page(request, render_parts)


def case_detail(request, pk):
    """The case and its similar cases (ranked once per data version): five queries, or one for a 304."""

    def respond(token):
        case = Case.objects.published().page_of(pk, similar_ranking(pk, token))
        if case is None:
            raise Http404
        return render(request, "cases/case_detail.html", {"case": case, "related": case.similar})

    return versioned(request, respond)


def _export(request, kind):
    filterset = CaseFilter(request.GET, queryset=Case.objects.published(), request=request)
    if not filterset.is_valid():
        status, title, content = bad_filters(request, filterset, "cases/_case_list.html", _("사례 목록"))
        return render(request, "cases/page.html", {"title": title, "content": content}, status=status)
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
    """Counts by pattern, industry, area and year, and what the follow-ups measured, for the listing's filters."""

    def render_parts(vocabulary):
        filterset = CaseFilter(request.GET, queryset=Case.objects.published(), request=request, vocabulary=vocabulary)
        if not filterset.is_valid():
            return bad_filters(request, filterset, "cases/_stats.html", _("통계"))
        facets = filterset.facets()
        charts = [
            ("pattern", _("성과 패턴별 사례 수"), stats.bars(facets.pattern)),
            ("industry", _("업종별 사례 수"), stats.bars(facets.industry)),
            ("area", _("지도 분야별 사례 수"), stats.bars([v for v in facets.area if v.count])),
            ("year", _("지도 연도별 사례 수"), stats.bars(sorted(facets.year, key=lambda v: v.value))),
        ]
        outcomes = measured.public_outcomes(filterset)
        context = {
            "filter": filterset,
            "facets": facets,
            "total": facets.total,
            "outcomes": outcomes,
            "outcome_charts": stats.measured_charts(outcomes),
            "min_firms": measured.MIN_FIRMS,
            "charts": charts,
            "cross_tables": crosstab.cross_tables(filterset),
            "finding": crosstab.finding(vocabulary.pattern),
            "finding_source": crosstab.FINDING_SOURCE,
            "grid": grid.build(filterset, facets),
            "grid_source": grid.SOURCE,
            "chart_width": stats.CHART_WIDTH,
            "label_width": stats.LABEL_WIDTH,
            "bar_height": stats.BAR_HEIGHT,
            "context_figures": stats.CONTEXT_FIGURES,
            "context_source": stats.SOURCE,
        }
        return 200, _("통계"), render_to_string("cases/_stats.html", context, request)

    return public_page(request, render_parts)
