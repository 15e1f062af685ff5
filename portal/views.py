"""The pages behind the links: a firm answers a follow-up (Korean), an engineer reports visits (Japanese first).

No login: the token in the URL is the key (cases/models/links.py), and every query below is filtered by the record
the token opened, so a link shows only its own case or engineer.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.signing import BadSignature
from django.utils import translation
from django.views.decorators.http import require_http_methods

from cases.models import FollowUp, Mentor, MetricKind
from cases.models.links import LinkRefusal

from . import queries
from .forms import FollowUpForm, VisitReportForm
from .pages import link_page, open_record, refused, render_page, see_other

FOLLOWUP_LANGUAGE = "ko"
MENTOR_LANGUAGES = ("ja", "ko", "en")  # the first is the default
THANKS_COOKIE, THANKS_SALT, THANKS_AGE = "followup_thanks", "portal.followup.thanks", 10 * 60


@link_page
@require_http_methods(["GET", "POST"])
def followup(request, token):
    with translation.override(FOLLOWUP_LANGUAGE):
        record, refusal = open_record(
            FollowUp, token, queryset=FollowUp.objects.select_related("case__firm").order_by()
        )
        if refusal is LinkRefusal.USED and _just_answered(request):
            response = render_page(request, "portal/followup_thanks.html", {}, language=FOLLOWUP_LANGUAGE)
            response.delete_cookie(THANKS_COOKIE, path=request.path, samesite="Strict")
            return response
        if refusal is not None:
            return refused(request, refusal, language=FOLLOWUP_LANGUAGE)
        form = FollowUpForm(
            request.POST if request.method == "POST" else None,
            areas=record.case.guidance_areas.order_by("name"),
            kinds=MetricKind.objects.all(),
        )
        if form.is_valid():
            try:
                record.record_answer(**form.answers())
            except ValidationError as error:
                if error.code != "followup_closed":
                    raise
                # answered meanwhile, e.g. in another tab
                return refused(request, LinkRefusal.USED, language=FOLLOWUP_LANGUAGE)
            return _thanked(request)
        context = {"followup": record, "case": record.case, "form": form}
        status = 400 if form.is_bound else 200
        return render_page(request, "portal/followup.html", context, language=FOLLOWUP_LANGUAGE, status=status)


def _thanked(request):
    """Back to the same link, which is used now; a short-lived signed cookie, valid for this path only, lets
    it say thank you once instead of "already answered"."""
    response = see_other(request.path)
    response.set_signed_cookie(
        THANKS_COOKIE,
        "1",
        salt=THANKS_SALT,
        max_age=THANKS_AGE,
        path=request.path,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )
    return response


def _just_answered(request):
    try:
        return request.get_signed_cookie(THANKS_COOKIE, salt=THANKS_SALT, max_age=THANKS_AGE) == "1"
    except (KeyError, BadSignature):
        return False


@link_page
@require_http_methods(["GET", "POST"])
def mentor(request, token):
    language = request.GET.get("lang")
    language = language if language in MENTOR_LANGUAGES else MENTOR_LANGUAGES[0]
    with translation.override(language):
        record, refusal = open_record(Mentor, token)
        if refusal is not None:
            return refused(request, refusal, language=language)
        form = VisitReportForm(
            request.POST if request.method == "POST" else None,
            mentor=record,
            cases=queries.reportable_cases(record),
        )
        if form.is_valid():
            form.save()
            return see_other(f"{request.path}?lang={language}&reported=1")
        context = {
            "mentor": record,
            "cases": queries.open_cases_with_totals(record),
            "reports": queries.recent_reports(record),
            "form": form,
            "language": language,
            "link_languages": [(code, LANGUAGE_NAMES[code]) for code in MENTOR_LANGUAGES],
            "reported": not form.is_bound and request.GET.get("reported") == "1",
        }
        status = 400 if form.is_bound else 200
        return render_page(request, "portal/mentor.html", context, language=language, status=status)


LANGUAGE_NAMES = dict(settings.LANGUAGES)
