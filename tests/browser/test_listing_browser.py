"""A visitor on a phone opens /cases/, picks an outcome pattern and sees exactly that pattern's cases."""

import pytest

from cases.models import Case
from cases.seeding import seed


@pytest.fixture
def seeded_live_server(live_server, transactional_db):
    seed()
    return live_server


def listed_firms(page):
    return sorted(page.locator(".case-row h3 a").all_inner_texts())


def test_picking_a_pattern_lists_exactly_its_cases(page, seeded_live_server):
    page.goto(f"{seeded_live_server.url}/cases/")
    assert page.locator("h1").inner_text() == "기술지도 사례"
    assert len(listed_firms(page)) == 12

    page.get_by_role("link", name="성과 패턴 1").click()

    page.wait_for_url("**/cases/?pattern=1")
    expected = sorted(
        case.firm.name for case in Case.objects.published().filter(outcome_pattern__code="1").select_related("firm")
    )
    assert listed_firms(page) == expected == ["D기업", "E기업", "F기업", "I기업", "J기업", "K기업"]
    assert page.locator(".pattern-card.is-active .pattern-name").inner_text() == "성과 패턴 1"
    # Nothing is wider than a phone screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_filter_form_combines_with_the_pattern_and_back_button_restores(page, seeded_live_server):
    page.goto(f"{seeded_live_server.url}/cases/?pattern=2")
    form = page.get_by_role("form", name="조건으로 찾기")
    # Facet counts reflect the pattern already chosen: 2 quality cases in pattern 2, welding is 1.
    assert form.locator("#id_area option[value=quality]").inner_text() == "품질·불량 관리 (2)"
    form.get_by_label("지도 분야").select_option("quality")
    page.get_by_role("button", name="찾기").click()
    page.wait_for_url("**area=quality**")
    assert listed_firms(page) == ["H기업", "L기업"]
    # Combined with the area, the industry counts shrink and empty values are disabled.
    machinery = page.locator("#id_industry option[value=machinery]")
    assert machinery.inner_text() == "기계·금형 (1)"
    assert page.locator("#id_industry option[value=building]").is_disabled()
    assert page.get_by_role("link", name="지도 분야 품질·불량 관리 조건 지우기").is_visible()

    page.go_back()
    page.wait_for_url("**/cases/?pattern=2")
    assert len(listed_firms(page)) == 6


def test_a_case_page_opens_from_the_list(page, seeded_live_server):
    page.goto(f"{seeded_live_server.url}/cases/?q=금형")
    page.get_by_role("link", name="J기업").click()
    assert "J기업" in page.locator("h1").inner_text()
    assert page.get_by_role("cell", name="약 10%").is_visible()


@pytest.mark.parametrize(("query", "expected"), [("금형", ["J기업"]), ("용접", ["G기업"])])
def test_searching_two_syllable_words_finds_the_right_cases(page, seeded_live_server, query, expected):
    page.goto(f"{seeded_live_server.url}/cases/")
    page.get_by_label("검색어").fill(query)
    page.get_by_role("button", name="찾기").click()
    page.wait_for_url("**q=**")
    assert listed_firms(page) == expected
    assert page.locator(".case-row mark").first.inner_text() == query


def test_csv_export_downloads_the_rows_of_the_page(page, seeded_live_server):
    import csv
    import io

    page.goto(f"{seeded_live_server.url}/cases/?pattern=2&industry=chemicals")
    on_page = listed_firms(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV").click()
    content = open(download_info.value.path(), encoding="utf-8-sig").read()
    rows = list(csv.DictReader(io.StringIO(content)))
    assert sorted(row["기업"] for row in rows) == on_page == ["B기업", "C기업", "H기업"]


def test_a_case_prints_on_at_most_two_a4_pages_without_navigation(browser, seeded_live_server):
    context = browser.new_context(locale="ko-KR")
    page = context.new_page()
    page.goto(seeded_live_server.url + Case.objects.get(code="2017-L").get_absolute_url())
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert not page.locator(".related").is_visible()
    assert page.locator("h1").is_visible()
    pdf = page.pdf(format="A4")
    pages = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
    assert 1 <= pages <= 2
    context.close()
