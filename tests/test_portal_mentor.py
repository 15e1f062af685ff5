"""/mentor/<token>/: an engineer's own open cases and visit reports, in Japanese first; nothing of anyone else."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import Mentor, Stage, Visit
from tests.factories import make_area, make_case_at, make_firm, make_mentor

pytestmark = pytest.mark.django_db

PRIVATE = {
    "legal_name": "주식회사비밀상호XQ1",
    "registration_number": "1234567891",
    "contact_name": "비밀담당자XQ2",
    "contact_email": "secret-contact-xq3@example.invalid",
    "contact_phone": "010-9999-8877",
}
REQUEST = "비밀신청내용XQ6: 애로기술"
MENTOR_PRIVATE = {"real_name": "秘密実名XQ4", "email": "secret-mentor-xq5@example.invalid", "phone": "090-1111-2222"}


def today():
    return timezone.localdate()


def days_from_today(days):
    """A date field's value, worked out when the test runs: a run may cross midnight in Seoul."""
    return lambda: (today() + timedelta(days=days)).isoformat()


def open_case(mentor, *, firm=None, areas=()):
    return make_case_at(Stage.IN_GUIDANCE, mentor=mentor, firm=firm or make_firm(), areas=areas)


def report(case, **changes):
    data = {
        "case": case.pk,
        "started_on": today().isoformat(),
        "ended_on": today().isoformat(),
        "mode": "on_site",
        "hours": "6",
        "summary": "金型の冷却回路を見直した",
        "action_items": "温度記録を続ける",
    }
    return {**data, **changes}


def errors(response):
    return re.findall(r'<ul class="errorlist"[^>]*>(.*?)</ul>', response.content.decode(), re.S)


@pytest.fixture
def engineer():
    return make_mentor(**MENTOR_PRIVATE)


@pytest.fixture
def case(engineer):
    firm = make_firm(name="M기업", products="자동차 금형", **PRIVATE)
    return make_case_at(Stage.IN_GUIDANCE, mentor=engineer, firm=firm, areas=[make_area()], request_text=REQUEST)


def test_the_page_is_japanese_by_default_and_korean_on_request(client, engineer, case):
    path = engineer.issue_link()
    japanese = client.get(path)
    assert japanese.status_code == 200
    assert '<html lang="ja">' in japanese.content.decode()
    assert "<h1>指導訪問の報告</h1>" in japanese.content.decode()
    assert japanese["Content-Language"] == "ja"
    korean = client.get(path, {"lang": "ko"})
    assert '<html lang="ko">' in korean.content.decode()
    assert "<h1>지도 방문 보고</h1>" in korean.content.decode()
    english = client.get(path, {"lang": "en"})
    assert '<html lang="en">' in english.content.decode()
    assert client.get(path, {"lang": "xx"})["Content-Language"] == "ja"


def test_the_page_lists_the_engineers_open_cases_only(client, engineer, case):
    other = open_case(make_mentor(), firm=make_firm(name="Z기업"))
    finished = make_case_at(Stage.COMPLETED, mentor=engineer, firm=make_firm(name="Y기업"))
    page = client.get(engineer.issue_link()).content.decode()
    assert "M기업" in page and "자동차 금형" in page
    assert case.guidance_areas.get().name in page
    assert other.firm.name not in page
    assert finished.firm.name not in page


def test_private_data_never_appears(client, engineer, case):
    Visit.objects.create(case=case, started_on=today(), ended_on=today(), hours=3, report_state="submitted")
    path = engineer.issue_link()
    pages = [client.get(path, {"lang": lang}).content.decode() for lang in ("ja", "ko", "en")]
    pages.append(client.post(path, report(case, hours="")).content.decode())
    for page in pages:
        for value in [*PRIVATE.values(), *MENTOR_PRIVATE.values(), REQUEST]:
            assert value not in page


def test_a_reported_visit_is_submitted_and_not_in_the_totals_until_confirmed(client, engineer, case):
    path = engineer.issue_link()
    response = client.post(f"{path}?lang=ja", report(case, topics=[case.guidance_areas.get().code], interpreter="on"))
    assert response.status_code == 303
    assert response["Location"] == f"{path}?lang=ja&reported=1"
    visit = Visit.objects.get()
    assert (visit.case, visit.mentor, visit.report_state) == (case, engineer, Visit.ReportState.SUBMITTED)
    assert (visit.hours, visit.interpreter, visit.summary) == (6, True, "金型の冷却回路を見直した")
    assert list(visit.topics.all()) == list(case.guidance_areas.all())
    assert case.visits.totals()["visits"] == 0
    page = client.get(response["Location"]).content.decode()
    assert "訪問報告を送りました" in page
    assert "確認待ち" in page
    assert "0回 · 0日 · 0時間" in page
    visit.confirm()
    page = client.get(path).content.decode()
    assert "確認済み" in page and "1回 · 1日 · 6時間" in page
    assert "訪問報告を送りました" not in page  # the message is shown once, after the report


def test_a_returned_report_shows_its_reason(client, engineer, case):
    visit = Visit.objects.create(case=case, started_on=today(), ended_on=today(), hours=3, report_state="submitted")
    visit.return_to_engineer("시간을 다시 확인해 주세요")
    page = client.get(engineer.issue_link()).content.decode()
    assert "差し戻し" in page and "시간을 다시 확인해 주세요" in page


def test_the_chosen_language_survives_the_post(client, engineer, case):
    path = engineer.issue_link()
    page = client.get(path, {"lang": "ko"}).content.decode()
    assert f'action="{path}?lang=ko"' in page
    response = client.post(f"{path}?lang=ko", report(case))
    assert response["Location"].endswith("?lang=ko&reported=1")
    assert "방문 보고를 보냈습니다" in client.get(response["Location"]).content.decode()


def test_another_engineers_case_is_a_form_error_and_nothing_is_written(client, engineer, case):
    other = open_case(make_mentor(), firm=make_firm(name="Z기업"))
    response = client.post(engineer.issue_link(), report(other))
    assert response.status_code == 400
    assert "リストにある事例を選んでください" in response.content.decode()
    assert "Z기업" not in response.content.decode()
    assert not Visit.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"hours": "13"}, "指導時間は1日12時間を超えられません"),
        ({"hours": "0"}, "指導時間は0より大きくなければなりません"),
        ({"ended_on": days_from_today(-1)}, "終了日を開始日より前にすることはできません"),
        ({"started_on": "", "ended_on": ""}, "この項目を入力してください"),
        ({"hours": "NaN"}, "指導時間を数字で入力してください"),
        ({"started_on": days_from_today(1)}, "まだ来ていない日の訪問は報告できません"),
        ({"started_on": "2026-02-30"}, "日付は2026-03-02のように入力してください"),
        ({"started_on": days_from_today(-400)}, "1年を超えられません"),
    ],
)
def test_the_visit_rules_come_back_as_translated_errors(client, engineer, case, changes, message):
    changes = {field: value() if callable(value) else value for field, value in changes.items()}
    response = client.post(engineer.issue_link(), report(case, **changes))
    assert response.status_code == 400
    assert message in response.content.decode(), errors(response)
    assert not Visit.objects.exists()


def test_a_visit_before_the_engineer_was_assigned_is_refused(client, engineer, case):
    started = (today() - timedelta(days=3)).isoformat()
    response = client.post(engineer.issue_link(), report(case, started_on=started))
    assert "退職技術者が割り当てられた日" in response.content.decode(), errors(response)
    assert not Visit.objects.exists()


def test_a_day_already_spent_at_another_case_is_refused(client, engineer, case):
    second = open_case(engineer, firm=make_firm(name="N기업"))
    Visit.objects.create(case=second, started_on=today(), ended_on=today(), hours=2)
    response = client.post(engineer.issue_link(), report(case))
    assert "同じ退職技術者が同じ日に別の事例" in response.content.decode(), errors(response)
    assert Visit.objects.count() == 1


def test_refused_links_are_japanese_and_show_nothing(client, engineer, case):
    assert client.get("/mentor/forged-token/").status_code == 404
    path = engineer.issue_link()
    Mentor.objects.filter(pk=engineer.pk).update(link_expires_at=timezone.now() - timedelta(seconds=1))
    expired = client.get(path)
    assert expired.status_code == 410
    assert '<html lang="ja">' in expired.content.decode() and "有効期限" in expired.content.decode()
    assert "M기업" not in expired.content.decode()
    assert client.post(path, report(case)).status_code == 410
    replaced = engineer.issue_link()
    newest = engineer.issue_link()
    assert client.get(replaced).status_code == 404
    assert client.get(newest).status_code == 200
    engineer.revoke_link()
    unknown = client.get(newest)
    assert unknown.status_code == 404 and "M기업" not in unknown.content.decode()
    assert not Visit.objects.exists()


def test_headers_keep_the_token_to_the_page(client, engineer, case):
    for response in (client.get(engineer.issue_link()), client.get("/mentor/forged/")):
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Robots-Tag"].startswith("noindex")
        assert "no-store" in response["Cache-Control"]


def test_the_form_needs_the_csrf_token(engineer, case):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(engineer.issue_link(), report(case))
    assert response.status_code == 403
    assert not Visit.objects.exists()


@pytest.mark.parametrize("count", [1, 10])
def test_the_page_costs_the_same_with_1_and_10_cases(client, django_assert_num_queries, engineer, count):
    areas = [make_area(), make_area()]
    for _ in range(count):
        case = open_case(engineer, areas=areas)
        Visit.objects.create(case=case, started_on=today(), ended_on=today(), hours=2, report_state="submitted")
    path = engineer.issue_link()
    # The engineer, the cases, their areas, their visit totals, the reports, the case choices, the topic choices.
    with django_assert_num_queries(7):
        response = client.get(path)
    assert response.content.decode().count("確認待ち") == count


def test_both_pages_are_valid_html(client, engineer, case, tmp_path):
    """Nu Html Checker (as tests/test_html_validity.py), on each page, after a mistake, and refused."""
    import json
    import shutil
    import subprocess

    from tests.test_html_validity import VNU

    if not (VNU.exists() and shutil.which("java")):
        pytest.skip("Nu Html Checker needs `npm ci` and Java: HTML validity check skipped.")
    followup = make_case_at(Stage.COMPLETED, areas=[make_area()]).followups.first()
    mentor_path, followup_path = engineer.issue_link(), followup.issue_link()
    Visit.objects.create(case=case, started_on=today(), ended_on=today(), hours=3, report_state="submitted")
    pages = {
        "mentor": client.get(mentor_path),
        "mentor-errors": client.post(mentor_path, report(case, hours="99")),
        "followup": client.get(followup_path),
        "followup-errors": client.post(followup_path, {"comment": "x"}),
        "refused": client.get("/followup/forged/"),
    }
    files = []
    for name, response in pages.items():
        file = tmp_path / f"{name}.html"
        file.write_bytes(response.content)
        files.append(str(file))
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *files],
        capture_output=True,
        text=True,
        timeout=120,
    )
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    assert [(m["url"].rsplit("/", 1)[-1], m.get("lastLine"), m["message"]) for m in messages] == []
