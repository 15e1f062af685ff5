"""What happens to an application: it is submitted (from /apply/), then accepted or declined by staff.

Each function is one transaction and checks the acting user's permissions itself, like the case's lifecycle
methods, so the admin actions, commands and tests share the same rules.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import STAGE_PERMISSION, Case, Firm

from . import consent, throttle
from .models import Application

CHANGE_PERMISSION = "applications.change_application"
IDENTITY_ATTEMPTS = 5  # a firm code or case code taken by a concurrent accept: pick the next one and retry


def submit_application(form, *, fingerprint):
    """Store a valid application form with its consent; raise throttle.RateLimited (storing nothing) over the limit.

    The limit is checked twice: once cheaply before any write, then again inside the transaction, after this
    address's other submissions have committed (throttle.hold), counting this one.
    """
    throttle.check(fingerprint)
    with transaction.atomic():
        throttle.hold(fingerprint)
        application = form.save(commit=False)
        application.consent_version = consent.CONSENT_VERSION
        application.consented_at = timezone.now()
        application.client_fingerprint = fingerprint
        application.save()
        form.save_m2m()
        throttle.check(fingerprint, pending=1)
    return application


def accept_application(application, *, by):
    """Accept a new application: link or create its firm, create its case and start matching. Returns the case.

    The same registration number is the same firm. A new firm gets the next free anonymous code and name; its
    public products stay blank (staff write an anonymous description before publishing) and the firm's own
    words go only into the case's private request_text.
    """
    _require(by, CHANGE_PERMISSION, _("신청을 처리할 권한이 없습니다."))
    _require(
        by,
        STAGE_PERMISSION,
        _("신청을 수락하려면 사례의 진행 단계를 바꿀 권한이 필요합니다. 관리자에게 권한을 요청하세요."),
    )
    with transaction.atomic():
        application = _lock_new(application)
        firm = _firm_for(application, by=by)
        case = _new_case(application, firm, by=by)
        case.start_matching(by=by, note=f"신청 {application.reference} 수락")
        application.firm = firm
        application.case = case
        _decide(application, Application.State.ACCEPTED, by=by)
    return case


def decline_application(application, *, by, reason):
    """Decline a new application with a reason (required)."""
    _require(by, CHANGE_PERMISSION, _("신청을 처리할 권한이 없습니다."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("반려 사유를 적어 주세요."), code="reason_required")
    with transaction.atomic():
        application = _lock_new(application)
        application.decline_reason = reason
        _decide(application, Application.State.DECLINED, by=by)
    return application


def _require(user, permission, message):
    if user is None or not user.has_perm(permission):
        raise PermissionDenied(message)


def _lock_new(application):
    """The application, locked for this transaction; refused unless it is still waiting for a decision."""
    locked = Application.objects.select_for_update().filter(pk=application.pk).first()
    if locked is None or locked.state != Application.State.NEW:
        raise ValidationError(
            _("신청 %(reference)s은(는) 이미 처리되었습니다.") % {"reference": application.reference},
            code="already_decided",
        )
    return locked


def _decide(application, state, *, by):
    application.state = state
    application.decided_at = timezone.now()
    application.decided_by = by
    application.save()


def _firm_for(application, *, by):
    """The firm with the application's registration number, or a new one (anonymous code and name)."""
    digits = application.registration_number
    existing = Firm.objects.filter(registration_number=digits).first()
    if existing is not None:
        return existing
    for _attempt in range(IDENTITY_ATTEMPTS):
        code, name = Firm.objects.next_public_identity()
        firm = Firm(
            code=code,
            name=name,
            industry_id=application.industry_id,
            legal_name=application.company_name,
            registration_number=digits,
            region=application.region,
            employees=application.employees,
            contact_name=application.contact_name,
            contact_email=application.contact_email,
            contact_phone=application.contact_phone,
        )
        firm._history_user = by
        firm._change_reason = f"신청 {application.reference}"
        try:
            with transaction.atomic():  # a savepoint: a lost race leaves the outer transaction usable
                firm.save()
            return firm
        except IntegrityError:
            # Someone else just took this code, or created the same firm: use theirs, or try the next code.
            existing = Firm.objects.filter(registration_number=digits).first()
            if existing is not None:
                return existing
    raise ValidationError(_("기업을 만들지 못했습니다. 잠시 뒤 다시 시도해 주세요."), code="firm_identity")


def _new_case(application, firm, *, by):
    """A draft case in `received`, coded '<year>-<firm code>' (then -2, -3 … when the firm has more)."""
    base = f"{timezone.localdate().year}-{firm.code}"
    for _attempt in range(IDENTITY_ATTEMPTS):
        case = Case(
            code=_free_case_code(base),
            firm=firm,
            status=Case.Status.DRAFT,
            request_text=application.bottleneck,
        )
        case._history_user = by
        case._change_reason = f"신청 {application.reference}"
        try:
            with transaction.atomic():
                case.save()
                case.guidance_areas.set(application.wished_areas.all())
            return case
        except IntegrityError:
            continue
    raise ValidationError(_("사례를 만들지 못했습니다. 잠시 뒤 다시 시도해 주세요."), code="case_code")


def _free_case_code(base):
    taken = set(Case.objects.filter(code__startswith=base).values_list("code", flat=True))
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"
