from django.conf import settings
from django.template.response import TemplateResponse
from django.utils import translation

from tracker import language as languages


def language(get_response):
    """The language of the request, never the browser's Accept-Language (the program's public site is Korean first).

    Public pages (tracker/language.py): the URL's prefix, Korean without one, for everyone, so a shared cache can
    keep each URL. A visitor who chose Japanese or English with the old cookie switch and comes from outside
    (a bookmark, an old link) to a Korean URL is sent to the page in that language. Other pages (admin, /apply/):
    the cookie the switch there sets, else Korean; the link pages choose their own (portal/views.py).
    """

    def middleware(request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        current = languages.prefix_of(request.path_info)
        public = current is not None
        if current is None:
            current = languages.DEFAULT
            public = languages.is_public(request.path_info)
            chosen = languages.chosen_by_cookie(request)
            if public and chosen not in (None, current):
                if request.method in ("GET", "HEAD") and not languages.from_this_site(request):
                    return languages.cookie_era_redirect(request, chosen)
            elif not public:
                current = chosen or current
        translation.activate(current)
        request.LANGUAGE_CODE = current
        if public:
            request.language_links = languages.lazy_links(request)
        response = get_response(request)
        response.headers.setdefault("Content-Language", current)
        return response

    return middleware


def reject_oversized_queries(get_response):
    """An over-long query string is a clear 400 before any view or database work."""

    def middleware(request):
        if len(request.META.get("QUERY_STRING", "")) > settings.MAX_QUERY_STRING_LENGTH:
            response = TemplateResponse(request, "400.html", status=400)
            response.render()
            return response
        return get_response(request)

    return middleware
