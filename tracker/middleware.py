def korean_unless_chosen(get_response):
    """Serve Korean unless the visitor chose another language with the switch (the language cookie).

    Django would otherwise follow the browser's Accept-Language, and the program's public site is Korean first.
    """

    def middleware(request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return get_response(request)

    return middleware
