"""A visitor switches the interface to 日本語 and English and back; the choice follows them from page to page."""

import pytest

from cases.seeding import seed


@pytest.fixture
def seeded_live_server(live_server, transactional_db):
    seed()
    return live_server


def test_language_switch_is_remembered_and_reversible(page, seeded_live_server):
    base = seeded_live_server.url
    page.goto(f"{base}/cases/?pattern=1")
    assert page.locator("html").get_attribute("lang") == "ko"
    assert page.locator("#filters-heading").inner_text() == "조건으로 찾기"

    page.get_by_role("link", name="日本語").click()
    page.wait_for_url(f"{base}/ja/cases/?pattern=1")  # the same page, filters kept, the language in the URL
    assert page.locator("html").get_attribute("lang") == "ja"
    assert page.locator("#filters-heading").inner_text() == "条件で探す"
    assert "D기업" in page.locator(".case-list").inner_text()  # content stays Korean

    page.get_by_role("link", name="統計").click()  # remembered on the next page
    assert page.locator("h1").inner_text() == "技術指導事例の統計"

    page.get_by_role("link", name="English").click()
    assert page.locator("h1").inner_text() == "Case statistics"
    assert page.locator("html").get_attribute("lang") == "en"

    page.get_by_role("link", name="한국어").click()
    assert page.locator("h1").inner_text() == "기술지도 사례 통계"
    page.goto(f"{base}/")
    assert page.locator("html").get_attribute("lang") == "ko"
    assert page.context.cookies() == []  # the public pages set none


def test_a_visitor_who_chose_japanese_before_lands_on_japanese_pages(page, seeded_live_server):
    """The old switch left a language cookie; an old bookmark opens the page in that language, and 한국어 still
    switches back."""
    base = seeded_live_server.url
    page.context.add_cookies([{"name": "django_language", "value": "ja", "url": base}])
    page.goto(f"{base}/cases/?pattern=1")
    assert page.url == f"{base}/ja/cases/?pattern=1"
    assert page.locator("#filters-heading").inner_text() == "条件で探す"
    page.get_by_role("link", name="한국어").click()
    page.wait_for_url(f"{base}/cases/?pattern=1")
    assert page.locator("#filters-heading").inner_text() == "조건으로 찾기"
