"""Import and export of visits and the engineer registry: Korean headers, the model's rules per row, no private data."""

import tablib

from cases.models import Mentor, Visit
from cases.resources import MentorResource, VisitResource
from tests.factories import make_area, make_case_at, make_industry, make_mentor


def imported(resource, headers, *rows):
    dataset = tablib.Dataset(*rows, headers=headers)
    return resource.import_data(dataset, dry_run=False, raise_errors=False)


def problems(result):
    """Every row error and validation error of an import, as one text."""
    errors = [str(error.error) for row in result.rows for error in row.errors]
    return " ".join(errors + [str(row.error_dict) for row in result.invalid_rows])


VISIT_HEADERS = [
    "번호",
    "사례 코드",
    "퇴직기술자 코드",
    "시작일",
    "종료일",
    "방식",
    "지도 시간",
    "통역 동석",
    "지도 분야 코드",
]


def test_visits_import_with_the_model_rules_per_row(db):
    mold = make_area(code="mold")
    case = make_case_at("in_guidance", areas=[mold])
    ok = imported(
        VisitResource(), VISIT_HEADERS, ["", case.code, "", "2030-01-05", "2030-01-06", "현장 방문", "16", "예", "mold"]
    )
    assert not ok.has_errors(), [e.traceback for row in ok.rows for e in row.errors]
    assert not ok.has_validation_errors()
    visit = Visit.objects.get(case=case)
    assert (visit.mentor, visit.days, visit.interpreter) == (case.mentor, 2, True)
    assert list(visit.topics.all()) == [mold]

    too_long = imported(
        VisitResource(), VISIT_HEADERS, ["", case.code, "", "2030-02-01", "2030-02-01", "원격", "13", "", ""]
    )
    assert "하루 12시간" in problems(too_long)
    unknown_mode = imported(
        VisitResource(), VISIT_HEADERS, ["", case.code, "", "2030-03-01", "2030-03-01", "방문", "3", "", ""]
    )
    assert "방식은(는) 다음 중 하나로 적어 주세요" in problems(unknown_mode)
    assert Visit.objects.filter(case=case).count() == 1


def test_the_registry_round_trips_through_a_file_without_private_fields(db):
    area, industry = make_area(code="weld"), make_industry(code="metal")
    mentor = make_mentor(
        code="m-1", real_name="山田 太郎 비공개", email="yamada-private@example.invalid", phone="090-0000-0000"
    )
    mentor.guidance_areas.set([area])
    exported = MentorResource().export(queryset=Mentor.objects.all())
    text = exported.csv
    assert "지도 가능 분야 코드" in text and "weld" in text
    for private in ("山田 太郎 비공개", "yamada-private", "090-0000-0000"):
        assert private not in text

    headers = [
        "코드",
        "공개 표기",
        "일본어",
        "한국어",
        "지도 가능 분야 코드",
        "경험 업종 코드",
        "활동 상태",
        "동시 지도 가능 사례 수",
    ]
    result = imported(
        MentorResource(), headers, ["m-2", "새 퇴직기술자", "예", "아니오", "weld", "metal", "활동 중", "3"]
    )
    assert not result.has_errors() and not result.has_validation_errors()
    new = Mentor.objects.get(code="m-2")
    assert (new.speaks_japanese, new.speaks_korean, new.status, new.capacity) == (True, False, "active", 3)
    assert list(new.industries.all()) == [industry]
    bad = imported(MentorResource(), headers, ["m-3", "x", "", "", "nope", "", "", ""])
    assert "지도 분야 코드가 없습니다: nope" in problems(bad)
    assert not Mentor.objects.filter(code="m-3").exists()
