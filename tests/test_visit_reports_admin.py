"""Engineers' visit reports in the staff admin: their state shown and filtered, confirmed or returned with a reason."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, Visit
from tests.factories import make_case_at

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:cases_visit_changelist")


@pytest.fixture
def editor(client):
    user = User.objects.create_user("editor", is_staff=True)
    user.groups.add(Group.objects.get(name="편집자"))
    client.force_login(user)
    return client


@pytest.fixture
def case():
    return make_case_at(Case.Stage.IN_GUIDANCE)


def visit(case, days_ago, state=Visit.ReportState.SUBMITTED, hours=6):
    day = timezone.localdate() + timedelta(days=days_ago)
    return Visit.objects.create(case=case, started_on=day, ended_on=day, hours=hours, report_state=state)


def action(client, name, visits, **extra):
    data = {"action": name, "_selected_action": [v.pk for v in visits], **extra}
    return client.post(CHANGELIST, data, follow=True)


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def test_the_list_shows_the_report_state_and_filters_by_it_while_the_default_shows_all(editor, case):
    waiting, on_record = visit(case, 1), visit(case, 2, Visit.ReportState.CONFIRMED)
    everything = editor.get(CHANGELIST)
    assert {v.pk for v in everything.context["cl"].result_list} == {waiting.pk, on_record.pk}
    assert "확인 대기" in everything.content.decode()
    submitted = editor.get(CHANGELIST, {"report_state__exact": "submitted"})
    assert [v.pk for v in submitted.context["cl"].result_list] == [waiting.pk]


def test_confirming_puts_a_report_on_record(editor, case):
    report = visit(case, 1)
    assert Visit.objects.filter(case=case).totals()["visits"] == 0

    response = action(editor, "confirm_reports", [report])

    assert "방문 보고 1건을 확인했습니다." in messages_of(response)
    report.refresh_from_db()
    assert report.report_state == Visit.ReportState.CONFIRMED and report.reviewed_at is not None
    assert Visit.objects.filter(case=case).totals() == {"visits": 1, "days": 1, "hours": 6}


def test_returning_asks_for_a_reason_first_and_then_returns_the_report(editor, case):
    report = visit(case, 1)

    page = action(editor, "return_reports", [report])
    html = page.content.decode()
    assert page.status_code == 200 and "반려 사유" in html
    assert "다음 방문 보고를 퇴직기술자에게 반려합니다." in html and f"{case.code} · " in html
    assert '<input type="hidden" name="action" value="return_reports">' in html
    assert f'<input type="hidden" name="_selected_action" value="{report.pk}">' in html
    without_reason = action(editor, "return_reports", [report], post="yes", reason="  ")
    assert "반려 사유를 적어 주세요." in without_reason.content.decode()
    report.refresh_from_db()
    assert report.report_state == Visit.ReportState.SUBMITTED

    done = action(editor, "return_reports", [report], post="yes", reason="지도 시간을 다시 확인해 주세요")

    assert "방문 보고 1건을 반려했습니다." in messages_of(done)
    report.refresh_from_db()
    assert report.report_state == Visit.ReportState.RETURNED
    assert report.returned_reason == "지도 시간을 다시 확인해 주세요"
    assert Visit.objects.filter(case=case).totals()["visits"] == 0  # a returned visit is not on record


def test_visits_not_awaiting_review_are_skipped_with_a_warning(editor, case):
    on_record = visit(case, 1, Visit.ReportState.CONFIRMED)
    response = action(editor, "confirm_reports", [on_record])
    assert any("건너뛰었습니다" in message for message in messages_of(response))
    response = action(editor, "return_reports", [on_record])
    assert any("건너뛰었습니다" in message for message in messages_of(response))
    on_record.refresh_from_db()
    assert on_record.report_state == Visit.ReportState.CONFIRMED and on_record.reviewed_at is None


def test_the_case_page_shows_each_visits_state(editor, case):
    visit(case, 1)
    html = editor.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()
    assert "보고 상태" in html and "확인 대기" in html


def test_viewers_cannot_confirm(client, case):
    report = visit(case, 1)
    viewer = User.objects.create_user("viewer", is_staff=True)
    viewer.groups.add(Group.objects.get(name="열람자"))
    client.force_login(viewer)
    client.post(CHANGELIST, {"action": "confirm_reports", "_selected_action": [report.pk]})
    report.refresh_from_db()
    assert report.report_state == Visit.ReportState.SUBMITTED
