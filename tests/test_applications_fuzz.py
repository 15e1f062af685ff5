"""/apply/ never answers 500: generated submissions, from nearly valid to junk bodies (hypothesis).

Like tests/test_fuzz.py: FUZZ_EXAMPLES (default 1,000) submissions with a fixed seed under `make test`;
FUZZ_RANDOM=1 randomises them (`make fuzz`).
"""

import itertools
import os
from collections import Counter
from datetime import date

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from applications.models import Application
from tests.factories import make_area, make_industry
from tests.test_applications import registration_number

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "1000"))
RANDOMISED = os.environ.get("FUZZ_RANDOM") == "1"
ALLOWED = {200, 302, 400, 429}
APPLY = reverse("applications:apply")

FIELDS = [
    "company_name",
    "registration_number",
    "region",
    "industry",
    "products",
    "employees",
    "contact_name",
    "contact_email",
    "contact_phone",
    "bottleneck",
    "wished_areas",
    "wished_start",
    "consent",
    "homepage",
    "csrfmiddlewaretoken",
]
CONTENT_TYPES = [
    "application/x-www-form-urlencoded",
    "application/x-www-form-urlencoded; charset=euc-kr",
    "application/x-www-form-urlencoded; charset=bogus",
    "multipart/form-data; boundary=xyz",
    "multipart/form-data",
    "text/plain",
    "application/json",
]

junk_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=100, max_size=400),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.integers(min_value=90, max_value=5000).map(lambda n: "가" * n),  # around and past every size limit
    st.dates(min_value=date(1, 1, 1)).map(date.isoformat),
    st.sampled_from(["", " ", "0", "-1", "1,200", "on", "off", "true", "seoul", "gyeonggi", "mars", "\x00", "%00"]),
    st.sampled_from(["2026-02-30", "9999-12-31", "0000-00-00", "1e9", "NaN", "a@b", "x@example.com", "010-1234-5678"]),
    st.builds(lambda p: registration_number(f"{p:09d}"), st.integers(min_value=0, max_value=999_999_999)),
    st.floats(allow_nan=True).map(str),
)
changes = st.dictionaries(
    keys=st.one_of(st.sampled_from(FIELDS), st.text(min_size=1, max_size=12)),
    values=st.one_of(st.none(), st.lists(junk_text, min_size=1, max_size=3)),  # None: leave the field out
    max_size=6,
)
# Most senders are new (a fresh address per example: their submissions are validated and stored), one in ten is
# the same busy sender, who soon meets the limit; behind the proxy, X-Forwarded-For may be junk or forged.
senders = st.sampled_from(["ipv4"] * 5 + ["ipv6"] * 4 + ["busy"])
forwarded = st.one_of(st.none(), st.just("sender"), st.text(max_size=60), st.ip_addresses().map(str))
raw_bodies = st.one_of(st.none(), st.tuples(st.binary(max_size=300), st.sampled_from(CONTENT_TYPES)))

fuzz = settings(
    max_examples=EXAMPLES,
    derandomize=not RANDOMISED,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.django_db
def test_apply_never_answers_a_server_error(client, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")  # X-Forwarded-For is read too
    industry = make_industry()
    areas = [make_area(), make_area(), make_area()]
    valid = {
        "company_name": "주식회사 퍼즈",
        "registration_number": registration_number(),
        "region": "busan",
        "industry": industry.code,
        "products": "밸브",
        "employees": "12",
        "contact_name": "담당",
        "contact_email": "fuzz@example.invalid",
        "contact_phone": "051-123-4567",
        "bottleneck": "용접 불량",
        "wished_areas": [areas[0].code, areas[1].code],
        "wished_start": "",
        "consent": "on",
        "homepage": "",
    }
    statuses = Counter()
    serial = itertools.count(1)

    @fuzz
    @given(changes=changes, sender=senders, forwarded=forwarded, raw=raw_bodies)
    def check(changes, sender, forwarded, raw):
        n = next(serial)
        address = {"ipv4": f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}", "ipv6": f"2001:db8:{n:x}::1"}.get(
            sender, "203.0.113.1"
        )
        headers = {"REMOTE_ADDR": "10.255.255.254"}  # the proxy
        if forwarded is not None:
            headers["HTTP_X_FORWARDED_FOR"] = address if forwarded == "sender" else f"{forwarded}, {address}"
        else:
            headers["REMOTE_ADDR"] = address
        before = Application.objects.count()
        if raw is not None:
            body, content_type = raw
            response = client.generic("POST", APPLY, body, content_type=content_type, **headers)
        else:
            data = {**valid, **changes}
            data = {key: value for key, value in data.items() if value is not None}
            response = client.post(APPLY, data, **headers)
        status = response.status_code
        statuses[status] += 1
        assert status in ALLOWED, (changes, raw, status)
        stored = Application.objects.count() - before
        assert stored in (0, 1)
        assert stored == 0 or status == 302  # stored only when accepted
        body = response.content.decode()
        if status == 200:
            assert "입력한 내용을 확인해 주세요" in body, body[:300]
        elif status == 429:
            assert "지금은 신청을 받을 수 없습니다" in body
        elif status == 400:
            assert "잘못된 요청" in body

    check()
    if EXAMPLES >= 200:  # the generated submissions reached every outcome, not only the first check
        assert {200, 302, 429} <= set(statuses), statuses
    assert not Application.objects.filter(consent_version="").exists()
