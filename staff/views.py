"""The staff's yearly report page and its XLSX download (staff/report.py computes the numbers)."""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from .report import XLSX_CONTENT_TYPE, BadYear, build_report, parse_year, xlsx_bytes, years_with_data

REPORT_PERMISSION = "cases.view_case"


def report(request, site):
    """/admin/report/?year=YYYY[&format=xlsx]; behind `site.admin_view` (staff login), and for case viewers only."""
    if not request.user.has_perm(REPORT_PERMISSION):
        raise PermissionDenied
    context = {**site.each_context(request), "title": _("연간 보고서")}
    try:
        year = parse_year(request.GET.get("year"))
    except BadYear as error:
        context.update(error=str(error), years=sorted(years_with_data(), reverse=True))
        return TemplateResponse(request, "staff/report.html", context, status=400)
    data = build_report(year)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(xlsx_bytes(data), content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="report-{year}.xlsx"'
        return response
    context.update(report=data, years=data.years, title=_("%(year)s년 연간 보고서") % {"year": year})
    return TemplateResponse(request, "staff/report.html", context)
