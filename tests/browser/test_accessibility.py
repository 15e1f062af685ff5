"""axe-core, run in real Chromium, finds no accessibility violations on the public pages."""

import os
from pathlib import Path

import pytest

from cases.models import Case
from cases.seeding import seed

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture
def seeded_live_server(live_server, transactional_db):
    if not AXE.exists():
        missing = "axe-core not installed (run `npm ci`): accessibility checks skipped."
        if os.environ.get("TRACKER_REQUIRE_BROWSER") == "1":
            pytest.fail(missing)
        pytest.skip(missing)
    seed()
    return live_server


def violations(page, url):
    page.goto(url)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]


@pytest.mark.parametrize("width", [390, 1280])
def test_public_pages_have_no_axe_violations(browser, seeded_live_server, width):
    # bypass_csp lets the test inject axe; the page itself runs under its real policy otherwise.
    context = browser.new_context(locale="ko-KR", viewport={"width": width, "height": 900}, bypass_csp=True)
    page = context.new_page()
    base = seeded_live_server.url
    detail = Case.objects.get(code="2017-J").get_absolute_url()
    for path in (
        "/",
        "/cases/?pattern=1&area=quality&q=품질",
        detail,
        "/stats/",
        "/stats/?industry=chemicals",
        "/apply/",
    ):
        assert violations(page, base + path) == [], path
    # The application form as a firm sees it after a mistake: the error summary and the field errors.
    page.goto(base + "/apply/")
    page.evaluate("document.querySelector('form.apply-form').noValidate = true")  # let the server answer
    page.get_by_role("button", name="신청서 보내기").click()
    page.wait_for_selector("#form-errors")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    assert [v["id"] for v in result["violations"]] == []
    context.close()


def test_pages_in_japanese_and_english_have_no_axe_violations(browser, seeded_live_server):
    context = browser.new_context(locale="ko-KR", bypass_csp=True)
    page = context.new_page()
    base = seeded_live_server.url
    for language in ("日本語", "English"):
        page.goto(base + "/apply/")
        page.get_by_role("button", name=language).click()  # /apply/ keeps the form switch and its cookie
        prefix = page.evaluate("document.documentElement.lang")
        for path in (f"/{prefix}/cases/?pattern=2", f"/{prefix}/stats/", "/apply/"):
            assert violations(page, base + path) == [], (language, path)
    context.close()
