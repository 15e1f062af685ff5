"""The whole path as people walk it, in real Chromium: a firm applies on its phone; a staff member accepts the
application, picks an engineer from the shortlist, logs two visits, completes and publishes the case; the public
finds it under its pattern, with nothing private on the page."""

import datetime
import re
import uuid

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone

from cases.models import Case, GuidanceArea, Mentor
from cases.seeding import seed
from tests.roles import restore_roles

PASSWORD = "a-long-editor-password"
SECRET = uuid.uuid4().hex[:10]  # planted in everything the firm sends; must never reach a public page
PRIVATE = {
    "company_name": f"주식회사 비밀정밀 {SECRET}",
    "products": f"비밀 제품 {SECRET}p",
    "contact_name": f"김담당{SECRET}",
    "contact_email": f"kim-{SECRET}@example.invalid",
    "contact_phone": "010-9876-5432",
    "bottleneck": f"사출 금형 버 발생 {SECRET}b",
}
REGISTRATION_NUMBER = "120-81-47521"


@pytest.fixture
def program(live_server, transactional_db):
    restore_roles()
    seed()
    editor = User.objects.create_user("editor", password=PASSWORD, is_staff=True)
    editor.groups.add(Group.objects.get(name="편집자"))
    engineer = Mentor.objects.create(
        code="mentor-kato", name="사출 금형 퇴직기술자", real_name="加藤 秘密", capacity=2, speaks_japanese=True
    )
    engineer.guidance_areas.set(GuidanceArea.objects.filter(code__in=["injection-mold", "quality"]))
    return live_server


def test_from_application_to_published_case(browser, program):
    base = program.url

    # A firm applies on a phone.
    phone = browser.new_context(locale="ko-KR", viewport={"width": 390, "height": 844})
    page = phone.new_page()
    page.goto(f"{base}/")
    page.get_by_role("link", name="기술지도 신청하기").first.click()
    page.wait_for_url(f"{base}/apply/")
    for field in ("company_name", "products", "contact_name", "contact_email", "contact_phone", "bottleneck"):
        page.fill(f"#id_{field}", PRIVATE[field])
    page.fill("#id_registration_number", REGISTRATION_NUMBER)
    page.select_option("#id_region", value="gyeonggi")
    page.select_option("#id_industry", value="machinery")
    page.fill("#id_employees", "45")
    page.check("input[name=wished_areas][value=injection-mold]")
    page.check("#id_consent")
    page.get_by_role("button", name="신청서 보내기").click()
    page.wait_for_url(f"{base}/apply/done/")
    assert "신청이 접수되었습니다" in page.locator("main").inner_text()
    reference = page.locator(".reference").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{4}(-[A-Z2-9]{4}){3}", reference)
    phone.close()

    # Staff accept it from the queue.
    desk = browser.new_context(locale="ko-KR", viewport={"width": 1280, "height": 900})
    page = desk.new_page()
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/admin/")
    page.goto(f"{base}/admin/applications/application/")
    row = page.locator("#result_list tr", has_text=reference)
    row.locator("input.action-select").check()
    page.select_option("select[name=action]", value="accept_applications")
    page.click("button[name=index]")
    assert "매칭 중인 사례를 만들었습니다" in page.locator(".messagelist").inner_text()
    case = Case.objects.get(application__reference=reference)
    assert (case.stage, case.firm.name) == ("matching", "M기업")

    # They pick the engineer from the shortlist.
    change = f"{base}/admin/cases/case/{case.pk}/change/"
    page.goto(change)
    shortlist = page.locator(".shortlist")
    assert "사출 금형 퇴직기술자" in shortlist.inner_text() and "사출 금형" in shortlist.inner_text()
    shortlist.locator("input[type=radio]").first.check()
    page.fill("#assign-note", "사출 금형 분야 일치")
    page.get_by_role("button", name="선택한 퇴직기술자 배정 (지도 시작)").click()
    page.wait_for_url(change)
    assert "지도 중" in page.locator(".lifecycle h2").inner_text()

    # Two visits.
    today = timezone.localdate()
    for start, days, hours in ((today, 1, "6"), (today + datetime.timedelta(days=7), 3, "20")):
        page.goto(change)
        page.get_by_role("link", name="지도 방문 기록하기").click()
        page.fill("#id_started_on", f"{start:%Y-%m-%d}")
        page.fill("#id_ended_on", f"{start + datetime.timedelta(days=days - 1):%Y-%m-%d}")
        page.fill("#id_hours", hours)
        page.fill("#id_summary", "금형 온도 조건 점검")
        page.click("input[name=_save]")
        page.wait_for_url(f"{base}/admin/cases/visit/")
    page.goto(change)
    assert "지도 방문 2회 · 4일 · 26" in page.locator(".lifecycle").inner_text()

    # Guidance ends; staff write the public story and publish it.
    page.get_by_role("button", name="지도 완료").click()
    page.wait_for_url(change)
    assert "지도 완료" in page.locator(".lifecycle h2").inner_text()
    page.goto(f"{base}/admin/cases/firm/{case.firm.pk}/change/")
    page.fill("#id_products", "자동차용 정밀 사출 부품")
    page.click("input[name=_save]")
    page.goto(change)
    page.fill("#id_guidance", "금형 온도 관리와 사출 조건 최적화 지도")
    page.fill("#id_outcomes", "불량률 감소로 납품처의 제품 경쟁력 향상")
    page.select_option("#id_outcome_pattern", label="성과 패턴 1: 생산기술 안정화 → 제품경쟁력 강화")
    page.select_option("#id_status", value="published")
    page.click("input[name=_save]")
    page.wait_for_url(f"{base}/admin/cases/case/")
    assert Case.objects.get(pk=case.pk).status == "published"
    desk.close()

    # The public finds it under its pattern, with nothing the firm sent.
    visitor = browser.new_context(locale="ko-KR", viewport={"width": 390, "height": 844})
    page = visitor.new_page()
    page.goto(f"{base}/cases/?pattern=1")
    assert "M기업" in page.locator("main").inner_text()
    page.get_by_role("link", name=re.compile("M기업")).first.click()
    body = page.content()
    assert "자동차용 정밀 사출 부품" in body
    for value in (*PRIVATE.values(), REGISTRATION_NUMBER, REGISTRATION_NUMBER.replace("-", ""), "加藤 秘密", SECRET):
        assert value not in body
    visitor.close()
