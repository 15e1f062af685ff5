"""An editor enters a case end to end in the admin, saves it as a draft, publishes it, and finds it on /cases/."""

import pytest
from django.contrib.auth.models import Group, User

from cases.seeding import seed
from tests.roles import restore_roles

PASSWORD = "a-long-editor-password"


@pytest.fixture
def editor_live_server(live_server, transactional_db):
    # Live-server tests flush the database between them, groups included: recreate them as the migration does.
    restore_roles()
    seed()
    user = User.objects.create_user("editor", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="편집자"))
    return live_server


def pick_autocomplete(page, field, text):
    page.locator(f".field-{field} .select2-selection").click()
    page.locator(".select2-search__field").fill(text)
    page.locator(".select2-results__option", has_text=text).first.click()


def test_editor_enters_a_case_as_draft_then_publishes_it(browser, editor_live_server):
    context = browser.new_context(locale="ko-KR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    base = editor_live_server.url

    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/admin/")

    page.goto(f"{base}/admin/cases/firm/add/")
    page.fill("#id_code", "M")
    page.fill("#id_name", "M기업")
    page.fill("#id_products", "정밀 금형 부품")
    page.select_option("#id_industry", label="기계·금형")
    page.click("input[name=_save]")
    page.wait_for_url(f"{base}/admin/cases/firm/")

    page.goto(f"{base}/admin/cases/mentor/add/")
    page.fill("#id_code", "mentor-m")
    page.fill("#id_name", "M기업 지도 퇴직기술자")
    page.click("input[name=_save]")
    page.wait_for_url(f"{base}/admin/cases/mentor/")

    page.goto(f"{base}/admin/cases/case/add/")
    page.fill("#id_code", "2026-M")
    page.select_option("#id_recorded_as", value="completed")  # a guidance that already ended
    pick_autocomplete(page, "firm", "M기업")
    pick_autocomplete(page, "mentor", "M기업 지도 퇴직기술자")
    for area in ("사출 금형", "품질·불량 관리"):
        page.select_option("#id_guidance_areas_from", label=area)
        page.click("#id_guidance_areas_add")
    page.fill("#id_guidance", "금형 조립 미세 조정 지도")
    page.fill("#id_outcomes", "불량률 감소")
    page.select_option("#id_outcome_pattern", label="성과 패턴 1: 생산기술 안정화 → 제품경쟁력 강화")
    page.fill("#id_metrics-0-name", "불량률")
    page.fill("#id_metrics-0-unit", "%")
    page.fill("#id_metrics-0-baseline", "5")
    page.fill("#id_metrics-0-value", "2")
    page.click("input[name=_save]")
    page.wait_for_url(f"{base}/admin/cases/case/")
    assert "작성 중" in page.locator("#result_list").inner_text()

    page.goto(f"{base}/cases/")
    assert "M기업" not in page.locator("main").inner_text()

    page.goto(f"{base}/admin/cases/case/?q=2026-M")
    page.locator("#result_list input.action-select").first.check()
    page.select_option("select[name=action]", value="publish")
    page.click("button[name=index]")
    assert "1건을 공개했습니다" in page.locator(".messagelist").inner_text()

    page.goto(f"{base}/cases/?pattern=1")
    listed = page.locator(".case-row h3 a").all_inner_texts()
    assert "M기업" in listed
    page.get_by_role("link", name="M기업").click()
    assert page.get_by_role("rowheader", name="불량률").is_visible()
    assert page.get_by_role("cell", name="2%", exact=True).is_visible()
    assert "사출 금형" in page.locator("main").inner_text()
    context.close()
