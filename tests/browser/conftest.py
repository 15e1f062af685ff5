"""Real-browser tests: Playwright drives Debian's Chromium (/usr/bin/chromium) against a live server.

Without Chromium they are skipped with a notice; CI sets TRACKER_REQUIRE_BROWSER=1 so they fail instead.
"""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
MISSING = "Chromium not found: browser tests skipped (install Debian's `chromium` to run them)."

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


def pytest_terminal_summary(terminalreporter):
    if not CHROMIUM:
        terminalreporter.write_sep("!", "NOTICE: " + MISSING, yellow=True)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM:
        if os.environ.get("TRACKER_REQUIRE_BROWSER") == "1":
            pytest.fail("TRACKER_REQUIRE_BROWSER=1 but " + MISSING)
        pytest.skip(MISSING)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            # Without these, Chromium keeps trying to reach Google's hosts, which this network refuses.
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="ko-KR", viewport={"width": 390, "height": 844})
    page = context.new_page()
    yield page
    context.close()
