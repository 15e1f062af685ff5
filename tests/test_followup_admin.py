"""Follow-ups in the staff admin: the list, the answers, mailing links, closing and revoking; engineers' links."""

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, User
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse
from django.utils import timezone

from cases.models import Case, FollowUp, Mentor, MetricKind
from cases.models.links import LinkRefusal
from tests.factories import make_area, make_case, make_case_at, make_firm, make_mentor, make_staff_user

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:cases_followup_changelist")
LINK = re.compile(r"http://testserver(/(?:followup|mentor)/[A-Za-z0-9_-]+/)")


class FailingBackend(BaseEmailBackend):
    """A mail server that is down (the mail backend is the one outside world we stand in for)."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("SMTP 서버에 연결할 수 없음")


def member_of(group_name):
    user = User.objects.create_user(f"{group_name}-user", password="a-long-staff-password", is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def editor(client):
    client.force_login(member_of("편집자"))
    return client


def completed_case(email="contact@firm.example", **firm_fields):
    firm = make_firm(contact_email=email, contact_name="김비밀담당", legal_name="주식회사 비밀상호", **firm_fields)
    return make_case_at(Case.Stage.COMPLETED, firm=firm, areas=[make_area()])


def completion_followup(case):
    return case.followups.get(kind=FollowUp.Kind.COMPLETION)


def run_action(client, action, objects, url=CHANGELIST):
    return client.post(url, {"action": action, "_selected_action": [obj.pk for obj in objects]}, follow=True)


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def link_in(message):
    match = LINK.search(message.body)
    assert match, message.body
    return match.group(1)


def token_of(path):
    return path.rstrip("/").rsplit("/", 1)[1]


# Mailing the survey link -----------------------------------------------------------------------------------


def test_the_mail_action_sends_one_mail_per_followup_with_a_working_link_and_marks_it_sent(editor):
    first, second = completed_case("one@firm.example"), completed_case("two@firm.example")
    followups = [completion_followup(first), completion_followup(second)]

    response = run_action(editor, "send_links", followups)

    assert "사후 조사 링크 메일 2건을 보냈습니다." in messages_of(response)
    assert sorted(message.to[0] for message in mail.outbox) == ["one@firm.example", "two@firm.example"]
    for message in mail.outbox:
        followup = next(f for f in followups if f.case.firm.contact_email == message.to[0])
        assert message.subject.startswith("[기술지도]") and followup.case.firm.name in message.subject
        assert followup.case.code in message.body and "30일" in message.body and "한 번만" in message.body
        for private in ("김비밀담당", "주식회사 비밀상호", message.to[0]):
            assert private not in message.body  # nothing personal beyond the address it goes to
        path = link_in(message)
        assert resolve(path).view_name == "portal:followup"
        opened, refusal = FollowUp.open_link(token_of(path))
        assert (opened, refusal) == (followup, None)
        followup.refresh_from_db()
        assert followup.state == FollowUp.State.SENT and followup.sent_at is not None
        assert followup.link_expires_at > timezone.now()


def test_sending_again_invalidates_the_older_link(editor):
    followup = completion_followup(completed_case())
    run_action(editor, "send_links", [followup])
    run_action(editor, "send_links", [followup])
    older, newer = (token_of(link_in(message)) for message in mail.outbox)
    assert FollowUp.open_link(older) == (None, LinkRefusal.UNKNOWN)
    assert FollowUp.open_link(newer)[0] == followup


def test_a_firm_without_an_address_and_a_closed_followup_are_skipped_with_a_warning(editor):
    no_address = completion_followup(completed_case(email=""))
    closed = completion_followup(completed_case())
    closed.close_unanswered()

    response = run_action(editor, "send_links", [no_address, closed])

    assert mail.outbox == []
    warning = " ".join(messages_of(response))
    assert "기업 담당자 이메일이 없습니다" in warning and "이미 응답했거나 종료된 조사입니다" in warning
    no_address.refresh_from_db()
    assert no_address.state == FollowUp.State.DUE and no_address.sent_at is None and no_address.link_hash is None


@override_settings(EMAIL_BACKEND="tests.test_followup_admin.FailingBackend")
def test_a_failed_send_is_a_korean_error_and_leaves_the_followup_and_its_old_link_as_they_were(editor):
    followup = completion_followup(completed_case())
    old_token = token_of(followup.issue_link())

    response = run_action(editor, "send_links", [followup])

    assert response.status_code == 200
    assert any("메일을 보내지 못했습니다" in message for message in messages_of(response))
    followup.refresh_from_db()
    assert followup.state == FollowUp.State.DUE and followup.sent_at is None
    assert FollowUp.open_link(old_token)[0] == followup  # the new link was rolled back


# Closing and revoking --------------------------------------------------------------------------------------


def test_closing_the_last_open_followups_moves_the_case_to_followed_up(editor):
    case = completed_case()
    response = run_action(editor, "close_unanswered", list(case.followups.all()))
    assert "사후 조사 3건을 무응답으로 종료했습니다." in messages_of(response)
    assert set(case.followups.values_list("state", flat=True)) == {FollowUp.State.CLOSED}
    case.refresh_from_db()
    assert case.stage == Case.Stage.FOLLOWED_UP


def test_revoking_a_link_makes_it_refused(editor):
    followup = completion_followup(completed_case())
    token = token_of(followup.issue_link())
    response = run_action(editor, "revoke_links", [followup])
    assert "링크 1개를 폐기했습니다." in messages_of(response)
    assert FollowUp.open_link(token) == (None, LinkRefusal.UNKNOWN)


def test_viewers_have_no_actions_that_write(client):
    followup = completion_followup(completed_case())
    client.force_login(member_of("열람자"))
    response = client.get(CHANGELIST)
    assert response.status_code == 200
    assert "send_links" not in response.content.decode()
    run_action(client, "send_links", [followup])
    assert mail.outbox == []


# The list and the change page ------------------------------------------------------------------------------


def test_the_list_shows_code_public_name_and_state_and_filters_overdue(editor):
    overdue_case = completed_case()
    later_case = completed_case()
    FollowUp.objects.filter(case=overdue_case).update(due_on=timezone.localdate() - timezone.timedelta(days=3))
    response = editor.get(CHANGELIST, {"overdue": "yes"})
    html = response.content.decode()
    assert overdue_case.code in html and overdue_case.firm.name in html
    assert later_case.code not in html
    assert "주식회사 비밀상호" not in html
    assert editor.get(CHANGELIST, {"q": later_case.code}).context["cl"].result_count == 3


def rows(count):
    by = make_staff_user()
    for _ in range(count):
        make_case_at(Case.Stage.COMPLETED, by=by, firm=make_firm())


@pytest.mark.parametrize("cases", [1, 7])  # 3 follow-ups each: 3 and 21 rows
def test_the_change_list_costs_the_same_at_any_number_of_rows(editor, django_assert_num_queries, cases):
    rows(cases)
    editor.get(CHANGELIST)  # warm the session
    # session, user, 2FA device, permissions ×2, the count, the rows (with case and firm), the date hierarchy ×2
    with django_assert_num_queries(9):
        response = editor.get(CHANGELIST)
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 3 * cases


def test_the_change_page_shows_the_answers(editor):
    case = completed_case()
    followup = completion_followup(case)
    kind = MetricKind.objects.get(code="defect-rate")
    followup.record_answer(
        satisfaction=4,
        recommend=9,
        attribution=70,
        comment="생산팀장이 특히 만족했습니다",
        adoptions=[(case.guidance_areas.get(), "partly")],
        measurements=[(kind, Decimal("5.00"), Decimal("3.00"))],
    )
    html = editor.get(reverse("admin:cases_followup_change", args=[followup.pk])).content.decode()
    for shown in ("일부 도입", "불량률", "-2.00", "-40.0%", "생산팀장이 특히 만족했습니다", "70"):
        assert shown in html, shown


def test_the_case_page_lists_its_followups_with_links_to_them(editor):
    case = completed_case()
    html = editor.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()
    assert "사후 성과 조사" in html
    for followup in case.followups.all():
        assert reverse("admin:cases_followup_change", args=[followup.pk]) in html


# Engineers' links ------------------------------------------------------------------------------------------


def test_the_engineer_link_action_mails_a_working_link_in_japanese(editor):
    mentor = make_mentor(email="engineer@example.jp", real_name="山田太郎")
    without = make_mentor(email="")
    url = reverse("admin:cases_mentor_changelist")

    response = run_action(editor, "send_links", [mentor, without], url=url)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["engineer@example.jp"]
    assert message.subject == "[技術指導] 指導訪問の報告ページのご案内"
    assert "退職技術者" in message.body and "퇴직기술자" not in message.body  # Japanese throughout
    assert "山田太郎" not in message.body
    path = link_in(message)
    assert resolve(path).view_name == "portal:mentor"
    assert Mentor.open_link(token_of(path))[0] == mentor
    assert any("이메일 주소가 없습니다" in text for text in messages_of(response))
    html = editor.get(reverse("admin:cases_mentor_change", args=[mentor.pk])).content.decode()
    assert "링크 만료일시" in html

    run_action(editor, "revoke_links", [mentor], url=url)
    assert Mentor.open_link(token_of(path)) == (None, LinkRefusal.UNKNOWN)


def test_staff_may_move_a_due_date_and_nothing_else(editor):
    followup = completion_followup(completed_case())
    url = reverse("admin:cases_followup_change", args=[followup.pk])
    new_day = timezone.localdate() + timezone.timedelta(days=20)
    data = {"due_on": new_day.isoformat(), "state": "answered", "satisfaction": "5", "comment": "위조"}
    data.update(
        {f"{prefix}-{n}": "0" for prefix in ("adoptions", "measurements") for n in ("TOTAL_FORMS", "INITIAL_FORMS")}
    )
    response = editor.post(url, data)
    assert response.status_code == 302
    followup.refresh_from_db()
    assert followup.due_on == new_day
    assert (followup.state, followup.satisfaction, followup.comment) == (FollowUp.State.DUE, None, "")


def test_staff_schedule_follow_ups_for_a_finished_guidance_recorded_directly(editor):
    recorded = make_case(stage=Case.Stage.COMPLETED, status=Case.Status.DRAFT)  # entered as already finished
    guided = make_case_at(Case.Stage.COMPLETED)  # completed through the lifecycle: has its own
    ongoing = make_case_at(Case.Stage.IN_GUIDANCE)
    before = list(guided.followups.values_list("pk", flat=True))

    cases = reverse("admin:cases_case_changelist")
    response = run_action(editor, "schedule_followups", [recorded, guided, ongoing], url=cases)

    today = timezone.localdate()
    assert sorted(recorded.followups.values_list("due_on", flat=True))[0] == today
    assert recorded.followups.count() == 3
    assert list(guided.followups.values_list("pk", flat=True)) == before
    assert not ongoing.followups.exists()
    assert any("1건에 사후 성과 조사 일정을 만들었습니다" in text for text in messages_of(response))
    assert any("2건은" in text for text in messages_of(response))


def test_the_follow_up_page_costs_the_same_with_one_and_with_eight_areas(editor):
    def answered_page_queries(areas):
        case = make_case_at(Case.Stage.COMPLETED, areas=areas)
        followup = completion_followup(case)
        followup.record_answer(satisfaction=4, recommend=8, attribution=50, adoptions=[(area, "yes") for area in areas])
        url = reverse("admin:cases_followup_change", args=[followup.pk])
        editor.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = editor.get(url)
        assert response.status_code == 200 and areas[-1].name in response.content.decode()
        return len(queries.captured_queries)

    assert answered_page_queries([make_area()]) == answered_page_queries([make_area() for _ in range(8)])
