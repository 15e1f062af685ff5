"""The daily reminders (`manage.py send_reminders`): follow-ups due soon or overdue go to their firm with a fresh
link; cases in guidance without a confirmed visit for IDLE_GUIDANCE_DAYS go to staff in one digest.

Each reminder has a key (`SentReminder`): one before a follow-up's due date (`followup:<pk>:due`), one after it
(`followup:<pk>:overdue`), one per idle period of a case (`idle:<pk>:<the day it went idle>`, so a case that
gets a visit and goes idle again is reported again). The row is inserted and the mail sent in one transaction: a
failed mail leaves no row and is tried again on the next run; a row already there means it was sent, so a second
run sends nothing. A concurrent run's row wins the unique constraint and this one skips it.
"""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cases.models import STAGE_PERMISSION, Case, FollowUp, Visit
from cases.notifications import SendFailed, Unsendable, send_followup_link, staff_addresses, subject_prefix

from .models import SentReminder


@dataclass
class Reminder:
    kind: str
    keys: list  # the SentReminder keys this mail covers (a digest covers several cases)
    label: str  # what the command lists: codes and public names only
    send: object  # a function that sends it; raises Unsendable or SendFailed


@dataclass
class Run:
    sent: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    failed: list = field(default_factory=list)
    planned: list = field(default_factory=list)  # a dry run's reminders (nothing sent)


def send_reminders(*, today=None, dry_run=False):
    """Send (or with `dry_run`, only list) every reminder not sent yet; returns the Run with its labels."""
    today = today or timezone.localdate()
    run = Run()
    for reminder in [*followup_reminders(today), *idle_case_reminders(today)]:
        if dry_run:
            run.planned.append(reminder.label)
            continue
        try:
            with transaction.atomic():
                SentReminder.objects.bulk_create(SentReminder(kind=reminder.kind, key=key) for key in reminder.keys)
                reminder.send()
        except IntegrityError:
            run.skipped.append(_("%(label)s: 다른 실행이 이미 보냈습니다.") % {"label": reminder.label})
        except Unsendable as reason:
            run.skipped.append(str(reason))
        except SendFailed as error:
            run.failed.append(str(error))
        else:
            run.sent.append(reminder.label)
    return run


def not_sent(kind, keys):
    """Those of `keys` with no SentReminder of `kind` yet."""
    done = set(SentReminder.objects.filter(kind=kind, key__in=keys).values_list("key", flat=True))
    return [key for key in keys if key not in done]


# --- follow-ups --------------------------------------------------------------------------------------------------


def followup_reminders(today):
    """One reminder per open follow-up due within REMINDER_DAYS_BEFORE_DUE days (`due`), and one more once it is
    that many days overdue (`overdue`). A follow-up whose link went out within that time is left alone: a
    reminder's fresh link would cancel the one the firm just received."""
    days = timedelta(days=settings.REMINDER_DAYS_BEFORE_DUE)
    recently = timezone.make_aware(datetime.combine(today - days, time.min))
    followups = list(
        FollowUp.objects.due_by(today + days)
        .exclude(sent_at__gt=recently)
        .select_related("case__firm")
        .order_by("due_on", "pk")
    )
    wanted = {}
    for followup in followups:
        if followup.due_on >= today:
            when = "due"
        elif followup.due_on < today - days:
            when = "overdue"
        else:
            continue  # just past its date: the firm has the reminder sent before it, give it a week
        wanted[f"followup:{followup.pk}:{when}"] = (followup, when)
    reminders = []
    for when, kind in (("due", SentReminder.Kind.FOLLOWUP_DUE), ("overdue", SentReminder.Kind.FOLLOWUP_OVERDUE)):
        keys = [key for key, (_followup, w) in wanted.items() if w == when]
        for key in not_sent(kind, keys):
            followup, _when = wanted[key]
            reminders.append(Reminder(kind, [key], _followup_label(followup, when), _sender(followup, when)))
    return reminders


def _sender(followup, when):
    return lambda: send_followup_link(followup, settings.SITE_URL, reminder=when)


def _followup_label(followup, when):
    what = _("예정일 지남") if when == "overdue" else _("예정일 다가옴")
    case = followup.case
    return f"{case.code} {case.firm.name} · {followup.get_kind_display()} ({followup.due_on:%Y-%m-%d}, {what})"


# --- cases without a visit ----------------------------------------------------------------------------------------


def idle_cases(today):
    """Cases in guidance for IDLE_GUIDANCE_DAYS without a confirmed visit ending in that time, each with
    `idle_since`: the day its last confirmed visit ended or its guidance (re)started, whichever is later.

    Reported visits awaiting review do not count: until staff confirm them they are not on record.
    """
    since = today - timedelta(days=settings.IDLE_GUIDANCE_DAYS)
    confirmed = Visit.objects.confirmed().filter(case=OuterRef("pk"))
    last_visit = confirmed.order_by("-ended_on").values("ended_on")[:1]
    cases = (
        Case.objects.without_visit_since(since)
        .annotate(last_visit_on=Subquery(last_visit))
        .select_related("firm")
        .order_by("code")
    )
    for case in cases:
        started = timezone.localdate(case.stage_changed_at)
        case.idle_since = max(started, case.last_visit_on) if case.last_visit_on else started
        yield case


def idle_case_reminders(today):
    """One digest mail to staff with the idle cases not reported yet in their current idle period."""
    cases = {f"idle:{case.pk}:{case.idle_since:%Y-%m-%d}": case for case in idle_cases(today)}
    keys = not_sent(SentReminder.Kind.IDLE_CASES, list(cases))
    if not keys:
        return []
    listed = [cases[key] for key in keys]
    label = _("담당자에게: 방문 없는 지도 중 사례 %(count)d건 (%(codes)s)") % {
        "count": len(listed),
        "codes": ", ".join(case.code for case in listed),
    }
    return [Reminder(SentReminder.Kind.IDLE_CASES, keys, label, lambda: _send_digest(listed))]


def staff_recipients():
    """settings.REMINDER_STAFF_EMAILS, or else every active staff member who may change stages and has an e-mail."""
    return staff_addresses(STAGE_PERMISSION, settings.REMINDER_STAFF_EMAILS)


def _send_digest(cases):
    to = staff_recipients()
    if not to:
        raise Unsendable(_("방문 없는 지도 중 사례 알림: 받을 담당자 이메일이 없습니다."))
    with translation.override(settings.LANGUAGE_CODE):
        days = settings.IDLE_GUIDANCE_DAYS
        subject = _("%(prefix)s %(days)s일 넘게 방문이 없는 지도 중 사례 %(count)d건") % {
            "prefix": subject_prefix(),
            "days": days,
            "count": len(cases),
        }
        lines = [
            _("다음 사례는 지도 중인데 %(days)s일 넘게 확인된 지도 방문이 없습니다.") % {"days": days},
            "",
        ]
        for case in cases:
            url = settings.SITE_URL + reverse("admin:cases_case_change", args=[case.pk])
            lines.append(
                _("- %(code)s %(firm)s: %(since)s부터 방문 없음 · %(url)s")
                % {"code": case.code, "firm": case.firm.name, "since": f"{case.idle_since:%Y-%m-%d}", "url": url}
            )
        lines += ["", _("퇴직기술자에게 방문 계획을 묻거나 사례의 진행 단계를 확인하세요.")]
    try:
        send_mail(subject, "\n".join(lines), None, to)
    except Exception as error:  # the rows roll back: the next run tries again
        raise SendFailed(
            _("방문 없는 지도 중 사례 알림을 보내지 못했습니다 (%(error)s).") % {"error": error}
        ) from error
