"""Follow-up surveys: scheduled when a case is completed, answered once, and the case moves on when all are done."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.utils import timezone

from cases.models import (
    Case,
    FollowUp,
    FollowUpMeasurement,
    Metric,
    MetricKind,
    Stage,
    StageChange,
    add_months,
)
from tests.factories import make_area, make_case_at, make_staff_user

pytestmark = pytest.mark.django_db


def answer(followup, **overrides):
    fields = {"satisfaction": 5, "recommend": 9, "attribution": 70, "comment": "", "adoptions": (), "measurements": ()}
    followup.record_answer(**{**fields, **overrides})


def test_completing_a_case_schedules_three_follow_ups_at_0_6_and_12_months():
    case = make_case_at(Stage.COMPLETED)
    today = timezone.localdate()
    followups = list(case.followups.order_by("due_on"))
    assert [(f.kind, f.due_on, f.state) for f in followups] == [
        ("completion", today, "due"),
        ("first", add_months(today, 6), "due"),
        ("second", add_months(today, 12), "due"),
    ]


@override_settings(FOLLOWUP_MONTHS=[1, 3, 24])
def test_the_offsets_are_settings():
    case = make_case_at(Stage.COMPLETED)
    today = timezone.localdate()
    assert list(case.followups.values_list("due_on", flat=True)) == [
        add_months(today, 1),
        add_months(today, 3),
        add_months(today, 24),
    ]


def test_cases_not_completed_and_the_studys_cases_have_no_follow_up(seeded):
    make_case_at(Stage.IN_GUIDANCE)
    make_case_at(Stage.WITHDRAWN)
    assert not FollowUp.objects.exists()
    assert Case.objects.filter(code__startswith="2017-").count() == 12


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2024, 8, 31), 6) == date(2025, 2, 28)
    assert add_months(date(2026, 12, 1), 12) == date(2027, 12, 1)
    assert add_months(date(2026, 5, 15), 0) == date(2026, 5, 15)


def test_an_answer_is_stored_once_with_its_adoptions_and_measurements():
    welding, molds = make_area(name="용접"), make_area(name="금형")
    case = make_case_at(Stage.COMPLETED, areas=[welding, molds])
    followup = case.followups.get(kind="completion")
    defects = MetricKind.objects.get(code="defect-rate")
    answer(
        followup,
        adoptions=[(welding, "yes"), (molds, "partly")],
        measurements=[(defects, Decimal("4.5"), Decimal("1.5"))],
        comment="현장 반장이 바뀌었습니다",
    )
    followup.refresh_from_db()
    assert followup.state == "answered" and followup.answered_at is not None
    assert (followup.satisfaction, followup.recommend, followup.attribution) == (5, 9, 70)
    assert dict(followup.adoptions.values_list("area__name", "adopted")) == {"용접": "yes", "금형": "partly"}
    measurement = FollowUpMeasurement.objects.get(followup=followup)
    assert measurement.change == Decimal("-3.00") and measurement.change_percent == Decimal(
        "-66.66666666666666666666666667"
    )
    with pytest.raises(ValidationError, match="이미 응답"):
        answer(followup)
    assert followup.measurements.count() == 1


def test_an_adoption_for_an_area_the_case_lacks_is_not_stored():
    mine, other = make_area(), make_area()
    case = make_case_at(Stage.COMPLETED, areas=[mine])
    followup = case.followups.first()
    answer(followup, adoptions=[(mine, "no"), (other, "yes")])
    assert list(followup.adoptions.values_list("area", flat=True)) == [mine.pk]


def test_the_case_is_followed_up_when_its_last_follow_up_is_answered_or_closed():
    case = make_case_at(Stage.COMPLETED)
    completion, first, second = case.followups.order_by("due_on")
    answer(completion)
    first.close_unanswered()
    case.refresh_from_db()
    assert case.stage == Stage.COMPLETED
    answer(second)
    case.refresh_from_db()
    assert case.stage == Stage.FOLLOWED_UP
    change = StageChange.objects.filter(case=case).first()
    assert (change.transition, change.by, change.target) == ("mark_followed_up", None, "followed_up")


def test_closing_twice_is_refused():
    followup = make_case_at(Stage.COMPLETED).followups.first()
    followup.close_unanswered()
    with pytest.raises(ValidationError):
        followup.close_unanswered()
    with pytest.raises(ValidationError):
        answer(followup)


def test_mark_sent_records_when_and_leaves_answered_ones_alone():
    completion, first, _second = make_case_at(Stage.COMPLETED).followups.order_by("due_on")
    completion.mark_sent()
    completion.refresh_from_db()
    assert completion.state == "sent" and completion.sent_at is not None
    answer(first)
    first.mark_sent()
    first.refresh_from_db()
    assert first.state == "answered" and first.sent_at is None


def test_the_database_refuses_answers_out_of_range_and_a_second_survey_of_a_kind():
    followup = make_case_at(Stage.COMPLETED).followups.first()
    for field, value in (("satisfaction", 6), ("satisfaction", 0), ("recommend", 11), ("attribution", 101)):
        with pytest.raises(IntegrityError), transaction.atomic():
            FollowUp.objects.filter(pk=followup.pk).update(**{field: value})
    with pytest.raises(IntegrityError), transaction.atomic():
        FollowUp.objects.create(case=followup.case, kind=followup.kind, due_on=date(2030, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        FollowUp.objects.filter(pk=followup.pk).update(state="answered")  # an answer has its time


def test_due_by_lists_open_follow_ups_due_by_a_day_overdue_included():
    case = make_case_at(Stage.COMPLETED)
    completion, first, _second = case.followups.order_by("due_on")
    FollowUp.objects.filter(pk=completion.pk).update(due_on=timezone.localdate() - timedelta(days=40))
    soon = timezone.localdate() + timedelta(days=7)
    assert list(FollowUp.objects.due_by(soon)) == [completion]
    answer(completion)
    assert not FollowUp.objects.due_by(soon).exists()
    assert FollowUp.objects.due_by(first.due_on).get() == first


def test_the_study_metrics_are_mapped_to_kinds_and_keep_their_values(seeded):
    mapped = {
        (m.case.code, m.name): (m.kind.code, m.value, m.unit) for m in Metric.objects.select_related("case", "kind")
    }
    assert mapped == {
        ("2017-J", "금형 1개당 비용 절감률"): ("cost", Decimal("10.00"), "%"),
        ("2017-J", "연간 매출 증가율"): ("sales", Decimal("20.00"), "%"),
        ("2017-D", "월 제품 수출량"): ("exports", Decimal("5000.00"), "개/월"),
    }
    assert list(MetricKind.objects.values_list("name", "unit", "lower_is_better")) == [
        ("불량률", "%", True),
        ("원가", "%", True),
        ("생산성", "%", False),
        ("매출", "백만 원", False),
        ("수출", "백만 원", False),
        ("고용", "명", False),
    ]


def test_make_staff_user_is_unaffected_by_follow_ups():
    # A superuser completing a case through the factory gets follow-ups; a manual mark_followed_up still works.
    boss = make_staff_user()
    case = make_case_at(Stage.FOLLOWED_UP, by=boss)
    assert case.stage == Stage.FOLLOWED_UP and case.followups.count() == 3
