"""The staff admin: every record editable, constraints shown as form errors in Korean, never a 500."""

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse

from cases.models import Case, Firm, Metric, Outcome

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, db):
    """A staff member (not a superuser) with the app's permissions."""
    user = User.objects.create_user("staff", password="a-long-staff-password", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="cases"))
    client.force_login(user)
    return client


def case_form_data(case=None, **overrides):
    """The case change form as a browser would post it, with empty inlines."""
    data = {
        "code": "2026-X",
        "status": "draft",
        "firm": "",
        "mentor": "",
        "guidance_areas": [],
        "background": "",
        "guidance": "금형 설계 지도",
        "guidance_details": "",
        "outcomes": "원가 절감",
        "outcome_pattern": "",
        "evolution_path": "",
        "product": "general",
        "technology": "general",
        "started_year": "",
        "ended_year": "",
        "source": "",
        "source_notes": "",
    }
    for prefix in ("outcome_items", "metrics", "visits", "followups", "cost_lines"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    "model", ["case", "firm", "mentor", "guidancearea", "industry", "outcomepattern", "evolutionpath"]
)
def test_staff_can_open_every_add_page(staff_client, seeded, model):
    response = staff_client.get(reverse(f"admin:cases_{model}_add"))
    assert response.status_code == 200


def test_case_change_page_shows_korean_labels_inlines_and_autocomplete(staff_client, seeded):
    case = Case.objects.get(firm__code="J")
    response = staff_client.get(reverse("admin:cases_case_change", args=[case.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    for label in ("지도내용", "주요 성과", "성과 패턴", "성과 지표", "측정 항목", "진화 경로", "지도 분야"):
        assert label in html, label
    assert "admin-autocomplete" in html
    assert "금형 1개당 비용 절감률" in html


def test_staff_creates_a_case_with_an_outcome_and_a_metric(staff_client, seeded):
    firm = Firm.objects.get(code="J")
    data = case_form_data(
        firm=firm.pk,
        outcome_pattern=Case.objects.get(firm__code="J").outcome_pattern_id,
        status="published",
        recorded_as="completed",
        started_year="2020",
        ended_year="2021",
        **{
            "outcome_items-TOTAL_FORMS": "1",
            "outcome_items-0-position": "1",
            "outcome_items-0-kind": "indirect",
            "outcome_items-0-text": "일본 바이어 소개",
            "metrics-TOTAL_FORMS": "1",
            "metrics-0-position": "1",
            "metrics-0-name": "불량률",
            "metrics-0-unit": "%",
            "metrics-0-baseline": "5",
            "metrics-0-value": "2",
            "metrics-0-target": "1",
            "metrics-0-qualifier": "exact",
        },
    )
    response = staff_client.post(reverse("admin:cases_case_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Case.objects.get(code="2026-X")
    assert case.firm == firm
    assert Outcome.objects.get(case=case).text == "일본 바이어 소개"
    metric = Metric.objects.get(case=case)
    assert (metric.baseline, metric.value, metric.target) == (5, 2, 1)
    assert case in Case.objects.published()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"started_year": "2014", "ended_year": "2012"}, "지도 종료 연도는 시작 연도와 같거나 그 뒤여야"),
        ({"ended_year": "2012"}, "시작 연도 없이 적을 수 없습니다"),
        ({"started_year": "1990"}, "2008년부터"),
        ({"status": "published"}, "공개하는 사례에는 성과 패턴이 있어야 합니다"),
        ({"code": "2017-A"}, "이미 존재합니다"),
    ],
)
def test_constraint_violations_are_korean_form_errors(staff_client, seeded, overrides, message):
    data = case_form_data(firm=Firm.objects.get(code="A").pk, **overrides)
    response = staff_client.post(reverse("admin:cases_case_add"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Case.objects.filter(code="2026-X").exists()


def test_duplicate_firm_code_is_a_form_error(staff_client, seeded):
    data = {"code": "A", "name": "새 기업", "products": "제품", "industry": Firm.objects.get(code="A").industry_id}
    response = staff_client.post(reverse("admin:cases_firm_add"), data)
    assert response.status_code == 200
    assert "이미 존재합니다" in response.content.decode()
    assert Firm.objects.filter(code="A").count() == 1


def test_change_list_filters_and_searches(staff_client, seeded):
    url = reverse("admin:cases_case_changelist")
    html = staff_client.get(url, {"q": "금형"}).content.decode()
    assert "J기업" in html and "A기업" not in html
    response = staff_client.get(url, {"pattern": Case.objects.get(firm__code="B").outcome_pattern.code})
    assert response.context["cl"].result_count == 6
    welding = staff_client.get(url, {"area": "welding"}).context["cl"].result_count
    assert welding == Case.objects.filter(guidance_areas__code="welding").count() > 0
    for title in ("상태", "성과 패턴", "업종", "지도 분야"):
        assert title in response.content.decode()


def test_autocomplete_finds_firms_by_name(staff_client, seeded):
    response = staff_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "cases", "model_name": "case", "field_name": "firm", "term": "J기업"},
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["J기업"]


def test_anonymous_visitors_are_sent_to_login(client, db):
    response = client.get(reverse("admin:cases_case_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
