"""Pages past the middle are read from the end: they must hold exactly the rows counting from the start gives."""

import pytest

from cases.models import Case
from tests.factories import make_case, make_pattern

pytestmark = pytest.mark.django_db


@pytest.fixture
def forty_five_cases(db):
    pattern = make_pattern(code="p")
    # Few distinct years, so the year sort has many ties (broken by the case code).
    return [make_case(code=f"c{n:02d}", outcome_pattern=pattern, started_year=2010 + n % 3) for n in range(45)]


def listed_codes(client, url, params, pages):
    codes = []
    for page in range(1, pages + 1):
        response = client.get(url, {**params, "page": page})
        if url.startswith("/api/"):
            codes += [result["code"] for result in response.json()["results"]]
        else:
            codes += [case.code for case in response.context["page"].object_list]
    return codes


@pytest.mark.parametrize("params", [{}, {"sort": "-year"}, {"sort": "year"}, {"sort": "firm"}, {"q": "지도내용"}])
@pytest.mark.parametrize("url", ["/cases/", "/api/cases/"])
def test_every_page_holds_the_next_rows_in_order(client, forty_five_cases, url, params):
    expected_order = {
        "-year": ["-started_year", "code"],
        "year": ["started_year", "code"],
        "firm": ["firm__code", "code"],
    }.get(params.get("sort"), ["code"])
    expected = list(Case.objects.order_by(*expected_order).values_list("code", flat=True))
    assert listed_codes(client, url, params, pages=3) == expected  # 20 + 20 + 5, the last two from the end


def test_the_listing_shows_its_position_on_the_last_page(client, forty_five_cases):
    html = client.get("/cases/", {"page": 3}).content.decode()
    assert "3 / 3 페이지" in html
    assert 'rel="prev"' in html and 'rel="next"' not in html
