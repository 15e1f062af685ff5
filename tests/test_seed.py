"""The study's 12 cases as loaded by `manage.py seed`, and reseeding that never loses staff work."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from cases.models import Case, Firm, GuidanceArea, Mentor, Metric, Outcome, OutcomePattern, SeedRecord

pytestmark = pytest.mark.django_db

# The study's summary table, firm by firm: products (생산제품) and the pattern its 주요 성과 supports.
STUDY_TABLE = {
    "A": ("고감도 센서를 사용한 환경분석 시스템", "2"),
    "B": ("불소수지 및 화학제품", "2"),
    "C": ("디스플레이용 밀베이스", "2"),
    "D": ("프린터 OPC 드럼, 잉크(INK)", "1"),
    "E": ("AL 복합판넬, EPS, 그라스울, LED 등", "1"),
    "F": ("송전선 등을 지지하는 도자기 애자", "1"),
    "G": ("중장비 부품, 항공 부품", "2"),
    "H": ("분산제, 소포제, 윤활제, UV 모노머", "2"),
    "I": ("Glass Frit(분말 원료)", "1"),
    "J": ("플라스틱 사출 금형", "1"),
    "K": ("제철설비, 진단시스템, 핵연료 취급장치, 산업용 계측제어장치", "1"),
    "L": ("스크러버(Scrubber), 칠러(Chiller)", "2"),
}


def test_all_twelve_study_cases_are_published_with_their_facts(seeded):
    cases = {case.firm.code: case for case in Case.objects.published().select_related("firm", "outcome_pattern")}
    assert sorted(cases) == list("ABCDEFGHIJKL")
    for code, (products, pattern) in STUDY_TABLE.items():
        case = cases[code]
        assert case.firm.name == f"{code}기업"
        assert case.firm.products == products
        assert case.outcome_pattern.code == pattern, code
        assert case.guidance and case.outcomes, code
        assert case.guidance_areas.exists(), code
        assert case.source.startswith("오태헌(2017)")


def test_the_study_s_named_examples_sit_in_their_patterns(seeded):
    # Section 3-2 names D and I for pattern 1, B and L for pattern 2.
    by_pattern = {
        pattern.code: set(pattern.cases.values_list("firm__code", flat=True))
        for pattern in OutcomePattern.objects.all()
    }
    assert {"D", "I"} <= by_pattern["1"]
    assert {"B", "L"} <= by_pattern["2"]
    assert by_pattern["1"] == set("DEFIJK")
    assert by_pattern["2"] == set("ABCGHL")


def test_every_number_the_study_gives_is_stored(seeded):
    a = Case.objects.get(firm__code="A")
    assert (a.started_year, a.ended_year) == (2012, 2014)
    assert a.period_display == "2012–2014년"

    j_metrics = {m.name: m for m in Metric.objects.filter(case__firm__code="J")}
    assert j_metrics["금형 1개당 비용 절감률"].value == Decimal("10")
    assert j_metrics["금형 1개당 비용 절감률"].value_display == "약 10%"
    assert j_metrics["연간 매출 증가율"].value_display == "약 20%"

    d_exports = Metric.objects.get(case__firm__code="D")
    assert d_exports.value_display == "5,000개/월 이상"
    assert "30년 이상" in Firm.objects.get(code="D").profile

    j_mentor = Mentor.objects.get(cases__firm__code="J")
    assert j_mentor.years_of_experience == 50
    assert "50년" in j_mentor.background


def test_unknown_mentor_facts_stay_empty(seeded):
    a_mentor = Mentor.objects.get(cases__firm__code="A")
    assert a_mentor.background == ""
    assert a_mentor.years_of_experience is None


def test_indirect_effects_are_recorded(seeded):
    indirect = Outcome.objects.filter(kind=Outcome.Kind.INDIRECT)
    assert indirect.filter(case__firm__code="B", text__contains="일본 업체를 소개받아").exists()
    assert indirect.filter(case__firm__code="E", text__contains="거래처를").exists()


def test_evident_typos_are_corrected_and_recorded(seeded):
    a = Case.objects.get(firm__code="A")
    assert "센서 조달" in a.outcomes and "센터" not in a.outcomes
    assert "센터 조달" in a.source_notes
    b = Case.objects.get(firm__code="B")
    assert b.firm.products == "불소수지 및 화학제품"
    assert "불소주시" in b.source_notes
    all_text = " ".join(Case.objects.values_list("guidance", flat=True)) + " ".join(
        Outcome.objects.values_list("text", flat=True)
    )
    for typo in ("지술지도", "기술재발", "분체공합", "불소주시", "일보으로"):
        assert typo not in all_text


def test_reseeding_keeps_a_staff_edit_and_duplicates_nothing(seeded):
    case = Case.objects.get(firm__code="J")
    case.outcomes = "담당자가 고친 성과"
    case.save()
    area = GuidanceArea.objects.get(code="welding")
    area.name = "용접 기술"
    area.save()
    counts_before = {model: model.objects.count() for model in (Case, Firm, Mentor, Outcome, Metric, GuidanceArea)}

    out = StringIO()
    call_command("seed", stdout=out)

    case.refresh_from_db()
    area.refresh_from_db()
    assert case.outcomes == "담당자가 고친 성과"
    assert area.name == "용접 기술"
    assert {model: model.objects.count() for model in counts_before} == counts_before
    assert "0건 추가" in out.getvalue()


def test_reseeding_does_not_bring_back_a_case_staff_deleted(seeded):
    Case.objects.get(firm__code="L").delete()

    out = StringIO()
    call_command("seed", stdout=out)

    assert not Case.objects.filter(firm__code="L").exists()
    assert "삭제한" in out.getvalue()


def test_seed_fills_in_what_is_missing_next_to_staff_records(db):
    # Staff created firm A by hand before the first seed: it is kept as it is, the rest is added.
    from tests.factories import make_industry

    Firm.objects.create(code="A", name="A기업", products="직접 입력한 제품", industry=make_industry())

    call_command("seed", stdout=StringIO())

    assert Firm.objects.get(code="A").products == "직접 입력한 제품"
    assert Case.objects.filter(firm__code="A").count() == 1
    assert Case.objects.count() == 12


def test_dry_run_writes_nothing(db):
    out = StringIO()
    call_command("seed", "--dry-run", stdout=out)
    assert Case.objects.count() == 0
    assert SeedRecord.objects.count() == 0
    assert "12" in out.getvalue() or "103건" in out.getvalue()
