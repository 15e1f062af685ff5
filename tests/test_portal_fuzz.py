"""The link pages never answer 500: random tokens on both URLs, random answers and visit reports (hypothesis).

House style of tests/test_applications_fuzz.py: FUZZ_EXAMPLES (default 1,000) examples with a fixed seed under
`make test`; FUZZ_RANDOM=1 randomises them (`make fuzz`).
"""

import os
from collections import Counter
from datetime import date
from urllib.parse import quote

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.models import FollowUp, MetricKind, Stage, Visit
from tests.factories import make_area, make_case_at, make_mentor

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "1000"))
RANDOMISED = os.environ.get("FUZZ_RANDOM") == "1"

fuzz = settings(
    max_examples=EXAMPLES,
    derandomize=not RANDOMISED,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

junk_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=100, max_size=300),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.floats(allow_nan=True).map(str),
    st.integers(min_value=1900, max_value=2100).map(lambda n: "가" * n),  # around the comment's limit
    st.dates(min_value=date(1, 1, 1)).map(date.isoformat),
    st.sampled_from(["", " ", "0", "-1", "1e400", "NaN", "-Infinity", "1_000", "٣", "yes", "partly", "on", "\x00"]),
    st.sampled_from(["on_site", "remote", "2026-02-30", "9999-12-31", "0001-01-01", "12.5", "0.05", "99999.9"]),
)
values = st.one_of(st.none(), st.lists(junk_text, min_size=1, max_size=3))  # None: leave the field out
tokens = st.one_of(
    st.text(max_size=120),
    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=120),
    st.binary(max_size=60).map(lambda raw: quote(raw, safe="")),
)


def check_token(client, prefix, token):
    response = client.get(f"/{prefix}/{quote(token, safe='')}/")
    assert response.status_code in {404, 410, 400, 301}, (token, response.status_code)


@pytest.mark.django_db
def test_random_tokens_open_nothing_and_never_fail(client):
    make_mentor().issue_link()
    make_case_at(Stage.COMPLETED).followups.first().issue_link()

    @fuzz
    @given(token=tokens, prefix=st.sampled_from(["followup", "mentor"]))
    def check(token, prefix):
        check_token(client, prefix, token)

    check()


@pytest.mark.django_db
def test_random_follow_up_answers_never_fail(client):
    areas = [make_area(), make_area()]
    case = make_case_at(Stage.COMPLETED, areas=areas)
    kinds = list(MetricKind.objects.all())
    fields = ["satisfaction", "recommend", "attribution", "comment", "csrfmiddlewaretoken"]
    fields += [f"area-{area.pk}" for area in areas]
    fields += [f"metric-{kind.pk}-{part}" for kind in kinds for part in ("baseline", "current")]
    valid = {"satisfaction": "3", "recommend": "7", "attribution": "50", "comment": ""}
    valid.update({f"area-{area.pk}": "no" for area in areas})
    followup = case.followups.first()
    statuses = Counter()

    @fuzz
    @given(changes=st.dictionaries(st.one_of(st.sampled_from(fields), st.text(max_size=10)), values, max_size=6))
    def check(changes):
        path = followup.issue_link()
        data = {key: value for key, value in {**valid, **changes}.items() if value is not None}
        response = client.post(path, data)
        statuses[response.status_code] += 1
        assert response.status_code in {303, 400}, (changes, response.status_code)
        followup.refresh_from_db()
        if response.status_code == 303:
            assert followup.state == FollowUp.State.ANSWERED
            FollowUp.objects.filter(pk=followup.pk).update(state=FollowUp.State.SENT, answered_at=None)
            followup.adoptions.all().delete()
            followup.measurements.all().delete()
        else:
            assert followup.is_open and not followup.adoptions.exists()

    check()
    if EXAMPLES >= 200:
        assert {303, 400} <= set(statuses), statuses


@pytest.mark.django_db
def test_random_visit_reports_never_fail(client):
    engineer = make_mentor()
    mine = make_case_at(Stage.IN_GUIDANCE, mentor=engineer, areas=[make_area()])
    theirs = make_case_at(Stage.IN_GUIDANCE, mentor=make_mentor())
    today = timezone.localdate().isoformat()
    path = engineer.issue_link()
    fields = ["case", "started_on", "ended_on", "mode", "hours", "interpreter", "topics", "summary", "action_items"]
    valid = {"case": str(mine.pk), "started_on": today, "ended_on": today, "mode": "remote", "hours": "2"}
    cases = st.sampled_from([str(mine.pk), str(theirs.pk), "0", "-1", "x", str(10**20)])
    statuses = Counter()

    @fuzz
    @given(
        changes=st.dictionaries(st.one_of(st.sampled_from(fields), st.text(max_size=10)), values, max_size=6),
        case=st.one_of(st.none(), cases),
        lang=st.sampled_from(["ja", "ko", "en", "xx", ""]),
    )
    def check(changes, case, lang):
        data = {**valid, **changes}
        if case is not None:
            data["case"] = case
        data = {key: value for key, value in data.items() if value is not None}
        response = client.post(f"{path}?lang={quote(lang)}", data)
        statuses[response.status_code] += 1
        assert response.status_code in {303, 400}, (data, response.status_code)
        assert not Visit.objects.filter(case=theirs).exists()
        Visit.objects.all().delete()  # the next report must not clash with this one

    check()
    if EXAMPLES >= 200:
        assert {303, 400} <= set(statuses), statuses
