"""The staff e-mail about a new application: the reference, the time and the admin link, no personal data.

Mail leaves our hands (mail servers, inboxes, forwards), so it carries nothing from the application itself;
staff open it in the admin, where the opening is logged.
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cases.notifications import staff_addresses

logger = logging.getLogger(__name__)

VIEW_PERMISSION = "applications.view_application"


def recipients():
    """settings.APPLICATION_NOTIFY_EMAILS, or else every active staff member who may see applications."""
    return staff_addresses(VIEW_PERMISSION, settings.APPLICATION_NOTIFY_EMAILS)


def notify_staff(application, *, admin_url):
    """Send the notice; True when sent. A failure is logged and never raised: the application is already stored."""
    try:
        to = recipients()
        if not to:
            logger.warning("No recipient for the notice of application %s", application.reference)
            return False
        with translation.override(settings.LANGUAGE_CODE):  # staff read Korean, whatever the applicant chose
            submitted = timezone.localtime(application.submitted_at).strftime("%Y-%m-%d %H:%M %Z")
            subject = _("[기술지도 신청] 새 신청 %(reference)s") % {"reference": application.reference}
            body = "\n".join(
                [
                    _("새 기술지도 신청이 접수되었습니다."),
                    "",
                    _("접수번호: %(reference)s") % {"reference": application.reference},
                    _("접수일시: %(submitted)s") % {"submitted": submitted},
                    _("관리 화면: %(url)s") % {"url": admin_url},
                    "",
                    _("개인정보 보호를 위해 이 메일에는 신청 내용을 싣지 않습니다. 관리 화면에서 확인하세요."),
                ]
            )
        send_mail(subject, body, None, to)
    except Exception:  # SMTP down, DNS, a bad address … whatever it is, the firm's application must stand
        logger.exception("Could not send the notice of application %s", application.reference)
        return False
    return True
