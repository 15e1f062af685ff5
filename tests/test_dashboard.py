"""The staff dashboard, the admin's home page: every figure against data built here, each number a link to the
list it counts, and a query count that stays the same at the study's 12 cases and at 20,000."""

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications.models import Application
from cases.models import Case, Mentor, Stage, Visit
from staff.dashboard import build_dashboard
from tests.factories import make_case, make_case_at, make_industry, make_mentor, make_staff_user

pytestmark = pytest.mark.django_db

# The whole page, for an editor (편집자): session, user, two-factor device, the editor's user and group
# permissions, then one query each for cases, visits, follow-ups, applications and engineers. Superusers skip the two
# permission queries; viewers (열람자) the applications'.
EDITOR_QUERIES, SUPERUSER_QUERIES, VIEWER_QUERIES = 10, 8, 9


def member_of(group, username):
    user = User.objects.create_user(username, password="a-long-staff-password", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


def home(client, user):
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/admin/", secure=True)
    assert response.status_code == 200
    return response, len(queries.captured_queries)


def figure(figures, label_start):
    return next(item for item in figures if item.label.startswith(label_start))


def days_ago(days):
    return timezone.now() - timedelta(days=days)


def set_stage_changed(case, days):
    Case.objects.filter(pk=case.pk).update(stage_changed_at=days_ago(days))


def add_visit(case, *, started_days_ago, length=1, hours=4):
    started = timezone.localdate() - timedelta(days=started_days_ago)
    return Visit.objects.create(
        case=case, started_on=started, ended_on=started + timedelta(days=length - 1), hours=Decimal(hours)
    )


def make_application(*, days_ago_=0, state=Application.State.NEW, **fields):
    defaults = {
        "company_name": "주식회사 시험",
        "registration_number": "1234567891",
        "region": "gyeongnam",
        "industry": make_industry(),
        "products": "밸브",
        "employees": 30,
        "contact_name": "김담당",
        "contact_email": "kim@example.invalid",
        "contact_phone": "055-123-4567",
        "bottleneck": "기공 불량",
        "consent_version": "test",
        "consented_at": timezone.now(),
        "submitted_at": days_ago(days_ago_),
        "state": state,
        "decline_reason": "시험 반려" if state == Application.State.DECLINED else "",
    }
    return Application.objects.create(**{**defaults, **fields})


# --- the query budget -----------------------------------------------------------------------------------


def test_the_page_costs_the_same_at_the_studys_12_cases(client, seeded):
    response, editor = home(client, member_of("편집자", "editor"))
    assert editor == EDITOR_QUERIES <= 10
    assert home(client, make_staff_user())[1] == SUPERUSER_QUERIES
    assert home(client, member_of("열람자", "viewer"))[1] == VIEWER_QUERIES
    page = response.content.decode()
    assert '<a href="/admin/cases/case/?stage=completed">12건</a>' in page


def shortlist_page_queries(client, case):
    """Queries of a matching case's change page, shortlist included (warm: per-process caches filled first)."""
    url = reverse("admin:cases_case_change", args=[case.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200 and "퇴직기술자 후보" in response.content.decode()
    return len(context.captured_queries)


# --- the figures ----------------------------------------------------------------------------------------


def test_cases_by_stage_link_to_the_case_list_filtered_by_stage(db):
    for stage in (Stage.RECEIVED, Stage.MATCHING, Stage.MATCHING, Stage.WITHDRAWN):
        make_case_at(stage)
    dashboard = build_dashboard(make_staff_user())
    counts = {item.url: item.count for item in dashboard.stages}
    assert counts["/admin/cases/case/?stage=matching"] == 2
    assert counts["/admin/cases/case/?stage=received"] == 1
    assert counts["/admin/cases/case/?stage=withdrawn"] == 1
    assert counts["/admin/cases/case/?stage=in_guidance"] == 0
    assert [item.label for item in dashboard.stages] == ["접수", "매칭 중", "지도 중", "지도 완료", "성과 확인", "중단"]
    assert dashboard.total_cases == 4


def test_cases_matching_for_more_than_14_days(client, db):
    staff = make_staff_user()
    stale, fresh = make_case_at(Stage.MATCHING, by=staff), make_case_at(Stage.MATCHING, by=staff)
    set_stage_changed(stale, 20)
    set_stage_changed(fresh, 5)
    slow = figure(build_dashboard(staff).attention, "14일 넘게")
    assert slow.count == 1
    # The link lists exactly the counted case.
    client.force_login(staff)
    listed = client.get(slow.url, secure=True)
    assert listed.status_code == 200
    page = listed.content.decode()
    assert stale.code in page and fresh.code not in page


def test_cases_in_guidance_without_a_visit_for_60_days(client, db):
    staff = make_staff_user()
    edge, visited, new, long_ago = (make_case_at(Stage.IN_GUIDANCE, by=staff) for _ in range(4))
    for case in (edge, visited, long_ago):
        set_stage_changed(case, 100)
    set_stage_changed(new, 10)  # assigned ten days ago: no visit yet, but not stalled either
    add_visit(visited, started_days_ago=10)
    add_visit(long_ago, started_days_ago=70)
    add_visit(edge, started_days_ago=62, length=3)  # ended 60 days ago: still a visit in the period
    quiet = figure(build_dashboard(staff).attention, "60일 동안")
    assert quiet.count == 1  # long_ago only
    client.force_login(staff)
    page = client.get(quiet.url, secure=True).content.decode()
    assert long_ago.code in page and not any(case.code in page for case in (edge, visited, new))


def test_no_visit_lately_counts_from_the_korean_calendar_day(db):
    # "In guidance since before the day" is the day in Seoul: 30 minutes either side of its midnight decide.
    staff = make_staff_user()
    since = timezone.localdate() - timedelta(days=60)
    midnight = timezone.make_aware(datetime.combine(since, time.min))
    before, after = (make_case_at(Stage.IN_GUIDANCE, by=staff) for _ in range(2))
    Case.objects.filter(pk=before.pk).update(stage_changed_at=midnight - timedelta(minutes=30))
    Case.objects.filter(pk=after.pk).update(stage_changed_at=midnight + timedelta(minutes=30))
    assert list(Case.objects.without_visit_since(since)) == [before]
    assert figure(build_dashboard(staff).attention, "60일 동안").count == 1


def test_completed_drafts_ready_to_publish(client, db):
    staff = make_staff_user()
    make_case_at(Stage.COMPLETED, by=staff)  # a draft
    make_case_at(Stage.FOLLOWED_UP, by=staff)  # a draft
    make_case_at(Stage.IN_GUIDANCE, by=staff)  # a draft, but not finished
    published = make_case()  # completed and published
    ready = figure(build_dashboard(staff).attention, "공개를 기다리는")
    assert ready.count == 2
    client.force_login(staff)
    page = client.get(ready.url, secure=True).content.decode()
    assert published.code not in page


def test_applications_waiting_oldest_first_with_days_waited(client, db):
    make_application(days_ago_=1, company_name="어제")
    oldest = make_application(days_ago_=3)
    make_application(days_ago_=2)
    make_application(days_ago_=30, state=Application.State.DECLINED)
    dashboard = build_dashboard(make_staff_user())
    assert dashboard.applications.count == 3
    assert dashboard.applications.url == "/admin/applications/application/?state__exact=new"
    assert [row.days for row in dashboard.oldest_applications] == [3, 2, 1]
    assert dashboard.oldest_applications[0].reference == oldest.reference

    response, _queries = home(client, make_staff_user())
    page = response.content.decode()
    assert oldest.reference in page and "3일</td>" in page
    submitted = timezone.localdate(oldest.submitted_at)
    assert f"{submitted.year}년 {submitted.month}월 {submitted.day}일" in page


def test_only_the_oldest_five_applications_are_listed_but_all_are_counted(db):
    for days in range(8):
        make_application(days_ago_=days)
    dashboard = build_dashboard(make_staff_user())
    assert dashboard.applications.count == 8
    assert [row.days for row in dashboard.oldest_applications] == [7, 6, 5, 4, 3]


def test_visits_this_month(client, db):
    case = make_case_at(Stage.IN_GUIDANCE)
    Case.objects.filter(pk=case.pk).update(stage_changed_at=days_ago(400))
    today = timezone.localdate()
    first = today.replace(day=1)
    Visit.objects.create(case=case, started_on=first, ended_on=first + timedelta(days=99), hours=Decimal("1000.5"))
    Visit.objects.create(case=case, started_on=first - timedelta(days=3), ended_on=first - timedelta(days=3), hours=5)
    month = build_dashboard(make_staff_user()).visits
    assert (month.visits, month.days, month.hours) == (1, 100, Decimal("1000.5"))
    response, _queries = home(client, make_staff_user())
    page = response.content.decode()
    assert "1,000.5시간" in page and "100일" in page
    assert f"이번 달 지도 방문 ({today.year}년 {today.month}월)" in page
    listed = client.get(month.url, secure=True).content.decode()  # the visit list, drilled down to this month
    last_month = first - timedelta(days=3)
    assert f"{first.year}년 {first.month}월 1일" in listed
    assert f"{last_month.year}년 {last_month.month}월 {last_month.day}일" not in listed


def test_engineers_load_against_capacity(client, db):
    staff = make_staff_user()
    full = make_mentor(name="바쁜 기술자", status=Mentor.Status.ACTIVE, capacity=2)
    roomy = make_mentor(name="여유 기술자", status=Mentor.Status.ACTIVE, capacity=3)
    make_mentor(name="쉬는 기술자", status=Mentor.Status.PAUSED, capacity=3)
    make_mentor(name="한가한 기술자", status=Mentor.Status.ACTIVE, capacity=3)
    for mentor in (full, full, roomy):
        make_case_at(Stage.IN_GUIDANCE, by=staff, mentor=mentor)
    make_case_at(Stage.COMPLETED, by=staff, mentor=roomy)  # finished cases are no load
    dashboard = build_dashboard(staff)
    assert [(e.name, e.load, e.capacity, e.is_full) for e in dashboard.engineers] == [
        ("바쁜 기술자", 2, 2, True),
        ("여유 기술자", 1, 3, False),
    ]
    assert (dashboard.engineers_active.count, dashboard.engineers_busy, dashboard.engineers_full) == (3, 2, 1)
    assert dashboard.engineers[0].url == f"/admin/cases/mentor/{full.pk}/change/"
    response, _queries = home(client, staff)
    page = response.content.decode()
    assert "정원 참" in page and "여유 있음" in page and "쉬는 기술자" not in page


def test_the_page_is_korean_dated_and_still_lists_every_model(client, seeded):
    response, _queries = home(client, make_staff_user())
    page = response.content.decode()
    today = timezone.localdate()
    assert f"{today.year}년 {today.month}월 {today.day}일 기준" in page
    assert "<h1>현황판</h1>" in page and "관리 메뉴" in page
    for url in ("/admin/cases/case/", "/admin/cases/firm/", "/admin/cases/mentor/", "/admin/auth/user/"):
        assert f'href="{url}"' in page


def test_viewers_see_no_applications(client, seeded):
    make_application(days_ago_=2)
    response, _queries = home(client, member_of("열람자", "viewer"))
    page = response.content.decode()
    assert "검토를 기다리는 신청" not in page
    assert "단계별 사례" in page


def test_reports_awaiting_review_and_overdue_follow_ups_link_to_their_lists(client, db):
    from cases.models import FollowUp

    engineer = make_mentor()
    guided = make_case_at(Stage.IN_GUIDANCE, mentor=engineer)
    today = timezone.localdate()
    for state in (Visit.ReportState.SUBMITTED, Visit.ReportState.SUBMITTED, Visit.ReportState.CONFIRMED):
        Visit.objects.create(case=guided, started_on=today, ended_on=today, hours=Decimal(2), report_state=state)
    completed = make_case_at(Stage.COMPLETED)
    FollowUp.objects.filter(case=completed, kind="completion").update(due_on=today - timedelta(days=3))
    page = home(client, make_staff_user())[0].content.decode()
    assert '<a href="/admin/cases/visit/?report_state__exact=submitted">2건</a>' in page
    assert '<a href="/admin/cases/followup/?overdue=yes">1건</a>' in page
    dashboard = build_dashboard(make_staff_user())
    assert [figure.count for figure in dashboard.follow_through] == [2, 1]
    assert dashboard.visits.visits == 1  # only the confirmed visit counts this month
