"""/api/cases/: the listing's data as JSON, same filters, paginated {count, next, previous, results}."""

import pytest

from cases.models import Case
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
    ):
        assert key in first, key
    assert first["firm"] == {"code": "A", "name": "A기업", "industry": "계측·분석기기"}
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
