"""No input gives a 500: generated junk parameters against every public endpoint (hypothesis).

`make test` runs FUZZ_EXAMPLES (default 1,000) requests per endpoint with a fixed seed; `make fuzz` runs more,
randomised.
"""

import os

import pytest
from django.urls import NoReverseMatch, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.models import Case

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "1000"))
RANDOMISED = os.environ.get("FUZZ_RANDOM") == "1"
ALLOWED = {200, 302, 400, 404}
KNOWN_PARAMETERS = ["pattern", "industry", "area", "year", "q", "sort", "page", "format"]

junk_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=100, max_size=400),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(["", " ", "0", "-1", "1e9", "NaN", "금형", "1", "2", "published", "-firm", "../", "%00", "\x00"]),
    st.floats(allow_nan=True).map(str),
)
parameters = st.dictionaries(
    keys=st.one_of(st.sampled_from(KNOWN_PARAMETERS), st.text(min_size=1, max_size=12)),
    values=st.lists(junk_text, min_size=1, max_size=3),  # lists: repeated parameters
    max_size=6,
)
fuzz = settings(
    max_examples=EXAMPLES,
    derandomize=not RANDOMISED,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

ENDPOINTS = [
    "cases:home",
    "cases:list",
    "cases:detail",
    "cases:stats",
    "cases:api-list",
    "cases:api-detail",
    "cases:export-csv",
    "cases:export-xlsx",
]


def url_for(name):
    if name in ("cases:detail", "cases:api-detail"):
        return reverse(name, args=[Case.objects.get(code="2017-J").pk])
    return reverse(name)


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_no_input_gives_a_server_error(client, seeded, endpoint):
    try:
        url = url_for(endpoint)
    except NoReverseMatch:
        pytest.skip(f"{endpoint} does not exist yet")

    @fuzz
    @given(params=parameters)
    def check(params):
        response = client.get(url, params)
        assert response.status_code in ALLOWED, (params, response.status_code)
        if response.status_code in (400, 404) and response["Content-Type"].startswith("text/html"):
            body = response.content.decode()
            assert any(word in body for word in ("확인해 주세요", "잘못된 요청", "찾을 수 없습니다")), body[:300]

    check()
