"""The mails that carry a link: a firm's follow-up survey, an engineer's page for visit reports.

One place composes them, for the admin's actions and for `send_reminders`. Mail leaves our hands (mail servers,
inboxes, forwards), so it carries only what the reader needs: the case's public name, what is asked, the link and
when it stops working; no contact names, no registration numbers, no answers.

Issuing the link and sending run in one transaction: when the mail cannot be sent, the new link is rolled back
(the older one keeps working) and nothing is marked sent.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


def subject_prefix():
    """Every mail's subject starts with it, in the mail's language ([기술지도], [技術指導] for engineers)."""
    return _("[기술지도]")


class LinkNotSent(Exception):
    """No mail went out; `str(error)` says why, in the language active when it was raised."""


class Unsendable(LinkNotSent):
    """Nothing to send to (no address, a closed follow-up): skipped, not a failure."""


class SendFailed(LinkNotSent):
    """The mail server refused or could not be reached."""


def staff_addresses(permission, configured=()):
    """`configured` addresses (a setting), or else every active staff member who has `permission` and an e-mail."""
    if configured:
        return list(dict.fromkeys(configured))
    users = (
        get_user_model()
        .objects.with_perm(
            permission,
            is_active=True,
            include_superusers=True,
            backend="django.contrib.auth.backends.ModelBackend",  # the permission backend (axes only locks out)
        )
        .filter(is_staff=True)
        .exclude(email="")
        .order_by("email")
    )
    return list(dict.fromkeys(users.values_list("email", flat=True)))


def send_followup_link(followup, base_url, *, reminder=None):
    """Issue a fresh survey link for `followup`, mail it to its firm's contact, mark the follow-up sent.

    `reminder`: None (staff send it), "due" (due soon) or "overdue": only the mail's wording changes.
    Reads followup.case.firm: select them first. Raises Unsendable or SendFailed.
    """
    firm = followup.case.firm
    if not followup.is_open:
        raise Unsendable(_("%(followup)s: 이미 응답했거나 종료된 조사입니다.") % {"followup": followup})
    if not firm.contact_email:
        raise Unsendable(_("%(followup)s: 기업 담당자 이메일이 없습니다.") % {"followup": followup})
    with translation.override(settings.LANGUAGE_CODE):  # firms read Korean, whatever the staff member chose
        _send_with_link(
            followup,
            base_url,
            to=firm.contact_email,
            compose=lambda url: _followup_mail(followup, url, reminder),
            label=str(followup),
        )
    followup.mark_sent()


def send_mentor_link(mentor, base_url):
    """Issue a fresh link to the engineer's visit-report page and mail it to them, in Japanese.

    Raises Unsendable (no address) or SendFailed.
    """
    if not mentor.email:
        raise Unsendable(_("%(mentor)s: 이메일 주소가 없습니다.") % {"mentor": mentor})
    with translation.override("ja"):
        _send_with_link(
            mentor, base_url, to=mentor.email, compose=lambda url: _mentor_mail(mentor, url), label=str(mentor)
        )


def _send_with_link(record, base_url, *, to, compose, label):
    before = (record.link_hash, record.link_issued_at, record.link_expires_at)
    try:
        with transaction.atomic():
            url = base_url.rstrip("/") + record.issue_link()
            subject, body = compose(url)
            send_mail(subject, body, None, [to])
    except Exception as error:  # SMTP down, DNS, a refused address …: a message for staff, never a 500
        record.link_hash, record.link_issued_at, record.link_expires_at = before
        # The error's text may hold the recipient's address (SMTPRecipientsRefused): only its kind goes on.
        kind = type(error).__name__
        logger.error("Could not send the link of %s %s: %s", record._meta.label_lower, record.pk, kind)
        message = _("%(record)s: 메일을 보내지 못했습니다 (%(error)s).") % {"record": label, "error": kind}
        raise SendFailed(message) from error


def _expiry(record):
    return timezone.localtime(record.link_expires_at).strftime("%Y-%m-%d %H:%M")


def _followup_mail(followup, url, reminder):
    case = followup.case
    params = {"firm": case.firm.name, "code": case.code, "kind": followup.get_kind_display()}
    if reminder == "overdue":
        subject = _("%(prefix)s %(firm)s 사후 성과 조사 응답을 기다립니다") % {"prefix": subject_prefix(), **params}
        opening = _(
            "%(firm)s 기술지도 사례(%(code)s)의 %(kind)s 예정일이 지났습니다. 아직 응답하지 않으셨다면 부탁드립니다."
        )
    elif reminder == "due":
        subject = _("%(prefix)s %(firm)s 사후 성과 조사 예정일이 다가옵니다") % {"prefix": subject_prefix(), **params}
        opening = _("%(firm)s 기술지도 사례(%(code)s)의 %(kind)s 예정일(%(due)s)이 다가옵니다.")
    else:
        subject = _("%(prefix)s %(firm)s 사후 성과 조사 안내") % {"prefix": subject_prefix(), **params}
        opening = _("%(firm)s 기술지도 사례(%(code)s)의 %(kind)s에 응답을 부탁드립니다.")
    body = "\n".join(
        [
            _("담당자님께"),
            "",
            opening % {**params, "due": f"{followup.due_on:%Y-%m-%d}"},
            _(
                "사후 성과 조사는 일본 퇴직기술자의 기술지도 뒤에 현장에서 무엇이 달라졌는지(만족도, 지도 내용의 도입, "
                "불량률·원가·매출 같은 지표의 변화)를 여쭙는 짧은 설문입니다. 5분쯤 걸립니다."
            ),
            "",
            _("응답하는 곳: %(url)s") % {"url": url},
            "",
            _(
                "이 링크는 %(days)s일 뒤(%(expires)s)에 만료되며 한 번만 응답할 수 있습니다. "
                "다른 사람에게 전하지 마세요."
            )
            % {"days": settings.ACCESS_LINK_DAYS, "expires": _expiry(followup)},
            _("이전에 받은 링크는 더 이상 열리지 않습니다."),
            "",
            _("한·일산업기술협력재단 일본 우수퇴직기술자 유치 사업"),
        ]
    )
    return subject, body


def _mentor_mail(mentor, url):
    subject = _("%(prefix)s 지도 방문 보고 페이지 안내") % {"prefix": subject_prefix()}
    body = "\n".join(
        [
            _("퇴직기술자님께"),
            "",
            _("지도 중인 사례의 방문(날짜, 방식, 시간, 지도 내용, 후속 조치)을 아래 페이지에서 보고해 주세요."),
            _("보고한 방문은 담당자가 확인한 뒤 기록됩니다."),
            "",
            _("보고하는 곳: %(url)s") % {"url": url},
            "",
            _("이 링크는 %(days)s일 뒤(%(expires)s)에 만료됩니다. 본인 전용이니 다른 사람에게 전하지 마세요.")
            % {"days": settings.ACCESS_LINK_DAYS, "expires": _expiry(mentor)},
            _("이전에 받은 링크는 더 이상 열리지 않습니다."),
            "",
            _("한·일산업기술협력재단 일본 우수퇴직기술자 유치 사업"),
        ]
    )
    return subject, body
