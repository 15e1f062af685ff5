"""The engineer shortlist of a case in matching: who comes first and why, at a fixed cost."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.matching import shortlist
from cases.models import Mentor, Stage
from tests.factories import make_area, make_case_at, make_firm, make_industry, make_mentor, make_staff_user

pytestmark = pytest.mark.django_db

# The case change page of a case in matching, shortlist included (pinned: the same at 1 and at 1,000 engineers).
# 27 since the page shows the follow-ups and the cost ledger and the metric rows pick a metric kind (one query
# each, whatever the number of rows; the cost totals cost none).
CHANGE_PAGE_WITH_SHORTLIST_QUERIES = 27


@pytest.fixture
def boss():
    return make_staff_user("boss")


@pytest.fixture
def matching_case(boss):
    mold, welding = make_area(name="사출 금형"), make_area(name="용접")
    firm = make_firm(industry=make_industry(name="금형"))
    case = make_case_at(Stage.MATCHING, by=boss, firm=firm, areas=[mold, welding])
    case.mold, case.welding = mold, welding
    return case


def test_previous_engineer_first_shared_areas_next_full_last_inactive_absent(boss, matching_case):
    case = matching_case
    make_mentor(code="m-stranger")
    specialist = make_mentor(code="m-specialist", capacity=3)
    specialist.guidance_areas.set([case.mold, case.welding])
    specialist.industries.set([case.firm.industry])
    previous = make_mentor(code="m-previous")
    make_case_at(Stage.COMPLETED, by=boss, firm=case.firm, mentor=previous)
    busy = make_mentor(code="m-busy", capacity=1)
    busy.guidance_areas.set([case.mold, case.welding])
    make_case_at(Stage.IN_GUIDANCE, by=boss, mentor=busy)
    make_mentor(code="m-paused", status=Mentor.Status.PAUSED).guidance_areas.set([case.mold])
    make_mentor(code="m-left", status=Mentor.Status.LEFT)
    make_mentor(code="m-unknown", status="")

    ranked = shortlist(case)
    assert [c.mentor.code for c in ranked] == ["m-previous", "m-specialist", "m-stranger", "m-busy"]
    first, second, third, last = ranked
    assert first.previous_engineer and first.finished_cases == 1
    assert second.shared_areas == ["사출 금형", "용접"] and second.knows_industry and not second.full
    assert third.shared_areas == [] and not third.knows_industry
    assert last.full and (last.load, last.capacity) == (1, 1)


def page_queries(client, case):
    with CaptureQueriesContext(connection) as context:
        response = client.get(reverse("admin:cases_case_change", args=[case.pk]))
    assert response.status_code == 200
    return len(context.captured_queries), response


def test_the_change_page_with_its_shortlist_costs_the_same_at_1_and_1000_engineers(client, boss, matching_case):
    client.force_login(boss)
    make_mentor(code="m-0").guidance_areas.set([matching_case.mold])
    page_queries(client, matching_case)  # warm: the first request also fills per-process caches (content types)
    with_one, response = page_queries(client, matching_case)
    assert "퇴직기술자 후보" in response.content.decode()

    Mentor.objects.bulk_create(
        Mentor(code=f"bulk-{n:04d}", name=f"퇴직기술자 {n}", capacity=1 + n % 3) for n in range(999)
    )
    bulk = Mentor.objects.filter(code__startswith="bulk-").values_list("pk", flat=True)
    Through = Mentor.guidance_areas.through
    Through.objects.bulk_create(Through(mentor_id=pk, guidancearea_id=matching_case.mold.pk) for pk in bulk[::2])
    with_thousand, response = page_queries(client, matching_case)
    assert Mentor.objects.active().count() == 1000
    assert with_one == with_thousand == CHANGE_PAGE_WITH_SHORTLIST_QUERIES
    assert response.content.decode().count('type="radio" name="mentor"') == 10  # the ten best, not the registry
