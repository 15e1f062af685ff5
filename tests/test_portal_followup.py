"""/followup/<token>/: a firm answers one follow-up, in Korean, once; a refused link shows nothing of any case."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from cases.models import FollowUp, MetricKind, Stage
from cases.models.links import hash_token
from tests.factories import make_area, make_case_at, make_firm, make_mentor

pytestmark = pytest.mark.django_db

PRIVATE = {
    "legal_name": "주식회사비밀상호FQ1",
    "registration_number": "1234567891",
    "contact_name": "비밀담당자FQ2",
    "contact_email": "secret-contact-fq3@example.invalid",
    "contact_phone": "010-9999-7766",
}
REQUEST = "비밀신청내용FQ6: 애로기술"
MENTOR_PRIVATE = {"real_name": "秘密実名FQ4", "email": "secret-mentor-fq5@example.invalid", "phone": "090-3333-4444"}


@pytest.fixture
def areas():
    return [make_area(name="금형 설계"), make_area(name="열처리")]


@pytest.fixture
def case(areas):
    firm = make_firm(name="M기업", **PRIVATE)
    return make_case_at(
        Stage.COMPLETED, firm=firm, mentor=make_mentor(**MENTOR_PRIVATE), areas=areas, request_text=REQUEST
    )


@pytest.fixture
def followup(case):
    return case.followups.get(kind=FollowUp.Kind.COMPLETION)


def answers(areas, **changes):
    data = {"satisfaction": "4", "recommend": "9", "attribution": "60", "comment": "불량이 줄었습니다"}
    data.update({f"area-{area.pk}": "yes" for area in areas})
    defect = MetricKind.objects.get(code="defect-rate")
    data.update({f"metric-{defect.pk}-baseline": "5.5", f"metric-{defect.pk}-current": "2.25"})
    return {**data, **changes}


def metric(code, part):
    return f"metric-{MetricKind.objects.get(code=code).pk}-{part}"


def test_the_page_shows_the_public_name_the_areas_and_the_questions(client, followup):
    response = client.get(followup.issue_link())
    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="ko">' in page
    assert "M기업" in page and "금형 설계" in page and "열처리" in page
    assert "완료 시 조사" in page and f"{followup.due_on:%Y-%m-%d}" in page
    assert page.count('name="satisfaction"') == 5 and page.count('name="recommend"') == 11
    for kind in MetricKind.objects.all():
        assert kind.name in page
    assert followup.case.mentor.name not in page


def test_private_data_never_appears(client, followup, areas):
    path = followup.issue_link()
    pages = [client.get(path), client.post(path, answers(areas, satisfaction=""))]
    pages += [client.post(path, answers(areas)), client.get(path), client.get(path)]  # answered, thanks, used
    for response in pages:
        for value in [*PRIVATE.values(), *MENTOR_PRIVATE.values(), REQUEST]:
            assert value not in response.content.decode()


def test_the_page_is_korean_even_after_the_visitor_chose_japanese(client, followup):
    client.cookies["django_language"] = "ja"
    page = client.get(followup.issue_link()).content.decode()
    assert '<html lang="ko">' in page and "사후 성과 조사" in page


def test_answering_stores_exactly_the_answers_and_thanks_once(client, followup, areas):
    path = followup.issue_link()
    data = answers(areas, **{f"area-{areas[1].pk}": "partly"})
    response = client.post(path, data)
    assert response.status_code == 303 and response["Location"] == path
    followup.refresh_from_db()
    assert followup.state == FollowUp.State.ANSWERED and followup.answered_at is not None
    assert (followup.satisfaction, followup.recommend, followup.attribution) == (4, 9, 60)
    assert followup.comment == "불량이 줄었습니다"
    assert {(a.area, a.adopted) for a in followup.adoptions.all()} == {(areas[0], "yes"), (areas[1], "partly")}
    assert [(m.kind.code, m.baseline, m.current) for m in followup.measurements.all()] == [
        ("defect-rate", Decimal("5.50"), Decimal("2.25"))
    ]
    thanks = client.get(path)
    assert thanks.status_code == 200
    page = thanks.content.decode()
    assert "응답해 주셔서 감사합니다" in page
    assert "M기업" not in page and "불량이 줄었습니다" not in page and "금형 설계" not in page
    again = client.get(path)  # the thank-you is shown once; then the link is a used one
    assert again.status_code == 410 and "이미 응답" in again.content.decode()
    second = client.post(path, answers(areas, satisfaction="1"))
    assert second.status_code == 410
    followup.refresh_from_db()
    assert followup.satisfaction == 4 and followup.adoptions.count() == 2


def test_the_thank_you_cannot_be_opened_by_guessing(client, followup, areas):
    path = followup.issue_link()
    Client().post(path, answers(areas))  # answered by someone else's browser
    client.cookies["followup_thanks"] = "1"  # an unsigned cookie is no proof
    response = client.get(path)
    assert response.status_code == 410 and "응답해 주셔서 감사합니다" not in response.content.decode()


def test_when_every_follow_up_is_answered_or_closed_the_case_is_followed_up(client, case, areas):
    first, second, third = case.followups.order_by("due_on")
    assert client.post(first.issue_link(), answers(areas)).status_code == 303
    third.close_unanswered()
    case.refresh_from_db()
    assert case.stage == Stage.COMPLETED
    assert client.post(second.issue_link(), answers(areas)).status_code == 303
    case.refresh_from_db()
    assert case.stage == Stage.FOLLOWED_UP


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"satisfaction": ""}, "이 항목을 골라 주세요"),
        ({"satisfaction": "6"}, "보기 가운데 하나를 골라 주세요"),
        ({"recommend": "-1"}, "보기 가운데 하나를 골라 주세요"),
        ({"attribution": "101"}, "0에서 100 사이의 숫자를 적어 주세요"),
        ({"attribution": "abc"}, "0에서 100 사이의 숫자를 적어 주세요"),
        ({"comment": "가" * 2001}, "2000자 이내로 적어 주세요"),
        ({"metric:cost:baseline": "10"}, "지도 전 값과 현재 값을 함께 적거나"),
        ({"metric:defect-rate:current": ""}, "지도 전 값과 현재 값을 함께 적거나"),
        ({"metric:defect-rate:current": "NaN"}, "숫자로 적어 주세요"),
        ({"metric:defect-rate:current": "Infinity"}, "숫자로 적어 주세요"),
        ({"metric:defect-rate:current": "1e400"}, "숫자"),
        ({"metric:defect-rate:current": "1" * 15}, "숫자가 너무"),
        ({"metric:defect-rate:current": "1.234"}, "소수점 아래는 두 자리까지"),
        ({"metric:defect-rate:current": "-3"}, "0 이상의 값을 적어 주세요"),
    ],
)
def test_a_wrong_answer_is_a_korean_error_and_stores_nothing(client, followup, areas, changes, message):
    changes = {metric(*key.split(":")[1:]) if key.startswith("metric:") else key: v for key, v in changes.items()}
    response = client.post(followup.issue_link(), answers(areas, **changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "입력한 내용을 확인해 주세요" in response.content.decode()
    followup.refresh_from_db()
    assert followup.is_open and not followup.adoptions.exists() and not followup.measurements.exists()


def test_every_area_must_be_answered(client, followup, areas):
    data = answers(areas)
    del data[f"area-{areas[0].pk}"]
    response = client.post(followup.issue_link(), data)
    assert response.status_code == 400
    assert re.search(r'href="#field-area-\d+">금형 설계</a>: 이 항목을 골라 주세요', response.content.decode())


def test_refused_links_say_why_and_show_nothing_of_the_case(client, followup, areas):
    def refused(path, status, sentence):
        response = client.get(path)
        page = response.content.decode()
        assert response.status_code == status, path
        assert sentence in page
        assert "M기업" not in page and "금형 설계" not in page and "완료 시 조사" not in page
        assert response["Referrer-Policy"] == "same-origin" and "no-store" in response["Cache-Control"]

    refused("/followup/forged-token-123/", 404, "이 링크는 열 수 없습니다")
    refused("/followup/" + "a" * 101 + "/", 404, "이 링크는 열 수 없습니다")
    refused("/followup/%E2%9C%93%00%27%22/", 404, "이 링크는 열 수 없습니다")
    replaced = followup.issue_link()
    current = followup.issue_link()
    refused(replaced, 404, "이 링크는 열 수 없습니다")
    FollowUp.objects.filter(pk=followup.pk).update(link_expires_at=timezone.now() - timedelta(seconds=1))
    refused(current, 410, "사용 기한이 지나")
    current = followup.issue_link()
    followup.revoke_link()
    refused(current, 404, "이 링크는 열 수 없습니다")
    current = followup.issue_link()
    followup.close_unanswered()
    refused(current, 410, "이미 응답하셨거나 조사가 마감되었습니다")
    assert client.post(current, answers(areas)).status_code == 410
    followup.refresh_from_db()
    assert followup.state == FollowUp.State.CLOSED and not followup.adoptions.exists()


def test_the_stored_hash_is_not_the_token_and_the_token_is_nowhere_in_the_row(followup):
    token = followup.issue_link().rstrip("/").rsplit("/", 1)[1]
    followup.refresh_from_db()
    assert followup.link_hash == hash_token(token) != token
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {FollowUp._meta.db_table} WHERE id = %s", [followup.pk])
        row = cursor.fetchone()
    assert not any(token in str(value) for value in row)


def test_a_link_never_shows_another_cases_name(client, followup, areas):
    other = make_case_at(Stage.COMPLETED, firm=make_firm(name="Z기업"), areas=[make_area(name="용접")])
    other.followups.first().issue_link()
    page = client.get(followup.issue_link()).content.decode()
    assert "Z기업" not in page and "용접" not in page
    client.post(followup.issue_link(), answers(areas))
    assert not other.followups.exclude(state=FollowUp.State.DUE).exists()


def test_the_form_needs_the_csrf_token(followup, areas):
    response = Client(enforce_csrf_checks=True).post(followup.issue_link(), answers(areas))
    assert response.status_code == 403
    followup.refresh_from_db()
    assert followup.is_open


def test_the_headers(client, followup):
    response = client.get(followup.issue_link())
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Robots-Tag"].startswith("noindex")
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Language"] == "ko"


@pytest.mark.parametrize("count", [1, 10])
def test_the_page_costs_the_same_with_1_and_10_areas(client, django_assert_num_queries, count):
    case = make_case_at(Stage.COMPLETED, areas=[make_area() for _ in range(count)])
    path = case.followups.first().issue_link()
    with django_assert_num_queries(3):  # the follow-up with its case and firm, the case's areas, the metric kinds
        response = client.get(path)
    assert response.content.decode().count('value="partly"') == count
