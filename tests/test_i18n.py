"""Korean by default; Japanese and English for the interface on request, remembered; content stays Korean."""

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_korean_by_default_even_when_the_browser_prefers_english(client, seeded):
    html = client.get("/cases/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="ko">' in html
    assert "조건으로 찾기" in html


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ja", ["事例一覧", "成果パターン", "指導内容", "主な成果", "条件で探す"]),
        ("en", ["Cases", "Filter", "Main outcomes"]),
    ],
)
def test_chosen_language_translates_the_interface_not_the_content(client, seeded, language, expected):
    response = client.post("/i18n/setlang/", {"language": language, "next": "/cases/?pattern=1"})
    assert response.status_code == 302
    assert response["Location"] == "/cases/?pattern=1"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == language

    html = client.get("/cases/?pattern=1").content.decode()
    assert f'<html lang="{language}">' in html
    for text in expected:
        assert text in html, text
    # Case content stays as entered, marked as Korean for screen readers and translators.
    assert '<dd lang="ko">금형 설계 기술지도' in html


def test_every_public_page_offers_the_three_languages(client, seeded):
    from cases.models import Case

    for path in ("/", "/cases/", "/stats/", Case.objects.get(code="2017-J").get_absolute_url()):
        html = client.get(path).content.decode()
        for name in ("한국어", "日本語", "English"):
            assert f">{name}</button>" in html, (path, name)
