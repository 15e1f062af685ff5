"""Korean by default; Japanese and English for the interface at /ja/… and /en/…; content stays Korean."""

import pytest
from django.conf import settings
from django.urls import Resolver404
from django.utils import translation

from tracker import language as languages

pytestmark = pytest.mark.django_db


def test_korean_by_default_even_when_the_browser_prefers_english(client, seeded):
    response = client.get("/cases/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    html = response.content.decode()
    assert '<html lang="ko">' in html
    assert "조건으로 찾기" in html
    assert response["Content-Language"] == "ko"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ja", ["事例一覧", "成果パターン", "指導内容", "主な成果", "条件で探す"]),
        ("en", ["Cases", "Filter", "Main outcomes"]),
    ],
)
def test_the_language_in_the_url_translates_the_interface_not_the_content(client, seeded, language, expected):
    response = client.get(f"/{language}/cases/?pattern=1")
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert response["Content-Language"] == language
    for text in expected:
        assert text in html, text
    # Case content stays as entered, marked as Korean for screen readers and translators.
    assert '<dd lang="ko">금형 설계 기술지도' in html
    # The page's own links stay in its language.
    assert f'href="/{language}/stats/"' in html and 'href="/stats/"' not in html


@pytest.mark.parametrize(("language", "prefix"), [("ja", "/ja"), ("en", "/en"), ("ko", "")])
def test_an_old_language_form_still_switches(client, seeded, language, prefix):
    """A form posting to /i18n/setlang/ (old pages, bookmarks, the admin and /apply/) lands on the page in the
    chosen language, from any language."""
    for start in ("/cases/?pattern=1", "/ja/cases/?pattern=1", "/en/cases/?pattern=1"):
        response = client.post("/i18n/setlang/", {"language": language, "next": start})
        assert response.status_code == 302
        assert response["Location"] == f"{prefix}/cases/?pattern=1", start
        assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == language
        html = client.get(response["Location"], HTTP_REFERER="http://testserver/").content.decode()
        assert f'<html lang="{language}">' in html


def test_every_public_page_offers_the_three_languages_as_links(client, seeded):
    from cases.models import Case

    for path in ("/", "/cases/", "/stats/", Case.objects.get(code="2017-J").get_absolute_url()):
        html = client.get(path).content.decode()
        for code, name in (("ko", "한국어"), ("ja", "日本語"), ("en", "English")):
            assert f'lang="{code}" hreflang="{code}"' in html and f">{name}</a>" in html, (path, name)
        assert "<button" not in html.split("</header>")[0], path


def test_the_application_form_keeps_its_own_switch(client, db):
    """/apply/ has no language in its URL: its switch is still the form, and the chosen language is remembered."""
    html = client.get("/apply/").content.decode()
    assert 'action="/i18n/setlang/"' in html and ">日本語</button>" in html
    response = client.post("/i18n/setlang/", {"language": "ja", "next": "/apply/"})
    assert response["Location"] == "/apply/"
    assert '<html lang="ja">' in client.get("/apply/").content.decode()


PATHS = [
    "/",
    "",
    "/cases/",
    "/cases",
    "/cases/12/",
    "/cases/export.csv",
    "/cases/feed.atom",
    "/stats/",
    "/api/cases/",
    "/api/cases/3/",
    "/api/",
    "/ja/cases/",
    "/admin/",
    "/admin/cases/case/",
    "/static/css/site.css",
    "/apply/",
    "/mentor/some-token/",
    "/followup/some-token/",
    "/i18n/setlang/",
    "/healthz",
    "//cases/",
]


def resolves_as_public(path):
    """The full answer: the public URL patterns resolve `path` (with Korean active)."""
    try:
        with translation.override(settings.LANGUAGE_CODE):
            languages._public_resolver(settings.ROOT_URLCONF).resolve(path.removeprefix("/"))
    except Resolver404:
        return False
    return True


@pytest.mark.parametrize("path", PATHS)
def test_the_prefix_check_answers_as_the_resolver_does(path):
    assert languages.is_public(path) == resolves_as_public(path)


@pytest.mark.parametrize("path", ["/admin/", "/static/css/site.css", "/apply/", "/mentor/x/", "/followup/x/"])
def test_other_pages_are_told_apart_without_resolving(path, monkeypatch):
    languages.is_public("/")  # the public patterns' first segments are read once, then kept

    def refuse(urlconf):
        raise AssertionError(f"{path} was resolved against the public patterns")

    monkeypatch.setattr(languages, "_public_resolver", refuse)
    assert languages.is_public(path) is False
