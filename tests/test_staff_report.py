"""The staff's yearly report, /admin/report/?year=YYYY: the year's numbers against a small year built here, the
XLSX download equal to the page cell by cell, permissions, bad years, and a query count that stays the same at
the study's 12 cases and at 20,000."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from io import BytesIO

import pytest
from django.contrib.auth.models import User
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from applications.models import Application
from cases.facets import LOCAL_ALIAS
from cases.models import CostLine, FollowUp, StageChange, Visit
from staff.report import build_report
from tests.factories import make_area, make_case, make_industry, make_mentor, make_pattern, make_staff_user
from tests.outcome_data import Answer, add_answers

pytestmark = pytest.mark.django_db

YEAR = 2023


def at(month, day, hour=12):
    return timezone.make_aware(datetime(YEAR, month, day, hour))


def make_application(submitted_at, state=Application.State.NEW, decided_at=None, case=None):
    return Application.objects.create(
        company_name="주식회사 비공개",
        registration_number="1234567891",
        region="gyeongnam",
        industry=make_industry(),
        products="밸브",
        employees=30,
        contact_name="김담당",
        contact_email="kim@example.invalid",
        contact_phone="055-123-4567",
        bottleneck="기공 불량",
        consent_version="test",
        consented_at=submitted_at,
        submitted_at=submitted_at,
        state=state,
        decided_at=decided_at,
        decline_reason="시험 반려" if state == Application.State.DECLINED else "",
        case=case,
    )


def change(case, transition, when):
    return StageChange.objects.create(
        case=case, transition=transition, source="matching", target="in_guidance", at=when
    )


@pytest.fixture
def year(db):
    """A small year: 3 applications (2 accepted, 1 declined), 2 cases started from them after 10 and 21 days,
    1 completed, visits, follow-ups and costs; and records of the years around it, which must not count."""
    first, second, other = make_case(subsidy_rate=60), make_case(subsidy_rate=50), make_case()
    make_application(at(1, 10), Application.State.ACCEPTED, at(1, 12), case=first)
    make_application(at(2, 1), Application.State.ACCEPTED, at(2, 3), case=second)
    make_application(at(3, 5), Application.State.DECLINED, at(3, 6))
    make_application(at(12, 20) - timedelta(days=365), Application.State.DECLINED, at(12, 22) - timedelta(days=365))
    make_application(at(12, 30) - timedelta(days=365))  # applied last year, still waiting
    change(first, "assign_mentor", at(1, 20))  # 10 days after applying
    change(first, "replace_mentor", at(3, 1))
    change(first, "assign_mentor", at(3, 10))  # a second engineer: the first one counts
    change(second, "assign_mentor", at(2, 22))  # 21 days
    change(other, "assign_mentor", at(5, 1) - timedelta(days=365))  # started last year
    change(first, "complete", at(9, 30))
    change(other, "complete", at(5, 1) + timedelta(days=365))  # next year
    mentor = make_mentor()
    Visit.objects.create(case=first, mentor=mentor, started_on=date(YEAR, 2, 1), ended_on=date(YEAR, 2, 3), hours=18)
    Visit.objects.create(
        case=second, mentor=mentor, started_on=date(YEAR, 4, 1), ended_on=date(YEAR, 4, 1), hours=Decimal("5.5")
    )
    Visit.objects.create(
        case=second,
        mentor=mentor,
        started_on=date(YEAR, 5, 1),
        ended_on=date(YEAR, 5, 1),
        hours=4,
        report_state="submitted",
    )  # not yet confirmed
    Visit.objects.create(
        case=other, mentor=mentor, started_on=date(YEAR - 1, 5, 1), ended_on=date(YEAR - 1, 5, 1), hours=4
    )
    FollowUp.objects.create(
        case=first,
        kind="completion",
        due_on=date(YEAR, 9, 30),
        state="answered",
        answered_at=at(10, 2),
        satisfaction=5,
        recommend=9,
        attribution=70,
    )
    FollowUp.objects.create(case=first, kind="first", due_on=date(YEAR, 3, 30), state="closed", closed_at=at(5, 1))
    FollowUp.objects.create(case=second, kind="completion", due_on=date(YEAR, 11, 30), state="sent")  # past due
    FollowUp.objects.create(case=second, kind="first", due_on=date(YEAR + 1, 5, 30), state="due")  # next year
    CostLine.objects.create(case=first, kind="consulting", spent_on=date(YEAR, 3, 1), amount=1_000_000)  # 60%
    CostLine.objects.create(case=first, kind="airfare", spent_on=date(YEAR, 3, 2), amount=450_000, subsidy=200_000)
    CostLine.objects.create(case=second, kind="consulting", spent_on=date(YEAR, 4, 1), amount=2_000_000)  # 50%
    CostLine.objects.create(case=second, kind="consulting", spent_on=date(YEAR + 1, 1, 1), amount=9_000_000)
    pattern, area = make_pattern(name="시험 패턴"), make_area(name="시험 분야")
    add_answers(
        [Answer(measurements={"defect-rate": (10, now)}) for now in (8, 6, 7)],
        pattern=pattern,
        areas=[area],
        answered_on=date(YEAR, 6, 1),
    )
    add_answers(
        [Answer(measurements={"defect-rate": (10, 1)})], pattern=pattern, areas=[area], answered_on=date(YEAR - 1, 6, 1)
    )
    return YEAR


def rows_of(report, key):
    return {row[0]: row[1:] for row in report.section(key).rows}


def test_applications_cases_visits_follow_ups_and_costs_of_the_year(year):
    report = build_report(year, today=date(YEAR + 1, 2, 1))
    # Received: applied this year; accepted and declined: decided this year (last year's two do not count).
    assert rows_of(report, "applications") == {
        "접수 (그해 신청)": [3],
        "수락 (그해 결정)": [2],
        "반려 (그해 결정)": [1],
    }
    cases = rows_of(report, "cases")
    assert cases["지도 시작 (첫 퇴직기술자 배정)"] == [2]
    assert cases["지도 완료"] == [1]
    assert cases["신청부터 배정까지 걸린 날 (중앙값, 일)"] == [15.5]  # (10 + 21) / 2
    visits = rows_of(report, "visits")
    assert (visits["방문 (확인된 것)"], visits["방문 일수"], visits["지도 시간"]) == ([2], [4], [23.5])
    followups = rows_of(report, "followups")
    # Due this year: the three planted answers, one answered, one closed, one past due (one is due next year).
    assert followups["그해 예정된 조사"] == [6]
    assert (followups["응답"], followups["무응답 종료"], followups["기한이 지났는데 응답 없음"]) == ([4], [1], [1])
    assert followups["응답률 (%)"] == [66.7]
    costs = rows_of(report, "costs")
    assert costs["자문료"] == [3_000_000, 1_600_000, 1_400_000]
    assert costs["항공료"] == [450_000, 200_000, 250_000]
    assert costs["합계"] == [3_450_000, 1_800_000, 1_650_000]


def test_a_follow_up_not_yet_due_is_not_counted_against_the_rate(year):
    followups = rows_of(build_report(year, today=date(YEAR, 10, 15)), "followups")
    assert followups["기한이 지났는데 응답 없음"] == [0]  # the one due on 30 November is not late yet
    assert followups["응답률 (%)"] == [80.0]


def test_staff_see_outcomes_of_fewer_than_five_firms_marked(year):
    report = build_report(year)
    metrics = report.section("metrics")
    total = next(row for row in metrics.rows if row[0] == "전체")
    # 구분, 지표, 응답 수, 응답 기업 수, 변화 (중앙값), 단위, 변화율, 5곳 미만: three firms answered this year.
    assert total[1:] == ["불량률", 3, 3, -3.0, "%", -30.0, "예"]
    assert "공개 통계에 나오지 않습니다" in metrics.note
    scores = next(row for row in report.section("scores").rows if row[0] == "전체")
    assert scores[1:3] == [4, 4]  # three planted answers and the case answered in October


def test_the_outcomes_are_kept_until_an_answer_changes_them(year):
    """Measured once per data version (seconds at scale), and never stale: a new answer shows in the next report."""
    total = lambda report: next(row for row in report.section("metrics").rows if row[0] == "전체")  # noqa: E731
    with CaptureQueriesContext(connection) as first:
        assert total(build_report(year))[2] == 3
    with CaptureQueriesContext(connection) as again:
        assert total(build_report(year))[2] == 3
    assert len(again.captured_queries) < len(first.captured_queries)  # the outcomes' aggregates were not run again
    pattern, area = make_pattern(name="다른 패턴"), make_area(name="다른 분야")
    add_answers(
        [Answer(measurements={"defect-rate": (10, 5)})], pattern=pattern, areas=[area], answered_on=date(YEAR, 7, 1)
    )
    assert total(build_report(year))[2] == 4


class Tables(HTMLParser):
    """The report page's tables, by data-section, as lists of cell texts."""

    def __init__(self):
        super().__init__()
        self.tables, self.current, self.cell = {}, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "data-section" in attrs:
            self.current = self.tables.setdefault(attrs["data-section"], [])
        elif self.current is not None and tag == "tr":
            self.current.append([])
        elif self.current is not None and tag in ("td", "th"):
            self.cell = ""

    def handle_endtag(self, tag):
        if tag == "table":
            self.current = None
        elif tag in ("td", "th") and self.cell is not None:
            self.current[-1].append(self.cell.strip())
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def page_value(text):
    if text == "—":
        return None
    try:
        number = float(text.replace(",", ""))
    except ValueError:
        return text
    return int(number) if "." not in text else number


def test_every_number_on_the_page_equals_its_cell_in_the_xlsx(client, year):
    client.force_login(make_staff_user())
    page = client.get("/admin/report/", {"year": YEAR}, secure=True)
    assert page.status_code == 200
    tables = Tables()
    tables.feed(page.content.decode())
    download = client.get("/admin/report/", {"year": YEAR, "format": "xlsx"}, secure=True)
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(BytesIO(download.content))
    report = build_report(YEAR)
    assert len(workbook.sheetnames) == len(report.sections) == 8
    compared = 0
    for section, sheet_name in zip(report.sections, workbook.sheetnames, strict=True):
        sheet = list(workbook[sheet_name].iter_rows(values_only=True))
        html = tables.tables.get(section.key, [])
        assert (
            [str(h) for h in section.headers]
            == list(sheet[0])
            == (html[0] if html else [str(h) for h in section.headers])
        )
        for html_row, xlsx_row in zip(html[1:], sheet[1:], strict=False):
            assert [page_value(text) for text in html_row] == [None if cell == "" else cell for cell in xlsx_row]
            compared += 1
        assert len(html[1:]) == len(section.rows)
    assert compared >= 20
    assert "응답 기업 수" in page.content.decode() and "엑셀(XLSX)로 내려받기" in page.content.decode()


def test_the_page_defaults_to_this_year_and_offers_the_years_with_data(client, year):
    client.force_login(make_staff_user())
    page = client.get("/admin/report/", secure=True).content.decode()
    this_year = timezone.localdate().year
    assert f"{this_year}년 연간 보고서" in page
    for offered in (YEAR - 1, YEAR, YEAR + 1, this_year):
        assert f'<option value="{offered}"' in page
    assert "주식회사 비공개" not in page and "김담당" not in page  # counts only, nothing private


@pytest.mark.parametrize("bad", ["abc", "2023.5", "1999", "99999", "-1"])
def test_a_bad_year_is_a_korean_message_not_a_500(client, db, bad):
    client.force_login(make_staff_user())
    response = client.get("/admin/report/", {"year": bad}, secure=True)
    assert response.status_code == 400
    assert "연도는 2008부터 2100 사이의 숫자로 적어 주세요." in response.content.decode()


def test_anonymous_visitors_are_sent_to_the_login(client, db):
    response = client.get("/admin/report/", {"year": YEAR}, secure=True)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_staff_without_view_case_are_refused(client, db):
    client.force_login(User.objects.create_user("clerk", password="a-long-staff-password", is_staff=True))
    assert client.get("/admin/report/", {"year": YEAR}, secure=True).status_code == 403
    assert client.get("/admin/report/", {"year": YEAR, "format": "xlsx"}, secure=True).status_code == 403


def test_the_dashboard_links_to_the_report(client, seeded):
    client.force_login(make_staff_user())
    assert 'href="/admin/report/"' in client.get("/admin/", secure=True).content.decode()


# The whole report page for a superuser: session, user, two-factor device, then the report's own queries (the
# years with data in two, applications, stage changes, visits, follow-ups, costs, and the measured outcomes'
# nine grouped queries plus the metric kinds). tests/test_scale.py shows it is the same at 20,000 cases.
REPORT_QUERIES = 22


def report_queries(client, year):
    """The report's queries when its measured outcomes are not kept yet (the first view in a data version)."""
    caches[LOCAL_ALIAS].clear()
    with CaptureQueriesContext(connection) as context:
        response = client.get("/admin/report/", {"year": year}, secure=True)
    assert response.status_code == 200
    return len(context.captured_queries)
