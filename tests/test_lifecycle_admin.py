"""Staff run the lifecycle from the case's admin page: buttons, the shortlist's assignment, Korean errors, roles."""

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from cases.models import Case, Stage, StageChange
from tests.factories import make_area, make_case_at, make_mentor, make_staff_user

pytestmark = pytest.mark.django_db


def member_of(group_name, username):
    user = User.objects.create_user(username, password="a-long-staff-password", is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    return user


def transition_url(case, name):
    return reverse("admin:cases_case_transition", args=[case.pk, name])


def change_page(client, case):
    return client.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()


def test_an_editor_moves_a_case_through_its_stages_from_the_page(client, seeded):
    client.force_login(member_of("편집자", "editor"))
    area = make_area(name="초정밀 사출 금형")
    engineer = make_mentor(name="금형 전문 퇴직기술자")
    engineer.guidance_areas.set([area])
    case = make_case_at(Stage.RECEIVED, areas=[area])

    assert "매칭 시작" in change_page(client, case)
    response = client.post(transition_url(case, "start_matching"), {"note": "검토 끝"}, follow=True)
    assert "매칭 중&#x27; 단계로 바꿨습니다" in response.content.decode()

    html = change_page(client, case)
    assert "퇴직기술자 후보" in html and "금형 전문 퇴직기술자" in html and "초정밀 사출 금형" in html
    client.post(transition_url(case, "assign_mentor"), {"mentor": engineer.pk, "note": "분야 일치"})
    case.refresh_from_db()
    assert (case.stage, case.mentor) == (Stage.IN_GUIDANCE, engineer)

    refused = client.post(transition_url(case, "withdraw"), {"note": ""}, follow=True).content.decode()
    assert "중단 사유를 적어 주세요" in refused
    client.post(transition_url(case, "complete"), {"note": ""})
    case.refresh_from_db()
    assert case.stage == Stage.COMPLETED
    record = change_page(client, case)
    assert "단계 변경 기록" in record and "분야 일치" in record and "editor" in record
    assert StageChange.objects.filter(case=case).count() == 3


def test_bad_requests_are_korean_messages_not_errors(client, seeded):
    client.force_login(make_staff_user())
    case = make_case_at(Stage.MATCHING)
    for data in ({"mentor": "abc"}, {"mentor": "999999"}, {}):
        response = client.post(transition_url(case, "assign_mentor"), data, follow=True)
        assert response.status_code == 200 and "배정할 퇴직기술자를 골라 주세요" in response.content.decode()
    response = client.post(transition_url(case, "no_such_step"), {}, follow=True)
    assert "알 수 없는 작업입니다" in response.content.decode()
    response = client.post(transition_url(case, "complete"), {}, follow=True)
    assert "단계에서는 할 수 없는 일입니다" in response.content.decode()
    assert client.get(transition_url(case, "complete")).status_code == 405
    assert Case.objects.get(pk=case.pk).stage == Stage.MATCHING


def test_a_viewer_sees_no_buttons_and_cannot_post_them(client, seeded):
    client.force_login(member_of("열람자", "viewer"))
    case = make_case_at(Stage.RECEIVED)
    html = change_page(client, case)
    assert "진행 단계" in html and "매칭 시작" not in html
    assert client.post(transition_url(case, "start_matching"), {}).status_code == 403
    assert Case.objects.get(pk=case.pk).stage == Stage.RECEIVED


def test_the_change_list_filters_by_stage_and_what_needs_attention(client, seeded):
    client.force_login(make_staff_user())
    matching = make_case_at(Stage.MATCHING)
    url = reverse("admin:cases_case_changelist")
    listed = client.get(url, {"stage": "matching"}).context["cl"].result_list
    assert list(listed) == [matching]
    Case.objects.filter(pk=matching.pk).update(stage_changed_at=matching.stage_changed_at.replace(year=2020))
    assert list(client.get(url, {"attention": "matching_long"}).context["cl"].result_list) == [matching]
    assert client.get(url, {"stage": "completed"}).context["cl"].result_count == 12
