"""Visit rules, shared by the model, the admin and imports, each a Korean error that saves nothing."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases.models import Stage, StageChange, Visit
from tests.factories import make_case_at, make_mentor, make_staff_user

pytestmark = pytest.mark.django_db
DAY = datetime.date(2031, 3, 2)


def visit(case, start=DAY, end=DAY, hours=6, **fields):
    return Visit(case=case, started_on=start, ended_on=end, hours=hours, **fields)


@pytest.fixture
def case():
    return make_case_at(Stage.IN_GUIDANCE)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"end": DAY - datetime.timedelta(days=1)}, "종료일이 시작일보다 빠를 수 없습니다"),
        ({"hours": 0}, "지도 시간은 0보다 커야 합니다"),
        ({"hours": 13}, "하루 12시간을 넘을 수 없습니다"),
        ({"end": DAY + datetime.timedelta(days=1), "hours": 25}, "최대 24시간"),
    ],
)
def test_dates_and_hours(case, fields, message):
    with pytest.raises(ValidationError, match=message):
        visit(case, **fields).full_clean()


def test_a_three_day_stay_is_one_visit_with_its_days(case):
    stay = visit(case, end=DAY + datetime.timedelta(days=2), hours=30)
    stay.full_clean()
    stay.save()
    assert (stay.days, stay.mentor) == (3, case.mentor)
    assert Visit.objects.filter(case=case).totals() == {"visits": 1, "days": 3, "hours": 30}


def test_no_visit_before_the_case_had_an_engineer():
    waiting = make_case_at(Stage.MATCHING)
    with pytest.raises(ValidationError, match="아직 퇴직기술자가 배정되지 않아"):
        visit(waiting).full_clean()
    started = make_case_at(Stage.IN_GUIDANCE)
    assigned_on = StageChange.objects.get(case=started, transition="assign_mentor").at.date()
    with pytest.raises(ValidationError, match="배정된 날"):
        visit(started, start=assigned_on - datetime.timedelta(days=1), end=assigned_on).full_clean()


def test_one_engineer_cannot_be_at_two_cases_on_the_same_day():
    engineer = make_mentor()
    first, second = make_case_at(Stage.IN_GUIDANCE, mentor=engineer), make_case_at(Stage.IN_GUIDANCE, mentor=engineer)
    visit(first, end=DAY + datetime.timedelta(days=2)).save()
    with pytest.raises(ValidationError, match=rf"다른 사례\({first.code}\)"):
        visit(second, start=DAY + datetime.timedelta(days=1), end=DAY + datetime.timedelta(days=1)).full_clean()
    visit(second, start=DAY + datetime.timedelta(days=3), end=DAY + datetime.timedelta(days=3)).full_clean()
    visit(first, start=DAY + datetime.timedelta(days=1), end=DAY + datetime.timedelta(days=1)).full_clean()


def test_the_admin_shows_the_rule_in_korean_and_saves_nothing(client, case):
    client.force_login(make_staff_user())
    data = {
        "case": case.pk,
        "mentor": "",
        "started_on": "2031-03-02",
        "ended_on": "2031-03-01",
        "mode": "on_site",
        "hours": "5",
    }
    response = client.post(reverse("admin:cases_visit_add"), data)
    assert response.status_code == 200
    assert "종료일이 시작일보다 빠를 수 없습니다" in response.content.decode()
    data.update(ended_on="2031-03-02")
    assert client.post(reverse("admin:cases_visit_add"), data).status_code == 302
    assert Visit.objects.get(case=case).mentor == case.mentor
    page = client.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()
    assert "지도 방문 1회 · 1일 · 5" in page
