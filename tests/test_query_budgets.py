"""Query budgets: what each page costs, pinned at 1 and at 50 cases (the numbers must not grow with the data).

Every write changes the DataVersion token, so each measurement after adding cases is a cold one: the facet
counts are computed, not served from the cache. docs/performance.md has the budgets and the measured speed.
"""

import datetime
from itertools import count

import pytest
from django.contrib.auth.models import Permission, User
from django.core.cache import caches
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from cases.facets import CACHE_ALIAS
from cases.models import Case, Metric, Visit
from tests.factories import make_area, make_firm, make_industry, make_mentor, make_pattern

pytestmark = pytest.mark.django_db

# The listing: the vocabularies and token, four facet counts summed from the kept counts (PublishedCount; a search
# groups its matches in one query instead), the page's rows and their areas (cases/facets.py).
# The API list: the same, then the page's metrics and the page's confirmed visit totals (one grouped query).
LISTING_BUDGET, API_LIST_BUDGET, ADMIN_CHANGE_LIST_BUDGET = 7, 6, 10
# A case page: the token, the similar cases' ranking (kept per data version: only the first view after a write
# ranks), the case and its similar cases, all their areas, its outcome items, its metrics. An API case: the same
# and the case's confirmed visit totals.
CASE_PAGE_BUDGET, API_DETAIL_BUDGET = 6, 7
# The vocabularies and token, four facet counts and the two cross-tables (pattern × area, pattern × industry),
# each summed from the kept counts (a search groups its matches in one query for all six), then the measured
# outcomes (cases/measured.py): the metric kinds and, in total, by pattern and by area, one query each for the
# metrics, the scores and the adoption. 그림11's grid is drawn from the fourth facet count.
STATS_BUDGET = 1 + 4 + 2 + 1 + 3 * 3

_serial = count(1)


class Program:
    """Cases that all match the filters below, with shared vocabularies (as real data has)."""

    def __init__(self):
        self.pattern, self.other_pattern = make_pattern(code="one"), make_pattern(code="two")
        self.industry = make_industry(code="molding")
        self.areas = [make_area(code="mold"), make_area(code="quality"), make_area(code="welding")]
        self.firms = [make_firm(industry=self.industry) for _ in range(3)]
        self.mentor = make_mentor()

    def add_cases(self, n):
        for _ in range(n):
            i = next(_serial)
            case = Case.objects.create(
                code=f"budget-{i:04d}",
                firm=self.firms[i % 3],
                mentor=self.mentor,
                guidance=f"사출 금형 설계 지도 {i}",
                outcomes="불량률 감소",
                outcome_pattern=self.pattern,
                started_year=2013,
                ended_year=2015,
                status=Case.Status.PUBLISHED,
                stage=Case.Stage.COMPLETED,
            )
            case.guidance_areas.set(self.areas[: 2 + i % 2])  # every case in mold and quality
            case.outcome_items.create(position=1, text=f"성과 {i}")
            Metric.objects.create(case=case, name="불량률", unit="%", value=i)
            # The API's visit totals: one visit on record and one report awaiting review.
            day = datetime.date(2014, 1, 1) + datetime.timedelta(days=2 * i)
            for state in (Visit.ReportState.CONFIRMED, Visit.ReportState.SUBMITTED):
                Visit.objects.create(case=case, started_on=day, ended_on=day, hours=4, report_state=state)

    @property
    def last_case(self):
        return Case.objects.order_by("-pk").first()


@pytest.fixture
def program(db):
    return Program()


def queries_for(client, url, params=None, expected_status=200):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, params or {})
    assert response.status_code == expected_status, response.content[:300]
    return len(context.captured_queries)


def at_1_and_50_cases(program, measure):
    """`measure()` with one case and with fifty (both cold: adding cases changes the DataVersion token)."""
    program.add_cases(1)
    with_one = measure()
    program.add_cases(49)
    with_fifty = measure()
    return with_one, with_fifty


ALL_FILTERS = {"pattern": "one", "industry": "molding", "area": "mold", "year": "2014", "q": "사출 금형"}


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"pattern": "one"},
        {"industry": "molding"},
        {"area": "mold"},
        {"year": "2014"},
        {"q": "금형"},
        {"q": "사출금형 지도", "sort": "-year"},
        {"pattern": "one", "area": "quality", "sort": "firm"},
        ALL_FILTERS,
        {**ALL_FILTERS, "sort": "-updated", "page": "2"},
        {"page": "3"},  # the last page at 50 cases, read from the end
    ],
    ids=lambda params: "&".join(f"{k}={v}" for k, v in params.items()) or "unfiltered",
)
def test_listing_with_any_filters_and_all_facet_counts(client, program, params):
    with_one, with_fifty = at_1_and_50_cases(program, lambda: queries_for(client, "/cases/", params))
    assert with_one == with_fifty <= LISTING_BUDGET


@pytest.mark.parametrize("url", ["/cases/", "/api/cases/", "/stats/"])
def test_a_warm_page_costs_one_query(client, program, url):
    program.add_cases(50)
    client.get(url, ALL_FILTERS)
    # The vocabularies with the DataVersion token; the counts and the rendered page come from the page cache.
    assert queries_for(client, url, ALL_FILTERS) == 1


@override_settings(CACHE_PUBLIC_PAGES=False)
def test_a_warm_listing_without_the_page_cache_counts_nothing(client, program):
    program.add_cases(50)
    client.get("/cases/", ALL_FILTERS)
    with CaptureQueriesContext(connection) as context:
        client.get("/cases/", ALL_FILTERS)
    # The token, the page's cases, their guidance areas: no COUNT, no GROUP BY.
    assert len(context.captured_queries) == 3
    assert not any("COUNT(" in query["sql"].upper() for query in context.captured_queries)


def test_case_page(client, program):
    with_one, with_fifty = at_1_and_50_cases(program, lambda: queries_for(client, f"/cases/{program.last_case.pk}/"))
    assert with_one == with_fifty <= CASE_PAGE_BUDGET


@pytest.mark.parametrize(
    ("url", "budget"), [("/cases/{pk}/", CASE_PAGE_BUDGET), ("/api/cases/{pk}/", API_DETAIL_BUDGET)]
)
def test_a_case_viewed_again_is_not_ranked_again(client, program, url, budget):
    program.add_cases(50)
    url = url.format(pk=program.last_case.pk)
    first = client.get(url)
    with CaptureQueriesContext(connection) as context:
        again = client.get(url)
    assert len(context.captured_queries) == budget - 1
    assert not any("UNION" in query["sql"].upper() for query in context.captured_queries)  # the ranking's shape
    assert again.content == first.content


@pytest.mark.parametrize("params", [{}, ALL_FILTERS], ids=["unfiltered", "all-filters"])
def test_api_list(client, program, params):
    with_one, with_fifty = at_1_and_50_cases(program, lambda: queries_for(client, "/api/cases/", params))
    assert with_one == with_fifty <= API_LIST_BUDGET


def test_api_last_page_costs_what_the_first_costs(client, program):
    program.add_cases(50)
    last = queries_for(client, "/api/cases/", {"page": "3"})
    caches[CACHE_ALIAS].clear()  # as cold as the last page was: the count is kept once per data version
    assert last == queries_for(client, "/api/cases/") <= API_LIST_BUDGET


def test_api_detail(client, program):
    with_one, with_fifty = at_1_and_50_cases(
        program, lambda: queries_for(client, f"/api/cases/{program.last_case.pk}/")
    )
    assert with_one == with_fifty <= API_DETAIL_BUDGET


@pytest.mark.parametrize("params", [{}, ALL_FILTERS], ids=["unfiltered", "all-filters"])
def test_stats_page(client, program, params):
    with_one, with_fifty = at_1_and_50_cases(program, lambda: queries_for(client, "/stats/", params))
    assert with_one == with_fifty <= STATS_BUDGET


STUDY_FILTERS = {"pattern": "1", "area": "quality"}


def cold_stats_queries(client, params):
    """Queries of a cold /stats/ (the page cache cleared), checking that the measured outcomes were computed."""
    caches[CACHE_ALIAS].clear()
    with CaptureQueriesContext(connection) as context:
        response = client.get("/stats/", params)
    assert response.status_code == 200 and response.context["outcomes"].any
    return len(context.captured_queries)


@pytest.mark.parametrize("params", [{}, {"pattern": "one", "area": "mold", "year": "2014", "q": "금형"}])
def test_admin_case_change_list(client, program, params):
    user = User.objects.create_user("editor", password="a-long-staff-password", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="cases"))
    client.force_login(user)
    with_one, with_fifty = at_1_and_50_cases(program, lambda: queries_for(client, "/admin/cases/case/", params))
    assert with_one == with_fifty <= ADMIN_CHANGE_LIST_BUDGET


def test_budgets_hold_with_an_empty_cache(client, program):
    """The cold path is what the budgets above measure; an evicted cache must not cost more."""
    program.add_cases(5)
    caches[CACHE_ALIAS].clear()
    assert queries_for(client, "/cases/", ALL_FILTERS) <= LISTING_BUDGET
