"""Public pages a shared cache (a proxy or CDN in front) may keep: the language in the URL, no cookie, session or
CSRF token, an ETag from the data version, and a 304 for a repeat request until anything is written."""

import re

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from cases.models import Case, EvolutionPath, Mentor, Metric, OutcomePattern

pytestmark = pytest.mark.django_db

J = "2017-J"


def public_urls():
    with translation.override("ko"):  # the language of the last request stays active in the test's thread
        case = Case.objects.get(code=J)
        return [
            "/",
            "/cases/",
            "/cases/?pattern=1&q=금형",
            "/stats/",
            case.get_absolute_url(),
            "/api/cases/",
            f"/api/cases/{case.pk}/",
        ]


def pages():
    return [url for url in public_urls() if not url.startswith("/api/")]


def test_a_public_page_sets_no_cookie_and_carries_no_csrf_token(client, seeded):
    for prefix in ("", "/ja", "/en"):
        for url in public_urls():
            response = client.get(prefix + url)
            assert response.status_code == 200, url
            assert "Set-Cookie" not in response.headers and not response.cookies, url
            assert "csrfmiddlewaretoken" not in response.content.decode(), url
            vary = response.get("Vary", "")
            assert "Cookie" not in vary and "Accept-Language" not in vary, (url, vary)
            assert response["Cache-Control"] == "public, max-age=0, must-revalidate", url
            assert re.fullmatch(r'"[0-9a-f]{32}"', response["ETag"]), url
    assert not client.cookies  # nothing was ever set


def test_staff_still_get_no_cookie_on_public_pages(client, seeded):
    client.force_login(User.objects.create_superuser("staff", password="a-long-staff-password"))
    response = client.get("/cases/")
    assert not response.cookies and "Cookie" not in response.get("Vary", "")


def test_a_repeat_request_gets_a_304_until_a_write_and_a_200_right_after(client, seeded):
    for url in public_urls():
        etag = client.get(url)["ETag"]
        repeat = client.get(url, HTTP_IF_NONE_MATCH=etag)
        assert repeat.status_code == 304 and repeat.content == b"", url
        assert repeat["ETag"] == etag and repeat["Cache-Control"] == "public, max-age=0, must-revalidate"
        assert client.get(url, HTTP_IF_NONE_MATCH=f'W/{etag}, "other"').status_code == 304, url
        assert client.get(url, HTTP_IF_NONE_MATCH='"other"').status_code == 200, url
    tags = {url: client.get(url)["ETag"] for url in public_urls()}
    Case.objects.get(code=J).save()  # any write, even one that changes nothing shown
    for url, etag in tags.items():
        fresh = client.get(url, HTTP_IF_NONE_MATCH=etag)
        assert fresh.status_code == 200 and fresh["ETag"] != etag, url


def test_a_304_costs_one_query_and_renders_nothing(client, seeded):
    for url in public_urls():
        etag = client.get(url)["ETag"]
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, HTTP_IF_NONE_MATCH=etag)
        assert response.status_code == 304 and len(queries) == 1, (url, [q["sql"] for q in queries])


def test_the_etag_differs_by_language_and_url(client, seeded):
    tags = {client.get(prefix + url)["ETag"] for prefix in ("", "/ja", "/en") for url in public_urls()}
    assert len(tags) == 3 * len(public_urls())
    korean = client.get("/cases/")["ETag"]
    assert client.get("/ja/cases/", HTTP_IF_NONE_MATCH=korean).status_code == 200


@pytest.fixture
def with_path(seeded):
    """Case J on an evolution path (the study's cases have none)."""
    Case.objects.filter(code=J).update(evolution_path=EvolutionPath.objects.order_by("pk").first())


@pytest.mark.parametrize(
    "edit",
    [
        lambda: OutcomePattern.objects.filter(code="1").update(name="첫 번째 성과 패턴"),
        lambda: Case.objects.filter(code=J).update(status=Case.Status.DRAFT),  # unpublished
        lambda: Metric.objects.filter(case__code=J).update(value=99),
        lambda: Case.objects.get(code=J).outcome_items.update(text="새 성과"),
        lambda: Mentor.objects.filter(cases__code=J).update(background="새 경력"),
        lambda: EvolutionPath.objects.filter(cases__code=J).update(name="새 진화 경로"),
    ],
    ids=["pattern renamed", "case unpublished", "metric", "outcome item", "engineer's background", "evolution path"],
)
def test_the_case_page_is_never_304_after_a_write_it_shows(client, with_path, edit):
    url = public_urls()[4]
    etag = client.get(url)["ETag"]
    edit()
    response = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == (404 if Case.objects.get(code=J).status == Case.Status.DRAFT else 200)


def test_an_edit_through_the_admin_ends_the_304s(client, with_path):
    url = public_urls()[4]
    etag = client.get(url)["ETag"]
    path = Case.objects.get(code=J).evolution_path
    staff = User.objects.create_superuser("staff", password="a-long-staff-password")
    editor = client.__class__()
    editor.force_login(staff)
    data = {k: v for k, v in model_to_dict(path).items() if v is not None and k != "id"}
    response = editor.post(f"/admin/cases/evolutionpath/{path.pk}/change/", {**data, "name": "관리자가 바꾼 경로"})
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert page.status_code == 200 and "관리자가 바꾼 경로" in page.content.decode()


def test_issuing_an_engineer_s_link_is_no_edit_of_the_public_pages(client, seeded):
    url = Case.objects.get(code=J).get_absolute_url()
    etag = client.get(url)["ETag"]
    Case.objects.get(code=J).mentor.issue_link()
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_a_bad_request_or_a_missing_case_carries_no_etag(client, seeded):
    for url, status in (
        ("/cases/?year=abc", 400),
        ("/cases/999999/", 404),
        ("/api/cases/999999/", 404),
        ("/ja/stats/?pattern=nope", 400),
    ):
        response = client.get(url)
        assert response.status_code == status, url
        assert "ETag" not in response and "public" not in response.get("Cache-Control", ""), url


def test_ja_shows_japanese_and_unprefixed_shows_korean_to_everyone(client, seeded):
    japanese = client.get("/ja/cases/").content.decode()
    assert '<html lang="ja">' in japanese and "条件で探す" in japanese
    for browser in ("ja-JP,ja;q=0.9", "en-US,en;q=0.9", ""):
        response = client.get("/cases/", HTTP_ACCEPT_LANGUAGE=browser)
        assert '<html lang="ko">' in response.content.decode() and "조건으로 찾기" in response.content.decode()
        assert "Accept-Language" not in response.get("Vary", "")


def test_hreflang_alternates_name_the_page_in_every_language(client, seeded):
    url = Case.objects.get(code=J).get_absolute_url()
    for prefix in ("", "/ja", "/en"):
        html = client.get(prefix + url).content.decode()
        alternates = dict(re.findall(r'<link rel="alternate" hreflang="([\w-]+)" href="([^"]+)">', html))
        assert alternates == {
            "ko": f"http://testserver{url}",
            "x-default": f"http://testserver{url}",
            "ja": f"http://testserver/ja{url}",
            "en": f"http://testserver/en{url}",
        }


def test_the_language_links_keep_the_query_string(client, seeded):
    html = client.get("/ja/cases/?pattern=1&q=금형").content.decode()
    switch = html[html.index('<nav class="language-switch"') :]
    switch = switch[: switch.index("</nav>")]
    links = dict(re.findall(r'<a href="([^"]+)" lang="(\w+)"', switch))
    assert {lang: url for url, lang in links.items()} == {
        "ko": "/cases/?pattern=1&amp;q=%EA%B8%88%ED%98%95",
        "ja": "/ja/cases/?pattern=1&amp;q=%EA%B8%88%ED%98%95",
        "en": "/en/cases/?pattern=1&amp;q=%EA%B8%88%ED%98%95",
    }
    assert 'lang="ja" hreflang="ja" aria-current="true"' in switch
    # Each link opens the same listing in that language.
    for url in links:
        assert "금형" in client.get(url.replace("&amp;", "&")).content.decode()


def test_a_cookie_era_visitor_from_outside_lands_on_their_language(client, seeded):
    """A visitor who chose 日本語 with the old switch (cookie) and opens a bookmark or an old link: the page in
    Japanese, by a redirect only they get (never kept by a shared cache)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ja"
    response = client.get("/cases/?pattern=1")
    assert response.status_code == 302 and response["Location"] == "/ja/cases/?pattern=1"
    assert "Cookie" in response["Vary"] and "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]
    page = client.get(response["Location"])
    assert page.status_code == 200 and '<html lang="ja">' in page.content.decode()
    case_url = public_urls()[4]
    assert client.get(case_url)["Location"] == f"/ja{case_url}"


def test_the_korean_link_works_for_a_cookie_era_visitor(client, seeded):
    """Clicking 한국어 on a Japanese page (a same-site Referer) serves Korean, old cookie or not."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ja"
    response = client.get("/cases/?pattern=1", HTTP_REFERER="http://testserver/ja/cases/?pattern=1")
    assert response.status_code == 200 and '<html lang="ko">' in response.content.decode()
    assert "Cookie" not in response.get("Vary", "")


def test_a_korean_or_unknown_cookie_changes_nothing(client, seeded):
    for value in ("ko", "xx"):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = value
        response = client.get("/cases/")
        assert response.status_code == 200 and '<html lang="ko">' in response.content.decode()


def test_the_pages_without_a_language_in_the_url_keep_theirs(client, seeded):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ja"
    assert '<html lang="ja">' in client.get("/apply/").content.decode()
    assert client.get("/healthz").status_code == 200
    assert client.get("/ja/apply/").status_code == 404  # no second address for the form


def test_the_api_s_links_follow_the_url_s_language(client, seeded):
    korean = client.get("/api/cases/").json()["results"][0]["url"]
    japanese = client.get("/ja/api/cases/").json()["results"][0]["url"]
    assert japanese == korean.replace("testserver/", "testserver/ja/")


def test_public_cache_seconds_let_a_shared_cache_serve_without_asking(client, seeded, settings):
    settings.PUBLIC_CACHE_SECONDS = 30
    assert client.get("/cases/")["Cache-Control"] == "public, max-age=0, must-revalidate, s-maxage=30"
