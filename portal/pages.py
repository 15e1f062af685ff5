"""What the link pages share: their headers, the token's shape, the refusal page, the chosen language."""

import re
from functools import wraps

from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from cases.models.links import MAX_TOKEN_LENGTH, LinkRefusal

# token_urlsafe() writes only these; anything else is not one of ours and is refused before any query.
TOKEN_SHAPE = re.compile(rf"[A-Za-z0-9_-]{{1,{MAX_TOKEN_LENGTH}}}")

REFUSALS = {
    LinkRefusal.UNKNOWN: (
        404,
        _("이 링크는 열 수 없습니다"),
        _("주소가 틀렸거나, 새 링크가 발급되어 더 이상 쓰지 않는 링크입니다. 담당자에게 새 링크를 요청해 주세요."),
    ),
    LinkRefusal.EXPIRED: (
        410,
        _("링크의 사용 기한이 지났습니다"),
        _("이 링크는 사용 기한이 지나 더 이상 쓸 수 없습니다. 담당자에게 새 링크를 요청해 주세요."),
    ),
    LinkRefusal.USED: (
        410,
        _("이미 응답한 조사입니다"),
        _("이 조사에는 이미 응답하셨거나 조사가 마감되었습니다. 링크는 한 번만 쓸 수 있습니다."),
    ),
}


def link_page(view):
    """Never cached, never indexed, and no Referer that would carry the token in the URL to another site.

    `same-origin`, not `no-referrer`: under `no-referrer` browsers send `Origin: null` with the page's own form,
    which Django's CSRF check rightly refuses (found by the browser test on a real Chromium).
    """

    @never_cache
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "same-origin"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapped


def open_record(model, token, queryset=None):
    """`model.open_link()` for a token of the right shape; any other path segment is an unknown link."""
    if not TOKEN_SHAPE.fullmatch(token):
        return None, LinkRefusal.UNKNOWN
    return model.open_link(token, queryset=queryset)


def refused(request, refusal, *, language):
    """The same page for every refusal, with nothing of any record on it."""
    status, heading, sentence = REFUSALS[refusal]
    return render_page(
        request, "portal/refused.html", {"heading": heading, "sentence": sentence}, language=language, status=status
    )


def render_page(request, template, context, *, language, status=200):
    response = render(request, template, context, status=status)
    response["Content-Language"] = language
    return response


def see_other(url):
    """A redirect after a POST that the browser follows with a GET."""
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response
