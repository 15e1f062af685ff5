"""/api/cases/: the listing's data as JSON, same filters, paginated {count, next, previous, results}."""

import datetime

import pytest

from cases.models import Case, DataVersion, Visit
from tests.factories import make_case, make_pattern

pytestmark = pytest.mark.django_db

API = "/api/cases/"


def test_list_shape(client, seeded):
    data = client.get(API).json()
    assert set(data) == {"count", "next", "previous", "results"}
    assert data["count"] == 12
    first = data["results"][0]
    for key in (
        "url",
        "firm",
        "products",
        "mentor",
        "guidance_areas",
        "guidance",
        "outcomes",
        "metrics",
        "outcome_pattern",
        "evolution_path",
        "period",
        "grid_position",
        "visits",
        "source",
        "source_notes",
    ):
        assert key in first, key
    assert first["firm"] == {
        "code": "A",
        "name": "A기업",
        "industry": "계측·분석기기",
        "profile": "고감도 센서 기술을 활용해 대기, 수질, 수질 냄새, 악취 등의 실시간 종합 환경 감시 모니터링 장치를 "
        "전문적으로 만드는 기업.",
    }
    assert first["outcome_pattern"]["code"] == "2"
    assert first["period"] == {"start": 2012, "end": 2014, "display": "2012–2014년"}
    assert first["url"].endswith(f"/cases/{Case.objects.get(firm__code='A').pk}/")
    assert "센서" in first["guidance_areas"]


def test_detail_carries_metrics(client, seeded):
    j = Case.objects.get(firm__code="J")
    data = client.get(f"{API}{j.pk}/").json()
    assert data["firm"]["code"] == "J"
    metrics = {m["name"]: m for m in data["metrics"]}
    assert metrics["금형 1개당 비용 절감률"]["value"] == "10.00"
    assert metrics["금형 1개당 비용 절감률"]["qualifier"] == "about"
    assert metrics["금형 1개당 비용 절감률"]["display"] == "약 10%"
    assert data["mentor"]["background"].startswith("일본 금형제작 회사")


def test_same_filters_as_the_listing(client, seeded):
    data = client.get(API, {"pattern": "1", "area": "quality"}).json()
    assert [r["firm"]["code"] for r in data["results"]] == ["D", "F", "K"]
    assert [r["firm"]["code"] for r in client.get(API, {"q": "금형"}).json()["results"]] == ["J"]


def test_bad_filter_is_400_with_korean_message(client, seeded):
    response = client.get(API, {"pattern": "nope", "year": "x"})
    assert response.status_code == 400
    body = response.json()
    assert "pattern" in body and "year" in body
    assert "정수를 입력하세요" in body["year"][0]


def test_drafts_are_hidden(client, db):
    draft = make_case(status=Case.Status.DRAFT)
    assert client.get(API).json()["count"] == 0
    response = client.get(f"{API}{draft.pk}/")
    assert response.status_code == 404
    assert "사례가 없습니다" in response.json()["detail"]


def test_pages(client, db):
    pattern = make_pattern()
    for _ in range(25):
        make_case(outcome_pattern=pattern)
    data = client.get(API).json()
    assert data["count"] == 25 and len(data["results"]) == 20
    assert data["next"].endswith("?page=2")
    assert client.get(API, {"page": "abc"}).status_code == 404


# What the case page shows, in the API too (issue 13) ----------------------------------------------------------


def test_the_firms_profile_is_in_the_list_and_the_detail(client, seeded):
    d = Case.objects.get(firm__code="D")
    profile = "프린터의 OPC 드럼을 30년 이상 개발해 온 기업으로, 일본 업체에 프린터 드럼을 OEM으로 납품한다."
    assert client.get(f"{API}{d.pk}/").json()["firm"]["profile"] == profile
    listed = {r["firm"]["code"]: r["firm"] for r in client.get(API).json()["results"]}
    assert listed["D"]["profile"] == profile
    assert listed["E"]["profile"] == ""  # the study describes no firm E


def test_the_rest_of_the_case_page_is_there(client, seeded):
    j = Case.objects.get(firm__code="J")
    data = client.get(f"{API}{j.pk}/").json()
    assert data["grid_position"] == {"product": "general", "technology": "general", "display": "범용 상품 × 범용 기술"}
    assert data["outcome_pattern"]["description"] == j.outcome_pattern.description != ""
    assert data["source"] == j.source != ""
    assert data["source_notes"] == j.source_notes
    metric = {m["name"]: m for m in data["metrics"]}["금형 1개당 비용 절감률"]
    assert (metric["baseline_display"], metric["target_display"]) == ("", "")
    kinds = {item.kind: item.get_kind_display() for item in j.outcome_items.all()}
    assert {(d["kind"], d["kind_display"]) for d in data["outcome_details"]} == set(kinds.items())


def add_visit(case, day, days=1, hours=6, **fields):
    start = datetime.date(2031, 3, day)
    return Visit.objects.create(
        case=case, started_on=start, ended_on=start + datetime.timedelta(days=days - 1), hours=hours, **fields
    )


def test_visit_totals_count_confirmed_visits_only(client, seeded):
    d = Case.objects.get(firm__code="D")
    add_visit(d, 2)  # entered by staff: on record
    add_visit(d, 5, days=2, hours=10, report_state=Visit.ReportState.SUBMITTED)
    add_visit(d, 9, days=3, hours=20, report_state=Visit.ReportState.RETURNED, returned_reason="날짜가 틀렸습니다")
    assert client.get(f"{API}{d.pk}/").json()["visits"] == {"count": 1, "days": 1, "hours": "6.0"}
    listed = {r["firm"]["code"]: r["visits"] for r in client.get(API).json()["results"]}
    assert listed["D"] == {"count": 1, "days": 1, "hours": "6.0"}
    assert listed["A"] == {"count": 0, "days": 0, "hours": "0.0"}


def test_the_cached_list_shows_a_confirmed_visit_at_once(client, seeded):
    d = Case.objects.get(firm__code="D")
    add_visit(d, 2)
    report = add_visit(d, 5, days=2, hours=10, report_state=Visit.ReportState.SUBMITTED)

    def totals_of_d():
        return {r["firm"]["code"]: r["visits"] for r in client.get(API).json()["results"]}["D"]

    assert totals_of_d() == totals_of_d() == {"count": 1, "days": 1, "hours": "6.0"}  # the second from the cache
    token = DataVersion.current_token()
    report.confirm()
    assert DataVersion.current_token() != token
    assert totals_of_d() == {"count": 2, "days": 3, "hours": "16.0"}
    Visit.objects.filter(pk=report.pk).update(hours=12)  # raw bulk updates too (database triggers)
    assert totals_of_d() == {"count": 2, "days": 3, "hours": "18.0"}
    report.delete()
    assert totals_of_d() == {"count": 1, "days": 1, "hours": "6.0"}


def test_the_detail_lists_the_similar_cases_of_the_case_page(client, seeded):
    d = Case.objects.get(firm__code="D")
    draft = make_case(status=Case.Status.DRAFT, outcome_pattern=d.outcome_pattern, areas=d.guidance_areas.all())
    similar = client.get(f"{API}{d.pk}/").json()["similar"]
    page = client.get(d.get_absolute_url()).context["related"]
    assert (
        [s["firm"] for s in similar]
        == [case.firm.name for case in page]
        == [f"{code}기업" for code in ["L", "E", "F", "J", "K", "H"]]
    )
    assert draft.firm.name not in {s["firm"] for s in similar}
    first = similar[0]
    l_pattern = Case.objects.get(firm__code="L").outcome_pattern
    assert first["shared_areas"] == 2  # L shares two guidance areas with D
    assert first["outcome_pattern"] == {"code": l_pattern.code, "name": l_pattern.name}
    assert first["url"].endswith(f"/cases/{first['id']}/")
    assert "similar" not in client.get(API).json()["results"][0]
