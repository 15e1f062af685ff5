"""The public application form (/apply/) and its confirmation page. Never cached, never a 500."""

import logging

from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from . import consent, notifications, services, throttle
from .forms import ApplicationForm
from .models import new_reference

logger = logging.getLogger(__name__)

# The reference travels from the POST to the confirmation page in a short-lived signed cookie, read once: the
# confirmation URL itself shows nothing to anyone else, and no page is addressed by an application's id.
REFERENCE_COOKIE = "apply_reference"
REFERENCE_SALT = "applications.reference"
REFERENCE_COOKIE_AGE = 10 * 60


@never_cache
@require_http_methods(["GET", "POST"])
def apply(request):
    if request.method == "GET":
        return _form_page(request, ApplicationForm())
    form = ApplicationForm(request.POST)
    if form.is_bot():
        logger.info("Application form honeypot filled in: answered as accepted, nothing stored")
        return _confirmed(new_reference())
    fingerprint = throttle.client_fingerprint(request)
    try:
        throttle.check(fingerprint)  # before validating: a flood costs one count query per request
        if not form.is_valid():
            return _form_page(request, form)
        application = services.submit_application(form, fingerprint=fingerprint)
    except throttle.RateLimited as refused:
        response = _form_page(request, form, status=429, limited=True)
        response["Retry-After"] = str(refused.retry_after)
        return response
    admin_url = reverse("admin:applications_application_change", args=[application.pk])
    notifications.notify_staff(application, admin_url=request.build_absolute_uri(admin_url))
    return _confirmed(application.reference)


@never_cache
@require_GET
def done(request):
    reference = request.get_signed_cookie(
        REFERENCE_COOKIE, default=None, salt=REFERENCE_SALT, max_age=REFERENCE_COOKIE_AGE
    )
    response = render(request, "applications/done.html", {"reference": reference})
    response.delete_cookie(REFERENCE_COOKIE, path=reverse("applications:apply"), samesite="Strict")
    return response


def _form_page(request, form, *, status=200, limited=False):
    context = {"form": form, "consent": consent.notice(), "limited": limited, "honeypot": form["homepage"]}
    return render(request, "applications/apply.html", context, status=status)


def _confirmed(reference):
    response = redirect("applications:done")
    response.set_signed_cookie(
        REFERENCE_COOKIE,
        reference,
        salt=REFERENCE_SALT,
        max_age=REFERENCE_COOKIE_AGE,
        path=reverse("applications:apply"),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )
    return response
