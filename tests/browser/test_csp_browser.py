"""The strict Content Security Policy breaks nothing: no violations on the public pages or the admin case form."""

import pytest
from django.contrib.auth.models import User

from cases.models import Case
from cases.seeding import seed
from tests.roles import restore_roles


@pytest.fixture
def seeded_live_server(live_server, transactional_db):
    restore_roles()
    seed()
    User.objects.create_superuser("root", password="a-long-root-password")
    return live_server


def collect_violations(page):
    found = []
    page.on(
        "console", lambda message: found.append(message.text) if "Content Security Policy" in message.text else None
    )
    page.on("pageerror", lambda error: found.append(str(error)))
    return found


def test_no_csp_violations_on_public_pages_and_the_admin_case_form(browser, seeded_live_server):
    context = browser.new_context(locale="ko-KR")
    page = context.new_page()
    violations = collect_violations(page)
    base = seeded_live_server.url
    j = Case.objects.get(code="2017-J")
    for path in ("/", "/cases/?pattern=1&q=금형", j.get_absolute_url(), "/stats/"):
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        assert page.locator("h1").is_visible()

    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", "root")
    page.fill("#id_password", "a-long-root-password")
    page.click("input[type=submit]")
    for path in (f"/admin/cases/case/{j.pk}/change/", "/admin/cases/case/add/", "/admin/cases/case/"):
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
    # The admin's scripts ran: the autocomplete widget and the two-box area selector were built.
    page.goto(f"{base}/admin/cases/case/{j.pk}/change/")
    assert page.locator(".field-firm .select2-selection").is_visible()
    assert page.locator("#id_guidance_areas_from").is_visible()
    assert violations == []
    context.close()
