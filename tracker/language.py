"""The public pages' language lives in the URL: Korean unprefixed (`/cases/`), Japanese and English under a prefix
(`/ja/cases/`, `/en/cases/`). So a page's URL alone says what it shows, and a shared cache can keep it.

The other pages (admin, /apply/, the link pages) keep their own ways: the language cookie of the old switch
(`/i18n/setlang/`), or the language the link page chooses itself.
"""

from functools import cache
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.http import HttpResponseRedirect
from django.urls import LocalePrefixPattern, Resolver404, URLResolver, get_resolver, get_script_prefix
from django.urls.resolvers import RoutePattern
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.encoding import iri_to_uri
from django.utils.functional import SimpleLazyObject
from django.views import i18n

DEFAULT = settings.LANGUAGE_CODE
NAMES = dict(settings.LANGUAGES)
PREFIXED = [code for code in NAMES if code != DEFAULT]  # ja, en


def prefix_of(path):
    """The language whose prefix `path` starts with (`/ja/…` → "ja"), or None (Korean has no prefix)."""
    first = path.lstrip("/").split("/", 1)[0]
    return first if first in PREFIXED and path.startswith(f"/{first}/") else None


def without_prefix(path):
    language = prefix_of(path)
    return path[len(language) + 1 :] if language else path


@cache
def _public_resolver(urlconf):
    return next(p for p in get_resolver(urlconf).url_patterns if isinstance(p.pattern, LocalePrefixPattern))


def _routes(patterns, prefix=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if not isinstance(pattern.pattern, RoutePattern):
            yield None  # a regex: no literal start to tell
        elif isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, route)
        else:
            yield route


@cache
def _public_first_segments(urlconf):
    """The first path segments a public page can start with ("" for the home page), read from the public URL
    patterns; None if a pattern starts with a converter or a regex (then every path is resolved)."""
    segments = set()
    for route in _routes(_public_resolver(urlconf).url_patterns):
        first = None if route is None else route.split("/", 1)[0]
        if first is None or "<" in first:
            return None
        segments.add(first)
    return frozenset(segments)


def is_public(path):
    """Whether `path` (unprefixed, Korean active) is one of the public pages, which carry the language in the URL.

    Runs on every unprefixed request (tracker/middleware.py): a path whose first segment no public pattern starts
    with (/admin/, /static/, /apply/, /mentor/ …) is refused before the resolver is asked.
    """
    segments = _public_first_segments(settings.ROOT_URLCONF)
    if segments is not None and path.removeprefix("/").split("/", 1)[0] not in segments:
        return False
    try:
        with translation.override(DEFAULT):  # the locale pattern matches the active language's prefix
            _public_resolver(settings.ROOT_URLCONF).resolve(path.removeprefix("/"))
    except Resolver404:
        return False
    return True


def url_in(language, path, query=""):
    """The public page at `path` (unprefixed) in `language`, with the query string kept."""
    prefix = "" if language == DEFAULT else f"/{language}"
    url = f"{get_script_prefix().rstrip('/')}{prefix}{path}"
    return f"{url}?{query}" if query else url


def query_string(request):
    """The request's query string as sent, in URL form (WSGI hands it over as Latin-1)."""
    return iri_to_uri(request.META.get("QUERY_STRING", "").encode("iso-8859-1").decode("utf-8", "replace"))


def links(request):
    """The page in each language, for the switch and the hreflang alternates: (code, name, url, absolute url)."""
    path, query = without_prefix(request.path_info), query_string(request)
    return [
        (code, name, url, request.build_absolute_uri(url))
        for code, name in NAMES.items()
        for url in [url_in(code, path, query)]
    ]


def lazy_links(request):
    return SimpleLazyObject(lambda: links(request))


def chosen_by_cookie(request):
    """The language of the old switch's cookie, if it names one of ours."""
    language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    return language if language in NAMES else None


def from_this_site(request):
    """A click on one of this site's links (browsers send a same-origin Referer: SECURE_REFERRER_POLICY)."""
    referer = request.META.get("HTTP_REFERER")
    return bool(referer) and urlsplit(referer).netloc == request.get_host()


def cookie_era_redirect(request, language):
    """A visitor who chose `language` with the old switch, arriving from outside (a bookmark, an old link) at a
    Korean URL: to the same page in their language. Only for them, so never kept by a shared cache."""
    response = HttpResponseRedirect(url_in(language, request.path_info, query_string(request)))
    patch_vary_headers(response, ("Cookie",))
    patch_cache_control(response, private=True, max_age=0)
    return response


def set_language(request):
    """Django's set_language (validates `next`, sets the cookie the admin and /apply/ read), then, for a public
    page, to its URL in the chosen language: old forms and bookmarks posting here keep working."""
    response = i18n.set_language(request)
    language = request.POST.get("language", request.GET.get("language"))
    if language in NAMES and response.status_code == 302:
        response["Location"] = localized(response["Location"], language)
    return response


def localized(url, language):
    """`url` in `language` if it is a public page of this site; any other URL unchanged."""
    parts = urlsplit(url)
    script_prefix = get_script_prefix().rstrip("/")
    path = parts.path.removeprefix(script_prefix) if script_prefix else parts.path
    path = without_prefix(path)
    if not path.startswith("/") or not is_public(path):
        return url
    return urlunsplit(parts._replace(path=url_in(language, path)))
