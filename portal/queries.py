"""What an engineer's page reads: only their own open cases and their own reports on them."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cases.models import Case, Visit

RECENT_REPORTS = 20
# The engineer's words for a report's state: "반려" alone is also an application's (declined, 却下), while a
# report is sent back to be corrected (差し戻し), hence its own context.
REPORT_STATE_LABELS = {
    Visit.ReportState.SUBMITTED: _("확인 대기"),
    Visit.ReportState.CONFIRMED: _("확인됨"),
    Visit.ReportState.RETURNED: pgettext_lazy("visit report", "반려"),
}


def reportable_cases(mentor):
    """The cases the engineer may report a visit on (the form's choices): those they guide now."""
    return mentor.open_cases().select_related("firm").order_by("firm__name", "pk")


def open_cases_with_totals(mentor):
    """Their open cases, each with `visit_count`, `visit_days`, `visit_hours` over confirmed visits only."""
    return Case.attach_visit_totals(list(reportable_cases(mentor).prefetch_related("guidance_areas")))


def recent_reports(mentor):
    """The engineer's latest visits on the cases they guide now (a case handed to someone else drops out),
    each with its `state_label`."""
    reports = list(
        Visit.objects.filter(mentor=mentor, case__in=mentor.open_cases())
        .select_related("case__firm")
        .order_by("-created_at", "-pk")[:RECENT_REPORTS]
    )
    for visit in reports:
        visit.state_label = REPORT_STATE_LABELS[visit.report_state]
    return reports
