"""`manage.py send_reminders`: follow-ups due soon or overdue go to the firm with a fresh link, idle cases to staff;
each reminder once, however often it runs."""

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from cases.models import Case, FollowUp, Visit
from staff.models import SentReminder
from tests.factories import make_case_at, make_firm, make_staff_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("staff_addresses")]

STAFF = ["office@program.example"]
LINK = re.compile(r"https://cases\.example\.org(/followup/[A-Za-z0-9_-]+/)")


@pytest.fixture
def staff_addresses(settings):
    settings.REMINDER_STAFF_EMAILS = STAFF
    settings.SITE_URL = "https://cases.example.org"
    settings.REMINDER_DAYS_BEFORE_DUE = 7
    settings.IDLE_GUIDANCE_DAYS = 60


class FailingBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("SMTP 서버에 연결할 수 없음")


def today():
    """Worked out when each test runs, not at import: a run may cross midnight in Seoul."""
    return timezone.localdate()


def run(*args, verbosity=1):
    out = StringIO()
    call_command("send_reminders", *args, stdout=out, stderr=StringIO(), verbosity=verbosity)
    return out.getvalue()


def followup_due_in(days, email):
    """A completed case whose completion follow-up is due `days` from today (the others are months away)."""
    case = make_case_at(Case.Stage.COMPLETED, firm=make_firm(contact_email=email, contact_name="비밀 담당자"))
    followup = case.followups.get(kind=FollowUp.Kind.COMPLETION)
    FollowUp.objects.filter(pk=followup.pk).update(due_on=today() + timedelta(days=days))
    for later in case.followups.exclude(pk=followup.pk):
        assert later.due_on > today() + timedelta(days=100)
    followup.refresh_from_db()
    return followup


def idle_case(days_in_guidance=90):
    case = make_case_at(Case.Stage.IN_GUIDANCE)
    Case.objects.filter(pk=case.pk).update(stage_changed_at=timezone.now() - timedelta(days=days_in_guidance))
    return case


def visit(case, ended_days_ago, state=Visit.ReportState.CONFIRMED):
    day = today() - timedelta(days=ended_days_ago)
    return Visit.objects.create(case=case, started_on=day, ended_on=day, hours=4, report_state=state)


def mails_to(address):
    return [message for message in mail.outbox if address in message.to]


def test_a_due_soon_and_an_overdue_followup_get_one_reminder_each_and_a_later_one_none():
    soon = followup_due_in(3, "soon@firm.example")
    overdue = followup_due_in(-10, "late@firm.example")
    later = followup_due_in(8, "later@firm.example")

    output = run()

    assert "알림 2건 보냄, 0건 건너뜀, 0건 실패." in output
    assert not mails_to("later@firm.example")
    (soon_mail,) = mails_to("soon@firm.example")
    (late_mail,) = mails_to("late@firm.example")
    assert soon_mail.subject.startswith("[기술지도]") and "다가옵니다" in soon_mail.subject
    assert "지났습니다" in late_mail.body
    for message, followup in ((soon_mail, soon), (late_mail, overdue)):
        assert followup.case.code in message.body and "비밀 담당자" not in message.body
        token = LINK.search(message.body).group(1).rstrip("/").rsplit("/", 1)[1]
        assert FollowUp.open_link(token)[0] == followup  # a fresh, working link
        followup.refresh_from_db()
        assert followup.state == FollowUp.State.SENT and followup.sent_at is not None
    later.refresh_from_db()
    assert later.state == FollowUp.State.DUE


def test_running_twice_sends_each_reminder_once():
    followup_due_in(2, "firm@firm.example")
    idle_case()
    run()
    assert len(mail.outbox) == 2
    second = run()
    assert len(mail.outbox) == 2
    assert "알림 0건 보냄" in second
    assert SentReminder.objects.count() == 2


def a_week_and_a_day_later(followup):
    """As if the follow-up's date had passed eight days ago and its last mail gone out eight days ago."""
    eight_days = timedelta(days=8)
    FollowUp.objects.filter(pk=followup.pk).update(due_on=today() - eight_days, sent_at=timezone.now() - eight_days)


def test_a_followup_reminded_before_its_due_date_is_reminded_once_more_a_week_after_it():
    followup = followup_due_in(1, "firm@firm.example")
    run()
    FollowUp.objects.filter(pk=followup.pk).update(due_on=today() - timedelta(days=1))  # the day has just passed
    run()
    assert len(mails_to("firm@firm.example")) == 1  # the firm got a link yesterday: no nagging yet
    a_week_and_a_day_later(followup)
    run()
    run()
    subjects = [message.subject for message in mails_to("firm@firm.example")]
    assert len(subjects) == 2 and "다가옵니다" in subjects[0] and "기다립니다" in subjects[1]
    assert set(SentReminder.objects.values_list("key", flat=True)) == {
        f"followup:{followup.pk}:due",
        f"followup:{followup.pk}:overdue",
    }


def test_answered_or_closed_followups_get_no_reminder():
    followup = followup_due_in(-3, "firm@firm.example")
    followup.close_unanswered()
    run()
    assert mail.outbox == []


def test_dry_run_lists_what_it_would_send_and_sends_and_writes_nothing():
    followup = followup_due_in(3, "firm@firm.example")
    case = idle_case()

    output = run("--dry-run")

    assert mail.outbox == []
    assert not SentReminder.objects.exists()
    followup.refresh_from_db()
    assert followup.state == FollowUp.State.DUE and followup.link_hash is None
    assert followup.case.code in output and case.code in output and "시험 실행: 알림 2건" in output
    assert "firm@firm.example" not in output


def test_idle_cases_go_to_staff_in_one_digest_once():
    quiet, other_quiet = idle_case(), idle_case()
    reported_only = idle_case()
    visit(reported_only, 5, Visit.ReportState.SUBMITTED)  # not on record until staff confirm it
    busy = idle_case()
    visit(busy, 10)
    started_recently = idle_case(days_in_guidance=20)

    run()
    run()

    (digest,) = mails_to(STAFF[0])
    assert digest.subject.startswith("[기술지도]") and "3건" in digest.subject
    for case in (quiet, other_quiet, reported_only):
        assert case.code in digest.body and case.firm.name in digest.body
        assert f"https://cases.example.org/admin/cases/case/{case.pk}/change/" in digest.body
    for case in (busy, started_recently):
        assert case.code not in digest.body


def test_a_new_idle_period_after_a_visit_is_reported_again():
    case = idle_case(days_in_guidance=200)
    run()
    visit(case, 70)  # a visit, and then no visit again for more than 60 days
    run()
    digests = mails_to(STAFF[0])
    assert len(digests) == 2 and all(case.code in message.body for message in digests)
    since = (today() - timedelta(days=70)).isoformat()
    assert since in digests[1].body


def test_without_configured_addresses_staff_who_manage_stages_get_the_digest(settings):
    settings.REMINDER_STAFF_EMAILS = []
    make_staff_user(email="boss@program.example")
    make_staff_user(email="")
    idle_case()
    run()
    assert [message.to for message in mail.outbox] == [["boss@program.example"]]


@override_settings(EMAIL_BACKEND="tests.test_send_reminders.FailingBackend")
def test_a_failed_mail_is_counted_leaves_no_record_and_is_sent_by_the_next_run():
    followup = followup_due_in(3, "firm@firm.example")
    output = run()
    assert "0건 보냄, 0건 건너뜀, 1건 실패" in output
    assert not SentReminder.objects.exists()
    followup.refresh_from_db()
    assert followup.state == FollowUp.State.DUE
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        run()
    assert len(mails_to("firm@firm.example")) == 1


def test_a_firm_without_an_address_is_skipped_and_counted():
    followup_due_in(3, "")
    output = run()
    assert mail.outbox == [] and "0건 보냄, 1건 건너뜀" in output


def test_verbosity_zero_is_silent():
    followup_due_in(3, "firm@firm.example")
    assert run(verbosity=0) == ""
    assert len(mail.outbox) == 1


def test_a_link_staff_just_sent_is_not_replaced_by_a_reminder():
    # The completion survey is due on the day of completion; staff mail its link that day.
    followup = followup_due_in(0, "firm@firm.example")
    followup.mark_sent()
    run()  # the same day
    FollowUp.objects.filter(pk=followup.pk).update(due_on=today() - timedelta(days=1))
    run()  # the next day
    assert mails_to("firm@firm.example") == []
    assert not SentReminder.objects.exists()
    a_week_and_a_day_later(followup)
    run()
    (reminder,) = mails_to("firm@firm.example")
    assert "기다립니다" in reminder.subject
