"""Small builders for test data that is not the study's (the study's comes from the `seeded` fixture)."""

from itertools import count

from cases.models import Case, Firm, GuidanceArea, Industry, Mentor, OutcomePattern

_serial = count(1)


def make_industry(**fields):
    n = next(_serial)
    return Industry.objects.create(**{"code": f"industry-{n}", "name": f"업종 {n}", **fields})


def make_area(**fields):
    n = next(_serial)
    return GuidanceArea.objects.create(**{"code": f"area-{n}", "name": f"분야 {n}", **fields})


def make_pattern(**fields):
    n = next(_serial)
    defaults = {
        "code": f"p{n}",
        "name": f"성과 패턴 {n}",
        "title": f"패턴 {n} 요약",
        "korean_side": "한국 측",
        "japanese_side": "일본 측",
        "description": f"패턴 {n} 설명",
        "position": n,
    }
    return OutcomePattern.objects.create(**{**defaults, **fields})


def make_firm(**fields):
    n = next(_serial)
    if "industry" not in fields:
        fields["industry"] = make_industry()
    return Firm.objects.create(**{"code": f"F{n}", "name": f"시험{n}기업", "products": f"제품 {n}", **fields})


def make_mentor(**fields):
    n = next(_serial)
    return Mentor.objects.create(**{"code": f"mentor-{n}", "name": f"시험 퇴직기술자 {n}", **fields})


def make_case(*, areas=(), **fields):
    """A published (so completed) case with its own firm and pattern unless given."""
    n = next(_serial)
    if "firm" not in fields:
        fields["firm"] = make_firm()
    if "outcome_pattern" not in fields:
        fields["outcome_pattern"] = make_pattern()
    defaults = {
        "code": f"test-{n}",
        "guidance": f"지도내용 {n}",
        "outcomes": f"주요 성과 {n}",
        "status": Case.Status.PUBLISHED,
        "stage": Case.Stage.COMPLETED,
    }
    case = Case.objects.create(**{**defaults, **fields})
    case.guidance_areas.set(areas)
    return case


def make_staff_user(username=None, **fields):
    """A superuser (every permission), for tests that run the lifecycle."""
    from django.contrib.auth.models import User

    username = username or f"staff-{next(_serial)}"
    return User.objects.create_superuser(username, password="a-long-staff-password", **fields)


def make_case_at(stage, *, by=None, mentor=None, **fields):
    """A draft case walked through the lifecycle to `stage` (as staff would), with an engineer once it has one."""
    by = by or make_staff_user()
    fields.setdefault("status", Case.Status.DRAFT)
    fields.setdefault("stage", Case.Stage.RECEIVED)
    case = make_case(**fields)
    if stage == Case.Stage.RECEIVED:
        return case
    if stage == Case.Stage.WITHDRAWN:
        case.withdraw(by=by, reason="시험 중단")
        return case
    case.start_matching(by=by)
    if stage == Case.Stage.MATCHING:
        return case
    case.assign_mentor(mentor or make_mentor(), by=by)
    if stage == Case.Stage.IN_GUIDANCE:
        return case
    case.complete(by=by)
    if stage == Case.Stage.COMPLETED:
        return case
    case.mark_followed_up(by=by)
    return case
