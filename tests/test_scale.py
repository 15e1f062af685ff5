"""The pages whose cost must not grow with the data, measured at the study's 12 cases and again after
`generate_cases` has added 20,000 (with their engineers, visits, applications, follow-ups and costs) and 2,000
answered follow-ups: the staff dashboard, a case's change page with its shortlist, the public statistics with
their measured outcomes, and the staff report.

One test builds the 20,000 cases once (per database) and measures every page before and after, so the suite
pays for the big data set once."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from cases.models import Case, CostLine, FollowUp, GuidanceArea, Mentor, Stage
from staff.report import build_report
from tests.factories import make_case_at, make_mentor, make_staff_user
from tests.outcome_data import add_answers_at_scale
from tests.test_dashboard import EDITOR_QUERIES, VIEWER_QUERIES, home, member_of, shortlist_page_queries
from tests.test_matching import CHANGE_PAGE_WITH_SHORTLIST_QUERIES
from tests.test_query_budgets import STATS_BUDGET, STUDY_FILTERS, cold_stats_queries
from tests.test_staff_report import REPORT_QUERIES, report_queries, rows_of

pytestmark = pytest.mark.django_db


def measure(client, editor, viewer, superuser, matching_case, year):
    """The query count of every page, in a fixed order."""
    counts = {
        "dashboard (editor)": home(client, editor)[1],
        "dashboard (viewer)": home(client, viewer)[1],
    }
    client.force_login(superuser)
    counts["case page with shortlist"] = shortlist_page_queries(client, matching_case)
    for name, params in (("statistics", {}), ("statistics, filtered", STUDY_FILTERS)):
        counts[name] = cold_stats_queries(client, params)
    client.force_login(superuser)
    counts["staff report"] = report_queries(client, year)
    return counts


def test_staff_and_public_pages_cost_the_same_at_12_and_20000_cases(client, seeded):
    editor, viewer, superuser = member_of("편집자", "editor"), member_of("열람자", "viewer"), make_staff_user()
    make_mentor()  # one candidate, so the shortlist's reasons are read too
    matching_case = make_case_at(Stage.MATCHING, areas=list(GuidanceArea.objects.all()[:2]))
    add_answers_at_scale(30, seed=1)  # a few answers, so the measured outcomes are computed at the small size
    year = timezone.localdate().year

    at_study = measure(client, editor, viewer, superuser, matching_case, year)

    call_command("generate_cases", "20000", "--seed", "11", "--batch-size", "5000", stdout=StringIO())
    add_answers_at_scale(2000, seed=2)
    assert Case.objects.count() >= 20_012
    assert Mentor.objects.active().count() >= 150
    assert FollowUp.objects.answered().count() > 10_000 and CostLine.objects.count() > 10_000
    assert rows_of(build_report(year), "metrics")  # this year's answers are measured

    at_scale = measure(client, editor, viewer, superuser, matching_case, year)
    assert at_scale == at_study
    assert at_study == {
        "dashboard (editor)": EDITOR_QUERIES,
        "dashboard (viewer)": VIEWER_QUERIES,
        "case page with shortlist": CHANGE_PAGE_WITH_SHORTLIST_QUERIES,
        "statistics": STATS_BUDGET,
        "statistics, filtered": STATS_BUDGET,
        "staff report": REPORT_QUERIES,
    }
    page = home(client, editor)[0].content.decode()
    assert f"{Case.objects.count():,}건" in page  # the total, thousands separated
