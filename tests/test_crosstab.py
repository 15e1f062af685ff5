"""/stats/: outcome pattern × guidance area and × industry, with the study's finding; each cell links to its cases."""

import json
import os
import shutil
import subprocess
from collections import Counter
from html import unescape

import pytest
from django.core.cache import caches

from cases.facets import CACHE_ALIAS
from cases.models import Case
from tests.test_html_validity import VNU

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def cold_pages():
    """Each request renders its page, so that its context can be read."""
    caches[CACHE_ALIAS].clear()


def cells(response, name):
    """{(pattern code, row code): (count, link)} of the named table, read from the page's context."""
    table = next(t for t in response.context["cross_tables"] if t.name == name)
    return {
        (pattern.code, row.code): (cell.count, cell.url)
        for row in table.rows
        for pattern, cell in zip(table.patterns, row.cells, strict=True)
    }


def counts(response, name):
    return {key: n for key, (n, _url) in cells(response, name).items() if n}


def expected(cases, name):
    """What the table should count, straight from the cases (each case once per area it has)."""
    result = Counter()
    for case in cases.select_related("outcome_pattern", "firm__industry").prefetch_related("guidance_areas"):
        rows = [area.code for area in case.guidance_areas.all()] if name == "area" else [case.firm.industry.code]
        for row in rows:
            result[(case.outcome_pattern.code, row)] += 1
    return dict(result)


def test_tables_count_the_study_s_cases_by_pattern_and_area_and_by_pattern_and_industry(client, seeded):
    response = client.get("/stats/")
    assert response.status_code == 200
    published = Case.objects.published()
    assert counts(response, "area") == expected(published, "area")
    assert counts(response, "industry") == expected(published, "industry")
    # By hand from fixtures/07_cases.json and 05_firms.json: quality in pattern 1 is D, F and K; new-product
    # in pattern 2 is A and B; chemicals in pattern 2 is B, C and H; machinery in pattern 1 is J alone.
    assert counts(response, "area")[("1", "quality")] == 3
    assert counts(response, "area")[("2", "new-product")] == 2
    assert counts(response, "industry")[("2", "chemicals")] == 3
    assert counts(response, "industry")[("1", "machinery")] == 1


def test_cells_show_count_share_and_heat_and_empty_rows_are_left_out(client, seeded):
    response = client.get("/stats/")
    html = response.content.decode()
    # 품질·불량 관리: 3 of its 5 cases in pattern 1 (60 %, third quarter), 2 in pattern 2 (40 %).
    assert (
        '<td class="heat-3"><a href="/cases/?pattern=1&amp;area=quality" '
        'aria-label="3 (품질·불량 관리 · 성과 패턴 1 사례 목록)">3</a> <span class="share">(60%)</span></td>'
    ) in html
    assert '<td class="heat-2"><a href="/cases/?pattern=2&amp;area=quality"' in html
    assert "<caption>지도 분야별 성과 패턴 (비율은 각 지도 분야의 사례 중 해당 패턴의 비율)</caption>" in html
    assert '<th scope="col" lang="ko">성과 패턴 1</th>' in html
    table = next(t for t in response.context["cross_tables"] if t.name == "area")
    assert all(row.total for row in table.rows)
    assert len(table.rows) == len({code for _p, code in expected(Case.objects.published(), "area")})


@pytest.mark.parametrize("params", [{}, {"industry": "machinery", "sort": "-firm"}], ids=["all", "filtered"])
def test_each_cell_s_link_lists_exactly_that_cell_s_cases(client, seeded, params):
    response = client.get("/stats/", params)
    links = 0
    for name in ("area", "industry"):
        for (pattern, row), (n, url) in cells(response, name).items():
            if not n:
                assert not url
                continue
            listing = client.get(unescape(url))
            assert listing.status_code == 200
            page = listing.context["page"]
            want = Case.objects.published().filter(outcome_pattern__code=pattern)
            want = want.filter(guidance_areas__code=row) if name == "area" else want.filter(firm__industry__code=row)
            if params:
                want = want.filter(firm__industry__code="machinery")
                assert "sort=-firm" in url  # the page's other filters are kept
            assert page.paginator.count == n
            assert sorted(case.code for case in page.object_list) == sorted(want.values_list("code", flat=True))
            links += 1
    assert links


def test_filters_narrow_the_tables(client, seeded):
    response = client.get("/stats/", {"industry": "chemicals"})
    chemicals = Case.objects.published().filter(firm__industry__code="chemicals")
    assert counts(response, "industry") == {("1", "chemicals"): 1, ("2", "chemicals"): 3}
    assert counts(response, "area") == expected(chemicals, "area")
    assert all("industry=chemicals" in url for _n, url in cells(response, "area").values() if url)

    response = client.get("/stats/", {"area": "quality", "pattern": "1"})
    assert counts(response, "area") == {("1", "quality"): 3}
    # D and F are electrical, K instruments.
    assert counts(response, "industry") == {("1", "electrical"): 2, ("1", "instruments"): 1}


def test_a_bad_filter_is_400_without_tables(client, seeded):
    response = client.get("/stats/", {"pattern": "nope"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "검색 조건을 확인해 주세요" in html
    assert "crosstab-table" not in html


@pytest.mark.parametrize(
    ("language", "caption"),
    [
        ("ko", "지도 분야별 성과 패턴"),
        ("ja", "指導分野別の成果パターン"),
        ("en", "Outcome pattern by guidance area"),
    ],
)
def test_the_study_s_finding_stays_korean_with_its_source_in_every_language(client, seeded, language, caption):
    prefix = "" if language == "ko" else f"/{language}"
    html = client.get(f"{prefix}/stats/").content.decode()
    assert caption in html
    assert '<q lang="ko">장치개발과 공정개선에 대한 구체적 자문과 더불어 기술인력의 양성을' in html
    assert '<q lang="ko">신제품의 개발지도, 생산설비의 운영 지도, 구조설계에 대한 자문 등이' in html
    assert '<cite lang="ko">오태헌(2017), 3. 기술지도 성과의 유형별 분석 – 2. 성과 분석 (3-2절)</cite>' in html


def test_stats_with_the_tables_are_valid_html_in_every_language(client, seeded, tmp_path):
    if not (VNU.exists() and shutil.which("java")):
        missing = "Nu Html Checker needs `npm ci` and Java: HTML validity check skipped."
        if os.environ.get("TRACKER_REQUIRE_BROWSER") == "1":
            pytest.fail(missing)
        pytest.skip(missing)
    files = []
    for language in ("ko", "ja", "en"):
        prefix = "" if language == "ko" else f"/{language}"
        for suffix, path in (("all", "/stats/"), ("area", "/stats/?area=quality&year=2013")):
            file = tmp_path / f"stats-{language}-{suffix}.html"
            file.write_bytes(client.get(prefix + path).content)
            files.append(str(file))
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *files],
        capture_output=True,
        text=True,
        timeout=120,
    )
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    assert [(m["url"].rsplit("/", 1)[-1], m.get("lastLine"), m["message"]) for m in messages] == []
