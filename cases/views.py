from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from .filters import CaseFilter
from .models import Case, OutcomePattern

PAGE_SIZE = 20


def home(request):
    patterns = OutcomePattern.objects.with_case_counts(Case.objects.published())
    return render(request, "cases/home.html", {"patterns": patterns})


class CountedPaginator(Paginator):
    """A paginator told its total, so it does not run COUNT(*) again."""

    def __init__(self, object_list, per_page, *, count):
        super().__init__(object_list, per_page)
        self.__dict__["count"] = count  # fills the cached_property


def case_list(request):
    filterset = CaseFilter(request.GET, queryset=Case.objects.for_listing(), request=request)
    if not filterset.is_valid():
        # Bad parameters are the visitor's mistake: say which, in Korean, and list nothing.
        return render(request, "cases/case_list.html", {"filter": filterset, "page": None}, status=400)
    facets = filterset.facets()
    page = CountedPaginator(filterset.qs, PAGE_SIZE, count=facets.total).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/case_list.html",
        {
            "filter": filterset,
            "facets": facets,
            "page": page,
            "patterns": facets.patterns,
            "active_pattern": filterset.form.cleaned_data.get("pattern"),
            "q": filterset.form.cleaned_data.get("q") or "",
        },
    )


def case_detail(request, pk):
    case = get_object_or_404(Case.objects.for_detail(), pk=pk)
    return render(request, "cases/case_detail.html", {"case": case})
