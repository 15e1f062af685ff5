"""After the guidance, in real Chromium: staff complete a case and mail its firm the follow-up link; the firm
answers on a phone in Korean; staff read the answer, close the other follow-ups, and the case is 성과 확인.
An engineer opens their link in Japanese and reports a visit; staff confirm it and it counts."""

import re

import pytest
from django.contrib.auth.models import Group, User
from django.core import mail
from django.utils import timezone

from cases.models import Case, FollowUp, GuidanceArea, Mentor, Stage, Visit
from cases.seeding import seed
from tests.factories import make_case_at
from tests.roles import restore_roles

PASSWORD = "a-long-editor-password"
LINK = re.compile(r"https?://\S+/(?:followup|mentor)/[A-Za-z0-9_-]{40,}/")


@pytest.fixture
def program(live_server, transactional_db):
    restore_roles()
    seed()
    editor = User.objects.create_user("editor", password=PASSWORD, is_staff=True)
    editor.groups.add(Group.objects.get(name="편집자"))
    return live_server


def staff_desk(browser, base):
    desk = browser.new_context(locale="ko-KR", viewport={"width": 1280, "height": 900})
    page = desk.new_page()
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/admin/")
    return desk, page


def run_action(page, url, row_text, action):
    page.goto(url)
    page.locator("#result_list tr", has_text=row_text).locator("input.action-select").check()
    page.select_option("select[name=action]", value=action)
    page.click("button[name=index]")


def the_link_in_the_last_mail():
    return LINK.search(mail.outbox[-1].body).group(0)


def test_a_firm_answers_its_follow_up_on_a_phone_and_the_case_is_followed_up(browser, program):
    base = program.url
    areas = list(GuidanceArea.objects.filter(code__in=["injection-mold", "quality"]).order_by("name"))
    case = make_case_at(Stage.IN_GUIDANCE, areas=areas, code="2026-N")
    case.firm.contact_email = "quality@firm-n.example"
    case.firm.save()

    # Staff end the guidance: three follow-ups are scheduled.
    desk, page = staff_desk(browser, base)
    change = f"{base}/admin/cases/case/{case.pk}/change/"
    page.goto(change)
    page.get_by_role("button", name="지도 완료").click()
    page.wait_for_url(change)
    assert FollowUp.objects.filter(case=case).count() == 3

    # They mail the firm the completion survey's link.
    completion = FollowUp.objects.get(case=case, kind="completion")
    run_action(page, f"{base}/admin/cases/followup/?q=2026-N", "완료 시 조사", "send_links")
    assert "1건" in page.locator(".messagelist").inner_text()
    assert mail.outbox[-1].to == ["quality@firm-n.example"]
    link = the_link_in_the_last_mail()

    # The firm answers on its phone, in Korean.
    phone = browser.new_context(locale="ko-KR", viewport={"width": 390, "height": 844})
    survey = phone.new_page()
    survey.goto(link)
    assert survey.locator("html").get_attribute("lang") == "ko"
    assert case.firm.name in survey.locator("main").inner_text()
    assert survey.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling on a phone
    survey.check("input[name=satisfaction][value='5']")
    survey.check("input[name=recommend][value='9']")
    for area in areas:
        survey.check(f"input[name=area-{area.pk}][value=yes]")
    survey.get_by_label("지도 전 (%)").first.fill("4.5")
    survey.get_by_label("현재 (%)").first.fill("1.5")
    survey.fill("input[name=attribution]", "70")
    survey.fill("textarea[name=comment]", "불량이 눈에 띄게 줄었습니다")
    survey.get_by_role("button", name="응답 보내기").click()
    survey.wait_for_load_state()
    assert "응답해 주셔서 감사합니다" in survey.locator("main").inner_text()
    survey.goto(link)  # the link answers once
    assert "이미 응답한 조사입니다" in survey.locator("main").inner_text()
    assert case.firm.name not in survey.locator("main").inner_text()
    phone.close()

    # Staff see the answer.
    page.goto(f"{base}/admin/cases/followup/{completion.pk}/change/")
    answer = page.locator("#content").inner_text()
    assert "응답 완료" in answer and "불량이 눈에 띄게 줄었습니다" in answer
    assert "4.5" in answer and "1.5" in answer

    # The two later surveys go unanswered; staff close them, and the case is followed up.
    page.goto(f"{base}/admin/cases/followup/?q=2026-N&state__exact=due")
    page.locator("#action-toggle").check()
    page.select_option("select[name=action]", value="close_unanswered")
    page.click("button[name=index]")
    page.goto(change)
    assert "성과 확인" in page.locator(".lifecycle h2").inner_text()
    assert Case.objects.get(pk=case.pk).stage == Stage.FOLLOWED_UP
    desk.close()


def test_an_engineer_reports_a_visit_in_japanese_and_staff_confirm_it(browser, program):
    base = program.url
    engineer = Mentor.objects.create(
        code="mentor-sato", name="용접 퇴직기술자", real_name="佐藤 秘密", email="sato@engineer.example"
    )
    case = make_case_at(Stage.IN_GUIDANCE, mentor=engineer, code="2026-P")
    other = make_case_at(Stage.IN_GUIDANCE, code="2026-Q")  # another engineer's case

    desk, page = staff_desk(browser, base)
    run_action(page, f"{base}/admin/cases/mentor/", "용접 퇴직기술자", "send_links")
    assert mail.outbox[-1].to == ["sato@engineer.example"]
    link = the_link_in_the_last_mail()

    visit_page = browser.new_context(locale="ja-JP", viewport={"width": 390, "height": 844}).new_page()
    visit_page.goto(link)
    assert visit_page.locator("html").get_attribute("lang") == "ja"
    assert "指導訪問の報告" in visit_page.locator("h1").inner_text()
    listed = visit_page.locator("main").inner_text()
    assert case.firm.name in listed and other.firm.name not in listed
    today = timezone.localdate()
    visit_page.select_option("select[name=case]", value=str(case.pk))
    visit_page.fill("input[name=started_on]", f"{today:%Y-%m-%d}")
    visit_page.fill("input[name=ended_on]", f"{today:%Y-%m-%d}")
    visit_page.check("input[name=mode][value=on_site]")
    visit_page.fill("input[name=hours]", "6")
    visit_page.fill("textarea[name=summary]", "溶接条件の確認")
    visit_page.locator("form button[type=submit]").click()
    visit_page.wait_for_url(re.compile(r"reported=1"))
    assert visit_page.locator("html").get_attribute("lang") == "ja"
    assert "確認待ち" in visit_page.locator("main").inner_text()
    visit = Visit.objects.get(case=case)
    assert (visit.report_state, visit.mentor) == ("submitted", engineer)

    # Staff confirm the report; now it counts.
    page.goto(f"{base}/admin/cases/case/{case.pk}/change/")
    assert "지도 방문 0회" in page.locator(".lifecycle").inner_text()
    run_action(page, f"{base}/admin/cases/visit/?report_state__exact=submitted", case.firm.name, "confirm_reports")
    page.goto(f"{base}/admin/cases/case/{case.pk}/change/")
    assert "지도 방문 1회 · 1일 · 6" in page.locator(".lifecycle").inner_text()
    assert Visit.objects.get(pk=visit.pk).report_state == "confirmed"
    desk.close()
