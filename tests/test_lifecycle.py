"""A case's lifecycle: only the listed transitions, checked, recorded and locked; publishing needs a finished case."""

import pytest
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django_fsm import TransitionNotAllowed

from cases.models import Case, Stage, StageChange
from tests.factories import make_case_at, make_mentor, make_staff_user

pytestmark = pytest.mark.django_db


def test_the_study_cases_are_seeded_completed(seeded):
    assert set(Case.objects.filter(code__startswith="2017-").values_list("stage", flat=True)) == {Stage.COMPLETED}


def test_the_whole_path_records_who_when_and_why():
    boss = make_staff_user("boss")
    mentor = make_mentor()
    case = make_case_at(Stage.RECEIVED, by=boss)
    case.start_matching(by=boss, note="신청 수락")
    case.assign_mentor(mentor, by=boss, note="분야 일치")
    assert (case.stage, case.mentor) == (Stage.IN_GUIDANCE, mentor)
    case.replace_mentor(by=boss, reason="건강 문제")
    assert (case.stage, case.mentor) == (Stage.MATCHING, None)
    case.assign_mentor(mentor, by=boss)
    case.complete(by=boss)
    case.refresh_from_db()
    assert case.stage == Stage.COMPLETED
    changes = list(StageChange.objects.filter(case=case).order_by("at", "pk"))
    assert [(c.source, c.target) for c in changes] == [
        ("received", "matching"),
        ("matching", "in_guidance"),
        ("in_guidance", "matching"),
        ("matching", "in_guidance"),
        ("in_guidance", "completed"),
    ]
    assert changes[1].mentor == mentor and changes[1].note == "분야 일치" and changes[1].by == boss
    assert changes[2].note == "건강 문제"
    latest = case.history.first()
    assert latest.stage == "completed" and latest.history_user == boss
    assert case.history.filter(history_change_reason="매칭 중: 신청 수락").exists()


@pytest.mark.parametrize(
    ("stage", "call"),
    [
        (Stage.RECEIVED, lambda case, by: case.complete(by=by)),
        (Stage.MATCHING, lambda case, by: case.start_matching(by=by)),
        (Stage.COMPLETED, lambda case, by: case.withdraw(by=by, reason="늦음")),
        (Stage.WITHDRAWN, lambda case, by: case.start_matching(by=by)),
        (Stage.IN_GUIDANCE, lambda case, by: case.mark_followed_up(by=by)),
    ],
)
def test_other_transitions_are_refused_in_korean_and_change_nothing(stage, call):
    boss = make_staff_user()
    case = make_case_at(stage, by=boss)
    before = StageChange.objects.count()
    with pytest.raises(ValidationError, match="단계에서는 할 수 없는 일입니다"):
        call(case, boss)
    case.refresh_from_db()
    assert case.stage == stage and StageChange.objects.count() == before


def test_the_stage_cannot_be_set_directly():
    case = make_case_at(Stage.RECEIVED)
    with pytest.raises(AttributeError):
        case.stage = Stage.COMPLETED
    with pytest.raises(TransitionNotAllowed):
        case._complete()


def test_the_transition_checks_the_permission_itself(seeded):
    viewer = User.objects.create_user("viewer", password="a-long-viewer-password", is_staff=True)
    viewer.groups.add(Group.objects.get(name="열람자"))
    editor = User.objects.create_user("editor", password="a-long-editor-password", is_staff=True)
    editor.groups.add(Group.objects.get(name="편집자"))
    case = make_case_at(Stage.RECEIVED)
    with pytest.raises(PermissionDenied):
        case.start_matching(by=viewer)
    with pytest.raises(PermissionDenied):
        case.start_matching(by=None)
    case.start_matching(by=User.objects.get(pk=editor.pk))
    assert case.stage == Stage.MATCHING


def test_reasons_are_required_and_only_active_engineers_are_assigned():
    boss = make_staff_user()
    case = make_case_at(Stage.MATCHING, by=boss)
    with pytest.raises(ValidationError, match="활동 중인 퇴직기술자만"):
        case.assign_mentor(make_mentor(status="paused"), by=boss)
    case.assign_mentor(make_mentor(), by=boss)
    with pytest.raises(ValidationError, match="교체 사유를 적어 주세요"):
        case.replace_mentor(by=boss, reason="  ")
    with pytest.raises(ValidationError, match="중단 사유를 적어 주세요"):
        case.withdraw(by=boss, reason="")
    case.withdraw(by=boss, reason="기업 사정")
    assert case.stage == Stage.WITHDRAWN


def test_a_stale_copy_cannot_move_the_case_twice():
    boss = make_staff_user()
    case = make_case_at(Stage.RECEIVED, by=boss)
    stale = Case.objects.get(pk=case.pk)
    case.start_matching(by=boss)
    with pytest.raises(ValidationError, match="다른 담당자가 먼저"):
        stale.withdraw(by=boss, reason="중복")
    assert Case.objects.get(pk=case.pk).stage == Stage.MATCHING


def test_only_finished_cases_can_be_published_in_the_database():
    for stage in (Stage.RECEIVED, Stage.MATCHING, Stage.IN_GUIDANCE, Stage.WITHDRAWN):
        case = make_case_at(stage)
        with pytest.raises(IntegrityError), transaction.atomic():
            Case.objects.filter(pk=case.pk).update(status=Case.Status.PUBLISHED)
    for stage in (Stage.COMPLETED, Stage.FOLLOWED_UP):
        case = make_case_at(stage)
        Case.objects.filter(pk=case.pk).update(status=Case.Status.PUBLISHED)
