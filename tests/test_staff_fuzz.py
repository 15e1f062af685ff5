"""The new staff forms never answer 500: the cost ledger on a case's page and the yearly report's parameters,
with generated input (hypothesis; fixed seed under `make test`, FUZZ_RANDOM=1 randomises, like tests/test_fuzz.py).
Admin posts are heavier than public requests, so each runs a tenth of FUZZ_EXAMPLES."""

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.models import Case, CostLine
from tests.factories import make_case_at, make_staff_user
from tests.test_costs import change_url, form_data, with_line

EXAMPLES = max(20, int(os.environ.get("FUZZ_EXAMPLES", "1000")) // 10)
RANDOMISED = os.environ.get("FUZZ_RANDOM") == "1"

fuzz = settings(
    max_examples=EXAMPLES,
    derandomize=not RANDOMISED,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

numbers = st.one_of(
    st.integers(min_value=-(10**25), max_value=10**25).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["", " ", "1,000", "1e9", "NaN", "-0", "9" * 40, "０", "백만", "\x00"]),
)
junk = st.one_of(st.text(max_size=30), numbers, st.dates().map(str), st.sampled_from(["2026-02-30", "0000-01-01"]))
lines = st.fixed_dictionaries(
    {
        "kind": st.one_of(st.sampled_from(CostLine.Kind.values), junk),
        "spent_on": st.one_of(st.dates().map(str), junk),
        "amount": numbers,
        "subsidy": numbers,
        "note": st.text(max_size=260),
    }
)


@pytest.mark.django_db
def test_the_cost_ledger_never_answers_a_server_error(client):
    client.force_login(make_staff_user())
    case = make_case_at(Case.Stage.IN_GUIDANCE)
    blank = form_data(client, case)
    statuses = set()

    @fuzz
    @given(line=lines, rate=st.one_of(st.none(), numbers))
    def check(line, rate):
        data = with_line(dict(blank), 0, **line)
        if rate is not None:
            data["subsidy_rate"] = rate
        data["loaded_version"] = str(Case.objects.get(pk=case.pk).version)
        response = client.post(change_url(case), data)
        assert response.status_code in (200, 302), (line, rate, response.status_code)
        statuses.add(response.status_code)
        for stored in CostLine.objects.filter(case=case):
            assert 0 <= stored.subsidy <= stored.amount

    check()
    assert statuses == {200, 302}  # the generated lines were both refused (with a form error) and saved


@pytest.mark.django_db
def test_the_report_never_answers_a_server_error(client):
    client.force_login(make_staff_user())

    @fuzz
    @given(
        year=st.one_of(st.none(), junk, st.integers(min_value=-(10**12), max_value=10**12).map(str)),
        kind=st.one_of(st.none(), st.sampled_from(["xlsx", "csv", "XLSX", ""]), st.text(max_size=10)),
    )
    def check(year, kind):
        params = {key: value for key, value in (("year", year), ("format", kind)) if value is not None}
        response = client.get("/admin/report/", params)
        assert response.status_code in (200, 400), (params, response.status_code)

    check()
