from django.conf import settings
from django.template.response import TemplateResponse


def korean_unless_chosen(get_response):
    """Serve Korean unless the visitor chose another language with the switch (the language cookie).

    Django would otherwise follow the browser's Accept-Language, and the program's public site is Korean first.
    """

    def middleware(request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return get_response(request)

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
