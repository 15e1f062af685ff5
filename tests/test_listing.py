"""/cases/: browsing by outcome pattern first, then industry, area, year and free text."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Case
from tests.factories import make_area, make_case, make_pattern

pytestmark = pytest.mark.django_db

LIST = reverse("cases:list")


def firm_codes(response):
    return [case.firm.code for case in response.context["page"].object_list]


def test_listing_leads_with_the_patterns_and_their_counts(client, seeded):
    response = client.get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("성과 패턴 1") < html.index("조건으로 찾기")
    assert "생산기술 안정화 → 제품경쟁력 강화" in html
    counts = {p.code: p.case_count for p in response.context["patterns"]}
    assert counts == {"1": 6, "2": 6}
    assert response.context["page"].paginator.count == 12


def test_pattern_filter_lists_exactly_that_pattern_s_cases(client, seeded):
    response = client.get(LIST, {"pattern": "1"})
    assert sorted(firm_codes(response)) == list("DEFIJK")
    assert response.context["active_pattern"].code == "1"
    assert "모든 패턴 보기" in response.content.decode()


def test_industry_filter(client, seeded):
    response = client.get(LIST, {"industry": "machinery"})
    assert sorted(firm_codes(response)) == ["G", "J", "L"]


def test_area_filter(client, seeded):
    response = client.get(LIST, {"area": "welding"})
    assert firm_codes(response) == ["G"]


def test_year_filter_matches_cases_whose_period_covers_the_year(client, seeded):
    assert firm_codes(client.get(LIST, {"year": "2013"})) == ["A"]
    assert firm_codes(client.get(LIST, {"year": "2014"})) == ["A"]
    assert firm_codes(client.get(LIST, {"year": "2015"})) == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [("금형", ["J"]), ("용접", ["G"]), ("애자", ["F"]), ("센서", ["A"]), ("도료", ["B"]), ("D기업", ["D"])],
)
def test_free_text_finds_two_syllable_korean_words(client, seeded, query, expected):
    assert firm_codes(client.get(LIST, {"q": query})) == expected


def test_free_text_searches_mentor_and_area_too(client, seeded):
    # "50년" appears only in J's mentor background; "분체공학" is I's guidance area and text.
    assert firm_codes(client.get(LIST, {"q": "50년"})) == ["J"]
    assert "I" in firm_codes(client.get(LIST, {"q": "분체공학"}))


def test_decomposed_hangul_query_matches(client, seeded):
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "금형")
    assert decomposed != "금형"
    assert firm_codes(client.get(LIST, {"q": decomposed})) == ["J"]


def test_filters_combine(client, seeded):
    assert sorted(firm_codes(client.get(LIST, {"pattern": "2", "industry": "chemicals"}))) == ["B", "C", "H"]
    assert firm_codes(client.get(LIST, {"pattern": "1", "area": "quality"})) == ["D", "F", "K"]
    assert firm_codes(client.get(LIST, {"pattern": "2", "area": "quality", "q": "냉동"})) == ["L"]
    assert firm_codes(client.get(LIST, {"pattern": "1", "q": "용접"})) == []


def test_pattern_counts_follow_the_other_filters(client, seeded):
    response = client.get(LIST, {"industry": "chemicals", "pattern": "1"})
    counts = {p.code: p.case_count for p in response.context["patterns"]}
    # Chemicals: B, C, H are pattern 2 and I is pattern 1.
    assert counts == {"1": 1, "2": 3}


def test_pattern_links_keep_the_other_filters(client, seeded):
    html = client.get(LIST, {"industry": "chemicals"}).content.decode()
    assert "?industry=chemicals&amp;pattern=2" in html


def test_sorting(client, seeded):
    assert firm_codes(client.get(LIST, {"sort": "-firm"}))[:3] == ["L", "K", "J"]
    assert firm_codes(client.get(LIST, {"sort": "firm"}))[:3] == ["A", "B", "C"]


def test_drafts_are_not_listed(client, seeded):
    Case.objects.filter(firm__code="J").update(status=Case.Status.DRAFT)
    response = client.get(LIST)
    assert "J" not in firm_codes(response)
    assert response.context["page"].paginator.count == 11
    assert {p.code: p.case_count for p in response.context["patterns"]} == {"1": 5, "2": 6}


@pytest.mark.parametrize(
    ("params", "field_label"),
    [
        ({"pattern": "9"}, "성과 패턴"),
        ({"industry": "no-such"}, "업종"),
        ({"area": "<script>"}, "지도 분야"),
        ({"year": "abc"}, "지도 연도"),
        ({"year": "2013.5"}, "지도 연도"),
        ({"year": "99999"}, "지도 연도"),
        ({"sort": "password"}, "정렬"),
        ({"q": "가" * 101}, "검색어"),
    ],
)
def test_bad_parameters_give_400_with_a_korean_message(client, seeded, params, field_label):
    response = client.get(LIST, params)
    assert response.status_code == 400
    html = response.content.decode()
    assert "검색 조건을 확인해 주세요" in html
    assert field_label in html
    assert "<script>" not in html.split("검색 조건을 확인해 주세요")[1].split("</ul>")[0]


def test_junk_or_out_of_range_page_shows_the_nearest_page(client, seeded):
    for page in ("abc", "-1", "999", "1e9"):
        response = client.get(LIST, {"page": page})
        assert response.status_code == 200
        assert response.context["page"].number == 1


def test_pagination_links_keep_the_filters(client, db):
    pattern = make_pattern(code="bulk")
    for _ in range(25):
        make_case(outcome_pattern=pattern)
    response = client.get(LIST, {"pattern": "bulk"})
    html = response.content.decode()
    assert response.context["page"].paginator.num_pages == 2
    assert "?pattern=bulk&amp;page=2" in html
    second = client.get(LIST, {"pattern": "bulk", "page": "2"})
    assert len(second.context["page"].object_list) == 5


def _queries_for(client, params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(LIST, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("params", [{}, {"pattern": "p-fixed", "area": "a-fixed", "q": "지도", "year": "2013"}])
def test_listing_query_count_does_not_grow_with_cases(client, db, params):
    pattern = make_pattern(code="p-fixed")
    area = make_area(code="a-fixed")
    make_case(outcome_pattern=pattern, areas=[area], started_year=2013)
    with_one = _queries_for(client, params)
    for _ in range(49):
        make_case(outcome_pattern=pattern, areas=[area, make_area()], started_year=2013)
    with_fifty = _queries_for(client, params)
    assert with_one == with_fifty
    assert with_fifty <= 9


def test_facets_count_each_value_with_the_other_filters(client, seeded):
    facets = client.get(LIST, {"pattern": "1"}).context["facets"]
    industry = {v.value: v.count for v in facets.industry}
    assert industry == {"instruments": 1, "chemicals": 1, "electrical": 2, "machinery": 1, "building": 1}
    area = {v.value: v.count for v in facets.area}
    assert area["quality"] == 3 and area["welding"] == 0
    # The pattern facet ignores the pattern filter itself.
    assert {v.value: v.count for v in facets.pattern} == {"1": 6, "2": 6}
    assert {v.value: v.count for v in facets.year} == {}  # no pattern-1 case has a known period

    combined = client.get(LIST, {"pattern": "1", "area": "quality"}).context["facets"]
    assert {v.value: v.count for v in combined.industry} == {
        "instruments": 1,
        "chemicals": 0,
        "electrical": 2,
        "machinery": 0,
        "building": 0,
    }
    assert {v.value: v.count for v in combined.pattern} == {"1": 3, "2": 2}


def test_zero_count_values_are_disabled_not_hidden(client, seeded):
    html = client.get(LIST, {"pattern": "1"}).content.decode()
    assert '<option value="welding" disabled>용접 (0)</option>' in html
    assert '<option value="quality">품질·불량 관리 (3)</option>' in html
    assert '<option value="1" selected>성과 패턴 1 (6)</option>' in html


def test_active_filters_show_as_removable_chips(client, seeded):
    html = client.get(LIST, {"pattern": "2", "area": "quality", "q": "냉동"}).content.decode()
    assert "성과 패턴: 성과 패턴 2" in html
    assert "지도 분야: 품질·불량 관리" in html
    assert "검색어: 냉동" in html
    # Removing the area keeps the others.
    assert 'href="?pattern=2&amp;q=%EB%83%89%EB%8F%99"' in html


def test_search_terms_are_highlighted_and_escaped(client, seeded):
    html = client.get(LIST, {"q": "금형"}).content.decode()
    assert "<mark>금형</mark>" in html
    html = client.get(LIST, {"q": "<script>"}).content.decode()
    assert "<script>" not in html.split("<main")[1]
