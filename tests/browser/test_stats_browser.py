"""A visitor on a phone opens /stats/: the cross-tables and 그림11's grid are there, and the grid's cell leads to
exactly its cases."""

import pytest

from cases.models import Case, EvolutionPath
from cases.seeding import seed


@pytest.fixture
def seeded_live_server(live_server, transactional_db):
    seed()
    # One case that took path ② (general product, proprietary technology), so an arrow has a case to count.
    path = EvolutionPath.objects.get(code="2")
    Case.objects.filter(code="2017-J").update(evolution_path=path, product=path.product, technology=path.technology)
    return live_server


def test_the_statistics_show_both_tables_and_the_grid_and_a_cell_lists_its_cases(page, seeded_live_server):
    page.goto(f"{seeded_live_server.url}/stats/")
    assert page.locator("#crosstab-area").is_visible()
    assert page.locator("#crosstab-industry").is_visible()
    grid = page.locator("svg.grid-chart")
    assert grid.is_visible()
    assert grid.bounding_box()["width"] <= 390
    assert page.get_by_text("이 경로를 택한 사례 1건").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.get_by_role("link", name="1건 경로 ②: 범용 상품 × 독자 기술 사례 목록").click()
    page.wait_for_url("**/cases/?product=general&technology=proprietary")
    assert page.locator(".case-row h3 a").all_inner_texts() == ["J기업"]
    assert page.locator("#id_technology option:checked").inner_text() == "독자 (1)"

    page.go_back()
    page.get_by_role("link", name="11건 출발점: 범용 상품 × 범용 기술 사례 목록").click()
    page.wait_for_url("**/cases/?product=general&technology=general")
    assert page.locator("#results-heading .count").inner_text() == "11건"
