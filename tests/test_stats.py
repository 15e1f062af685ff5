"""/stats/: counts by pattern, industry, area and year as SVG charts with tables, plus the study's context figures."""

import pytest

pytestmark = pytest.mark.django_db


def table_rows(response, name):
    return {bar.label: bar.count for chart, _title, bars in response.context["charts"] if chart == name for bar in bars}


def test_stats_count_cases_by_each_dimension(client, seeded):
    response = client.get("/stats/")
    assert response.status_code == 200
    assert table_rows(response, "pattern") == {"성과 패턴 1": 6, "성과 패턴 2": 6}
    assert table_rows(response, "industry")["정밀화학·소재"] == 4
    assert table_rows(response, "area")["품질·불량 관리"] == 5
    assert table_rows(response, "year") == {"2012년": 1, "2013년": 1, "2014년": 1}
    html = response.content.decode()
    assert html.count('<svg class="bar-chart"') == 4  # one per dimension (the grid of 그림11 is its own)
    assert '<th scope="row" lang="ko">성과 패턴 1</th><td>6</td>' in html


def test_stats_follow_the_listing_filters(client, seeded):
    response = client.get("/stats/", {"pattern": "1"})
    assert table_rows(response, "industry") == {
        "계측·분석기기": 1,
        "정밀화학·소재": 1,
        "전기·전자 부품": 2,
        "기계·금형": 1,
        "건축자재": 1,
    }
    assert 'href="/cases/?pattern=1"' in response.content.decode()


def test_stats_show_the_study_s_context_figures_with_their_source(client, seeded):
    html = client.get("/stats/").content.decode()
    for text in ("12.6%", "55.7%", "8억 달러", "한국산업기술진흥협회(2015)"):
        assert text in html


def test_stats_bad_filter_is_400(client, seeded):
    response = client.get("/stats/", {"area": "nope"})
    assert response.status_code == 400
    assert "검색 조건을 확인해 주세요" in response.content.decode()
