"""Firms apply at /apply/: a Korean form with a separate consent, size limits, a honeypot, a per-address limit,
a reference number shown once, and a staff e-mail without personal data."""

import logging
import re
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.test import RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone

from applications import consent, throttle
from applications.models import Application
from cases.models import registration_number_is_valid
from tests.factories import make_area, make_industry

pytestmark = pytest.mark.django_db

APPLY = reverse("applications:apply")
DONE = reverse("applications:done")
URLENCODED = "application/x-www-form-urlencoded"
VNU = Path(__file__).resolve().parent.parent / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def registration_number(prefix="123456789"):
    """A valid 사업자등록번호 (the check digit computed) for a 9-digit prefix, formatted 123-45-67890."""
    digits = next(prefix + str(d) for d in range(10) if registration_number_is_valid(prefix + str(d)))
    return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}"


def wrong_check_digit(number):
    digits = number.replace("-", "")
    return digits[:9] + str((int(digits[9]) + 1) % 10)


@pytest.fixture
def vocabulary(db):
    """An industry and three guidance areas, as the form offers them."""
    return {"industry": make_industry(), "areas": [make_area(), make_area(), make_area()]}


def submission(vocabulary, **overrides):
    """The form as a phone browser posts it, with a unique string in every free-text field."""
    data = {
        "company_name": "주식회사 고유상호테스트",
        "registration_number": registration_number(),
        "region": "gyeonggi",
        "industry": vocabulary["industry"].code,
        "products": "고유제품문자열 사출 부품",
        "employees": "45",
        "contact_name": "홍고유담당",
        "contact_email": "unique-contact@example.invalid",
        "contact_phone": "010-9876-5432",
        "bottleneck": "고유애로기술문자열: 사출 성형품의 휨 불량",
        "wished_areas": [area.code for area in vocabulary["areas"][:2]],
        "wished_start": (timezone.localdate() + timedelta(days=30)).isoformat(),
        "consent": "on",
        "homepage": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


PERSONAL_STRINGS = (
    "고유상호테스트",
    "고유제품문자열",
    "홍고유담당",
    "unique-contact",
    "9876-5432",
    "고유애로기술문자열",
)


@pytest.fixture
def staff_with_mail(db):
    """An editor with an e-mail address: who hears of new applications when no recipients are configured."""
    user = User.objects.create_user("editor-mail", email="editor@example.invalid", is_staff=True)
    user.groups.add(Group.objects.get(name="편집자"))
    return user


# The form --------------------------------------------------------------------------------------------


def test_form_is_korean_labelled_and_states_the_consent_terms(client, vocabulary):
    response = client.get(APPLY)
    html = response.content.decode()
    assert response.status_code == 200
    for label in ("회사명", "사업자등록번호", "지역 (시·도)", "업종", "주요 생산제품", "종업원 수", "담당자 이름"):
        assert f">{label}" in html, label
    for text in ("애로기술", "희망 지도 분야", "희망 시작일", "경기도", vocabulary["areas"][0].name):
        assert text in html, text
    # The consent block: items, purpose, retention, the right to refuse and what refusing costs.
    for text in ("개인정보 수집·이용 동의", "수집하는 항목", "수집·이용 목적", "보유·이용 기간", "동의를 거부할 권리"):
        assert text in html, text
    assert f"{consent.RETENTION_YEARS}년 동안 보관" in html
    assert f"반려한 날부터 {consent.DECLINED_ERASED_AFTER_DAYS}일이 지난 뒤" in html
    assert "동의하지 않으면 기술지도 신청을 접수할 수 없습니다" in html
    assert consent.CONSENT_VERSION in html
    assert consent.RETENTION_DAYS == consent.RETENTION_YEARS * 365
    # Each input has its label; no inline script or style (the CSP forbids them).
    assert '<label for="id_registration_number">' in html and 'id="id_registration_number"' in html
    assert "<script" not in html and "style=" not in html
    assert 'maxlength="4000"' in html


def test_apply_pages_are_never_cached(client):
    for response in (client.get(APPLY), client.get(DONE)):
        assert "no-store" in response["Cache-Control"]


def test_honeypot_is_hidden_by_a_class_and_out_of_the_tab_order(client):
    html = client.get(APPLY).content.decode()
    trap = html[html.index('<div class="form-trap"') :]
    trap = trap[: trap.index("</div>")]
    assert 'name="homepage"' in trap and 'tabindex="-1"' in trap and 'autocomplete="off"' in trap
    assert ".form-trap {" in Path("static/css/site.css").read_text()


def test_home_page_links_to_the_form(client, db):
    html = client.get(reverse("cases:home")).content.decode()
    assert f'href="{APPLY}"' in html and "기술지도 신청하기" in html


def test_form_speaks_japanese_and_english_when_chosen(client, db):
    client.cookies["django_language"] = "ja"
    html = client.get(APPLY).content.decode()
    assert "技術指導の申請" in html and "個人情報の収集・利用への同意（必須）" in html
    client.cookies["django_language"] = "en"
    html = client.get(APPLY).content.decode()
    assert "Application for technical guidance" in html
    assert "Consent to the collection and use of personal data (required)" in html


def test_only_get_and_post(client):
    assert client.put(APPLY).status_code == 405
    assert client.delete(APPLY).status_code == 405
    assert client.post(DONE).status_code == 405


# A valid application ---------------------------------------------------------------------------------


def test_valid_application_is_stored_once_with_its_consent_and_shows_the_reference(client, vocabulary, staff_with_mail):
    before = timezone.now()
    response = client.post(APPLY, submission(vocabulary))
    assert response.status_code == 302 and response["Location"] == DONE

    application = Application.objects.get()
    assert application.consent_version == consent.CONSENT_VERSION
    assert before <= application.consented_at <= timezone.now()
    assert application.registration_number == registration_number().replace("-", "")
    assert application.employees == 45
    assert application.state == Application.State.NEW
    assert set(application.wished_areas.all()) == set(vocabulary["areas"][:2])
    assert len(application.client_fingerprint) == 64 and "127.0.0.1" not in application.client_fingerprint

    page = client.get(DONE)
    html = page.content.decode()
    assert page.status_code == 200 and application.reference in html
    assert "no-store" in page["Cache-Control"]
    assert not any(text in html for text in PERSONAL_STRINGS)
    # Shown once: the page cannot be opened again to read it.
    assert application.reference not in client.get(DONE).content.decode()


def test_staff_mail_has_the_reference_and_link_and_no_personal_data(client, vocabulary, staff_with_mail):
    client.post(APPLY, submission(vocabulary))
    application = Application.objects.get()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["editor@example.invalid"]
    text = message.subject + message.body
    assert application.reference in message.subject
    assert reverse("admin:applications_application_change", args=[application.pk]) in message.body
    assert timezone.localtime(application.submitted_at).strftime("%Y-%m-%d %H:%M") in message.body
    for personal in (*PERSONAL_STRINGS, application.registration_number, registration_number()):
        assert personal not in text, personal


def test_confirmation_page_shows_nothing_without_the_cookie_or_with_a_forged_one(client, vocabulary):
    assert "보여 드릴 접수번호가 없습니다" in client.get(DONE).content.decode()
    client.cookies["apply_reference"] = "AAAA-BBBB-CCCC-DDDD"
    html = client.get(DONE).content.decode()
    assert "AAAA-BBBB-CCCC-DDDD" not in html and "보여 드릴 접수번호가 없습니다" in html


def test_reference_numbers_are_random_and_unrelated_to_the_row(client, vocabulary):
    for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        client.post(APPLY, submission(vocabulary), REMOTE_ADDR=address)
    references = list(Application.objects.values_list("reference", flat=True))
    assert len(set(references)) == 3
    assert all(re.fullmatch(r"[A-HJ-NP-Z2-9]{4}(-[A-HJ-NP-Z2-9]{4}){3}", reference) for reference in references)


@override_settings(APPLICATION_NOTIFY_EMAILS=["desk@example.invalid", "chief@example.invalid"])
def test_configured_recipients_get_the_mail(client, vocabulary, staff_with_mail):
    client.post(APPLY, submission(vocabulary))
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["desk@example.invalid", "chief@example.invalid"]


def test_without_configured_recipients_staff_allowed_to_see_applications_get_it(client, vocabulary, staff_with_mail):
    User.objects.create_superuser("root", email="root@example.invalid")
    viewer = User.objects.create_user("viewer", email="viewer@example.invalid", is_staff=True)
    viewer.groups.add(Group.objects.get(name="열람자"))
    User.objects.create_user("gone", email="gone@example.invalid", is_staff=True, is_active=False).groups.add(
        Group.objects.get(name="편집자")
    )
    User.objects.create_user("outsider", email="outsider@example.invalid").user_permissions.add(
        Permission.objects.get(codename="view_application")
    )
    User.objects.create_user("no-mail", is_staff=True).groups.add(Group.objects.get(name="편집자"))
    client.post(APPLY, submission(vocabulary))
    assert sorted(mail.outbox[0].to) == ["editor@example.invalid", "root@example.invalid"]


class BrokenMailBackend(BaseEmailBackend):
    """An SMTP server that is down."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("smtp down")


class Recorded(logging.Handler):
    def __init__(self):
        super().__init__()
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@override_settings(EMAIL_BACKEND="tests.test_applications.BrokenMailBackend")
def test_a_mail_that_cannot_be_sent_is_logged_and_the_application_kept(client, vocabulary, staff_with_mail):
    logger, recorded = logging.getLogger("applications.notifications"), Recorded()
    logger.addHandler(recorded)
    try:
        response = client.post(APPLY, submission(vocabulary))
    finally:
        logger.removeHandler(recorded)
    assert response.status_code == 302
    application = Application.objects.get()
    assert application.reference in client.get(DONE).content.decode()
    assert any(application.reference in message for message in recorded.messages)


# Refusals: a Korean error next to the field, nothing stored ------------------------------------------


def refused(client, data, field, expected, **extra):
    response = client.post(APPLY, data, **extra)
    html = response.content.decode()
    assert response.status_code == 200, response.status_code
    assert "입력한 내용을 확인해 주세요" in html
    assert f'id="id_{field}_error"' in html
    assert expected in html, html[html.index("form-errors") :][:800]
    assert Application.objects.count() == 0
    assert mail.outbox == []
    return html


def test_no_consent_no_application(client, vocabulary, staff_with_mail):
    html = refused(
        client, submission(vocabulary, consent=None), "consent", "개인정보 수집·이용에 동의해야 신청할 수 있습니다"
    )
    # What the firm typed stays in the form, so agreeing is one tick away.
    assert "고유애로기술문자열" in html


def test_wrong_check_digit_is_refused(client, vocabulary):
    number = wrong_check_digit(registration_number())
    refused(
        client, submission(vocabulary, registration_number=number), "registration_number", "검증 숫자가 맞지 않습니다"
    )


@pytest.mark.parametrize("number", ["123-45-678", "12345678901", "abc-de-fghij", "１２３４５６７８９０"])
def test_malformed_registration_number_is_refused(client, vocabulary, number):
    refused(client, submission(vocabulary, registration_number=number), "registration_number", "사업자등록번호")


def test_registration_number_accepted_with_or_without_hyphens(client, vocabulary):
    number = registration_number("220811234")
    for address, written in (("10.0.0.1", number), ("10.0.0.2", number.replace("-", "")), ("10.0.0.3", " " + number)):
        assert (
            client.post(APPLY, submission(vocabulary, registration_number=written), REMOTE_ADDR=address).status_code
            == 302
        )
    assert set(Application.objects.values_list("registration_number", flat=True)) == {number.replace("-", "")}


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("company_name", "가" * 101, "100자 이내로 적어 주세요"),
        ("products", "나" * 201, "200자 이내로 적어 주세요"),
        ("contact_name", "다" * 61, "60자 이내로 적어 주세요"),
        ("contact_email", "a" * 250 + "@example.invalid", "254자 이내로 적어 주세요"),
        ("contact_phone", "010-" + "1" * 40, "30자 이내로 적어 주세요"),
        ("bottleneck", "라" * 4001, "4000자 이내로 적어 주세요"),
        ("registration_number", "1" * 21, "20자 이내로 적어 주세요"),
        ("employees", "1000001", "1,000,000명 사이로"),
        ("employees", "0", "1,000,000명 사이로"),
        ("employees", "9" * 5000, "20자 이내로 적어 주세요"),
    ],
)
def test_oversized_fields_are_refused_in_korean(client, vocabulary, field, value, expected):
    refused(client, submission(vocabulary, **{field: value}), field, expected)


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("company_name", "   ", "회사명 (상호)을(를) 적어 주세요"),
        ("bottleneck", None, "애로기술을(를) 적어 주세요"),
        ("industry", "no-such-industry", "목록에 있는 업종을 골라 주세요"),
        ("region", "mars", "목록에 있는 시·도를 골라 주세요"),
        ("wished_areas", ["no-such-area"], "목록에 있는 분야만 고를 수 있습니다"),
        ("wished_start", "2026-02-30", "날짜를 2026-03-02처럼 적어 주세요"),
        ("wished_start", "1999-01-01", "오늘이나 그 뒤의 날짜로"),
        ("wished_start", "2999-01-01", "2년 안의 날짜로"),
        ("employees", "마흔다섯", "숫자로 적어 주세요"),
        ("contact_email", "not-an-address", "이메일 주소를 name@example.com처럼"),
        ("contact_phone", "전화 주세요", "숫자와 하이픈으로"),
        ("company_name", "상호\x00", "null 문자"),
    ],
)
def test_bad_values_are_refused_in_korean(client, vocabulary, field, value, expected):
    refused(client, submission(vocabulary, **{field: value}), field, expected)


def test_a_full_textarea_fits_whatever_line_breaks_the_browser_sends(client, vocabulary):
    text = ("가" * 99 + "\r\n") * 40  # 4,000 characters as the textarea counts them, 4,040 as sent
    assert client.post(APPLY, submission(vocabulary, bottleneck=text)).status_code == 302
    assert Application.objects.get().bottleneck == text.replace("\r\n", "\n").strip()


def test_employees_may_be_written_with_a_thousands_separator(client, vocabulary):
    assert client.post(APPLY, submission(vocabulary, employees="1,200명")).status_code == 302
    assert Application.objects.get().employees == 1200


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"company_name=\xff\xfe\xfa&consent=on&registration_number=\xc3\x28", URLENCODED),
        (
            b"company_name=a&company_name=b&industry=x&industry=y&consent=on&consent=",
            "application/x-www-form-urlencoded",
        ),
        (
            b'--x\r\nContent-Disposition: form-data; name="company_name"\r\n\r\n\xff\r\n',
            "multipart/form-data; boundary=x",
        ),
        (b"not a multipart body", "multipart/form-data"),
        (b'{"company_name": 1}', "application/json"),
        (b"company_name=%E0%A4%A&employees=%FF", "application/x-www-form-urlencoded; charset=no-such-charset"),
    ],
)
def test_malformed_bodies_are_never_a_server_error(client, vocabulary, body, content_type):
    response = client.generic("POST", APPLY, body, content_type=content_type)
    assert response.status_code in (200, 400)
    assert Application.objects.count() == 0


def test_an_oversized_request_is_a_korean_400(client, vocabulary):
    response = client.post(APPLY, submission(vocabulary, bottleneck="가" * 1_000_000))
    assert response.status_code == 400 and "잘못된 요청" in response.content.decode()
    assert Application.objects.count() == 0


# The honeypot ----------------------------------------------------------------------------------------


def test_a_filled_honeypot_looks_accepted_but_stores_and_sends_nothing(client, vocabulary, staff_with_mail):
    response = client.post(APPLY, submission(vocabulary, homepage="http://spam.example"))
    assert response.status_code == 302 and response["Location"] == DONE
    assert "신청이 접수되었습니다" in client.get(DONE).content.decode()
    assert Application.objects.count() == 0
    assert mail.outbox == []


# The per-address limit -------------------------------------------------------------------------------


def test_the_sixth_application_within_an_hour_from_one_address_is_refused(client, vocabulary):
    for _ in range(5):
        assert client.post(APPLY, submission(vocabulary), REMOTE_ADDR="198.51.100.7").status_code == 302
    response = client.post(APPLY, submission(vocabulary), REMOTE_ADDR="198.51.100.7")
    html = response.content.decode()
    assert response.status_code == 429
    assert "지금은 신청을 받을 수 없습니다" in html and "아무것도 저장하지 않았습니다" in html
    assert 1 <= int(response["Retry-After"]) <= 3600
    assert "no-store" in response["Cache-Control"]
    assert "고유애로기술문자열" in html  # the firm's text is not lost
    assert Application.objects.count() == 5
    # Another address is not affected.
    assert client.post(APPLY, submission(vocabulary), REMOTE_ADDR="198.51.100.8").status_code == 302
    assert Application.objects.count() == 6


def test_the_limit_counts_only_the_last_hour(client, vocabulary):
    for _ in range(5):
        client.post(APPLY, submission(vocabulary), REMOTE_ADDR="198.51.100.7")
    Application.objects.update(submitted_at=timezone.now() - timedelta(minutes=61))
    assert client.post(APPLY, submission(vocabulary), REMOTE_ADDR="198.51.100.7").status_code == 302


def test_over_the_limit_even_an_invalid_form_stores_nothing_and_is_429(client, vocabulary):
    for _ in range(5):
        client.post(APPLY, submission(vocabulary), REMOTE_ADDR="198.51.100.7")
    response = client.post(APPLY, submission(vocabulary, consent=None), REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 429
    assert Application.objects.count() == 5


@override_settings(APPLICATION_RATE_LIMIT=(2, 60))
def test_the_limit_can_be_set_in_settings(client, vocabulary):
    assert [client.post(APPLY, submission(vocabulary)).status_code for _ in range(3)] == [302, 302, 429]


def request_from(remote_addr, forwarded=None):
    meta = {"REMOTE_ADDR": remote_addr}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().post(APPLY, **meta)


def test_the_address_is_remote_addr_unless_behind_the_proxy(settings):
    assert throttle.client_address(request_from("192.0.2.1", "203.0.113.9")) == "192.0.2.1"
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # The proxy appends the sender: what the client itself put before it does not change the bucket.
    assert throttle.client_address(request_from("10.0.0.5", "1.1.1.1, 203.0.113.9")) == "203.0.113.9"
    assert throttle.client_fingerprint(request_from("10.0.0.5", "1.1.1.1, 203.0.113.9")) == (
        throttle.client_fingerprint(request_from("10.0.0.6", "2.2.2.2,203.0.113.9"))
    )
    assert throttle.client_address(request_from("10.0.0.5", "203.0.113.9:4711")) == "203.0.113.9"
    assert throttle.client_address(request_from("10.0.0.5", "junk")) == "10.0.0.5"
    assert throttle.client_address(request_from("10.0.0.5")) == "10.0.0.5"
    # One IPv6 /64 is one address.
    assert throttle.client_address(request_from("10.0.0.5", "2001:db8:1:2::1")) == "2001:db8:1:2::/64"
    assert throttle.client_address(request_from("10.0.0.5", "[2001:db8:1:2:ffff::9]:443")) == "2001:db8:1:2::/64"


def test_the_fingerprint_is_keyed_with_the_secret_key(settings):
    request = request_from("192.0.2.1")
    first = throttle.client_fingerprint(request)
    settings.SECRET_KEY = "another-secret-key-for-this-test-only"
    assert throttle.client_fingerprint(request) != first
    assert "192.0.2.1" not in first and len(first) == 64


# Valid HTML (Nu Html Checker, as tests/test_html_validity.py) ------------------------------------------


def test_apply_pages_are_valid_html(client, vocabulary, tmp_path):
    if not (VNU.exists() and shutil.which("java")):
        pytest.skip("Nu Html Checker needs `npm ci` and Java: HTML validity check skipped.")
    pages = {
        "form": client.get(APPLY),
        "errors": client.post(APPLY, submission(vocabulary, consent=None, registration_number="1", wished_areas=["x"])),
        "done-empty": client.get(DONE),
    }
    client.post(APPLY, submission(vocabulary))
    pages["done"] = client.get(DONE)
    with override_settings(APPLICATION_RATE_LIMIT=(1, 60)):
        pages["limited"] = client.post(APPLY, submission(vocabulary))
    files = []
    for name, response in pages.items():
        file = tmp_path / f"{name}.html"
        file.write_bytes(response.content)
        files.append(str(file))
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "gnu", *files],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


def test_a_refused_security_check_is_explained_in_korean(db):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/apply/", {"company_name": "x"})
    assert response.status_code == 403
    assert "보안 확인에 실패했습니다" in response.content.decode()
