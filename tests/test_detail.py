"""/cases/<id>/ and the home page."""

import pytest
from django.urls import reverse

from cases.models import Case
from tests.factories import make_case

pytestmark = pytest.mark.django_db


def test_case_page_shows_everything_the_study_says(client, seeded):
    case = Case.objects.get(firm__code="J")
    response = client.get(case.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    for text in (
        "J기업",
        "플라스틱 사출 금형",
        "기계·금형",
        "금형 설계 기술지도",
        "금형 설계의 변형 방지 개선",
        "납품받는 일본 기업의 경쟁력이 향상된다",
        "성과 패턴 1",
        "일본 금형제작 회사에서 50년 넘게 근무했다",
        "사출 금형",
        "약 10%",
        "약 20%",
        "연간 매출이 20%가량 증가했다",
        "오태헌(2017)",
    ):
        assert text in html, text


def test_case_page_shows_period_indirect_effects_and_corrections(client, seeded):
    a = client.get(Case.objects.get(firm__code="A").get_absolute_url()).content.decode()
    assert "2012–2014년" in a
    assert "간접 효과" in a
    assert "해외시장과 기술동향을 조기에 파악" in a
    assert "원문 교정" in a and "센터 조달" in a


def test_draft_case_page_is_a_korean_404(client, db):
    case = make_case(status=Case.Status.DRAFT)
    response = client.get(case.get_absolute_url())
    assert response.status_code == 404
    assert "페이지를 찾을 수 없습니다" in response.content.decode()


@pytest.mark.parametrize("path", ["/cases/0/", "/cases/99999999999999999999999/", "/cases/abc/", "/cases/-1/"])
def test_unknown_case_ids_are_404_not_500(client, db, path):
    assert client.get(path).status_code == 404


def test_home_explains_the_program_and_leads_to_the_listing(client, seeded):
    response = client.get(reverse("cases:home"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "2008년부터" in html
    assert 'href="/cases/"' in html
    assert 'href="/cases/?pattern=1"' in html
    assert "6건" in html


def test_case_page_links_to_cases_of_the_same_pattern_and_area(client, seeded):
    d = Case.objects.get(firm__code="D")
    response = client.get(d.get_absolute_url())
    related = [case.firm.code for case in response.context["related"]]
    # Most shared guidance areas first (L shares two), then the same pattern (E, F, J, K share one), then H.
    assert related == ["L", "E", "F", "J", "K", "H"]
    assert "비슷한 사례" in response.content.decode()


def test_the_similar_cases_follow_an_edit_at_once(client, seeded):
    """The ranking is kept per data version: a second view reads it, a write ranks again."""
    d = Case.objects.get(firm__code="D")
    related = lambda: [case.firm.code for case in client.get(d.get_absolute_url()).context["related"]]  # noqa: E731
    assert related() == related() == ["L", "E", "F", "J", "K", "H"]
    Case.objects.filter(firm__code="L").update(status=Case.Status.DRAFT)  # unpublished: no longer similar
    assert "L" not in related()
    h = Case.objects.get(firm__code="H")
    h.guidance_areas.add(*d.guidance_areas.all())  # H now shares all of D's areas: first
    assert related()[0] == "H"
