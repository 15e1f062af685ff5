from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from .filters import CaseFilter
from .models import Case, OutcomePattern

PAGE_SIZE = 20


def home(request):
    patterns = OutcomePattern.objects.with_case_counts(Case.objects.published())
    return render(request, "cases/home.html", {"patterns": patterns})


def case_list(request):
    filterset = CaseFilter(request.GET, queryset=Case.objects.for_listing(), request=request)
    if not filterset.is_valid():
        # Bad parameters are the visitor's mistake: say which, in Korean, and list nothing.
        return render(request, "cases/case_list.html", {"filter": filterset, "page": None}, status=400)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    patterns = OutcomePattern.objects.with_case_counts(filterset.without("pattern"))
    return render(
        request,
        "cases/case_list.html",
        {
            "filter": filterset,
            "page": page,
            "patterns": patterns,
            "active_pattern": filterset.form.cleaned_data.get("pattern"),
        },
    )


def case_detail(request, pk):
    case = get_object_or_404(Case.objects.for_detail(), pk=pk)
    return render(request, "cases/case_detail.html", {"case": case})
