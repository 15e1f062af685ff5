"""The cost ledger: lines on the case's admin page, the subsidy never above the amount, totals per case and year."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from cases.models import Case, CostLine
from tests.factories import make_case, make_case_at, make_staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    client.force_login(make_staff_user())
    return client


def change_url(case):
    return reverse("admin:cases_case_change", args=[case.pk])


def form_data(client, case):
    """The case's change form as the browser would submit it unchanged (inlines included)."""
    page = client.get(change_url(case))
    form = page.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is not None:
            data[name] = [str(v) for v in value] if isinstance(value, list | tuple) else str(value)
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = str(management[name].value())
        for subform in formset.formset.forms:
            for name in subform.fields:
                value = subform[name].value()
                if value not in (None, ""):
                    data[subform.add_prefix(name)] = str(value)
    return data


def with_line(data, index, **line):
    data["cost_lines-TOTAL_FORMS"] = str(index + 1)
    data.update({f"cost_lines-{index}-{name}": str(value) for name, value in line.items()})
    return data


def test_staff_add_lines_on_the_case_page_and_a_blank_subsidy_comes_from_the_rate(staff):
    case = make_case_at(Case.Stage.IN_GUIDANCE)
    data = form_data(staff, case)
    data["subsidy_rate"] = "60"
    with_line(data, 0, kind="airfare", spent_on="2026-03-02", amount=450000, subsidy="", note="김포–하네다")
    with_line(data, 1, kind="consulting", spent_on="2026-03-03", amount=1000000, subsidy=500000)

    response = staff.post(change_url(case), data)

    assert response.status_code == 302, response.context["inline_admin_formsets"][-1].formset.errors
    lines = list(case.cost_lines.order_by("spent_on").values_list("kind", "amount", "subsidy"))
    assert lines == [("airfare", 450000, 270000), ("consulting", 1000000, 500000)]
    case.refresh_from_db()
    assert case.subsidy_rate == Decimal("60")


def test_a_subsidy_above_the_amount_is_refused_on_its_row_in_korean(staff):
    case = make_case_at(Case.Stage.IN_GUIDANCE)
    data = with_line(form_data(staff, case), 0, kind="other", spent_on="2026-04-01", amount=100000, subsidy=100001)

    response = staff.post(change_url(case), data)

    assert response.status_code == 200
    formset = next(f.formset for f in response.context["inline_admin_formsets"] if f.formset.prefix == "cost_lines")
    assert formset.forms[0].non_field_errors() == ["지원금은 그 줄의 금액보다 클 수 없습니다."]
    assert "지원금은 그 줄의 금액보다 클 수 없습니다." in response.content.decode()
    assert not case.cost_lines.exists()


def test_the_database_refuses_a_subsidy_above_the_amount_too():
    line = CostLine.objects.create(case=make_case(), kind="other", spent_on=date(2026, 1, 5), amount=1000, subsidy=500)
    with pytest.raises(IntegrityError), transaction.atomic():
        CostLine.objects.filter(pk=line.pk).update(subsidy=1001)


def test_totals_per_case_and_per_year_and_on_the_case_page(staff):
    case, other = make_case(subsidy_rate=50), make_case()
    for spent_on, amount in ((date(2025, 12, 20), 200000), (date(2026, 1, 10), 300000), (date(2026, 2, 1), 101)):
        CostLine.objects.create(case=case, kind="consulting", spent_on=spent_on, amount=amount)
    CostLine.objects.create(case=other, kind="airfare", spent_on=date(2026, 5, 1), amount=1000, subsidy=0)

    assert case.cost_lines.totals() == {"amount": 500101, "subsidy": 250051, "firm_share": 250050}
    assert CostLine.objects.totals_by_year() == [
        {"year": 2025, "amount": 200000, "subsidy": 100000, "firm_share": 100000},
        {"year": 2026, "amount": 301101, "subsidy": 150051, "firm_share": 151050},
    ]
    html = staff.get(change_url(case)).content.decode()
    assert "비용 합계" in html
    for shown in ("500,101원", "250,051원", "250,050원"):
        assert shown in html, shown
    assert 'name="subsidy_rate"' in html


def test_viewers_see_the_ledger_but_cannot_change_it(client):
    from django.contrib.auth.models import Group, User

    case = make_case_at(Case.Stage.IN_GUIDANCE)
    CostLine.objects.create(case=case, kind="accommodation", spent_on=date(2026, 3, 1), amount=88000, subsidy=0)
    viewer = User.objects.create_user("viewer", is_staff=True)
    viewer.groups.add(Group.objects.get(name="열람자"))
    client.force_login(viewer)
    html = client.get(change_url(case)).content.decode()
    assert "숙박비" in html and "88,000원" in html
    assert 'name="cost_lines-0-amount"' not in html


def test_an_amount_above_ten_trillion_won_is_refused_and_the_report_still_adds_up(staff):
    case = make_case_at(Case.Stage.IN_GUIDANCE)
    data = with_line(form_data(staff, case), 0, kind="other", spent_on="2026-03-02", amount=9 * 10**18, subsidy=0)
    response = staff.post(change_url(case), data)
    assert response.status_code == 200
    assert "한 줄의 금액은 10조 원을 넘을 수 없습니다." in response.content.decode()
    assert not CostLine.objects.exists()
    line = CostLine.objects.create(case=case, kind="other", spent_on=date(2026, 3, 2), amount=10**13, subsidy=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        CostLine.objects.filter(pk=line.pk).update(amount=10**13 + 1)
    assert CostLine.objects.totals()["amount"] == 10**13
