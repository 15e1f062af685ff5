"""`manage.py purge_personal_data [--dry-run]`: erase personal data whose purpose has ended (개인정보 파기).

Run it daily (SECURITY.md, "Personal data"). What it erases is the inventory's `ERASED_ON_PURGE`:

(a) declined applications, DECLINED_APPLICATION_GRACE_DAYS after the decision;
(b) accepted applications whose firm's personal data is erased (in this run or an earlier one);
(c) firms whose last activity is older than PERSONAL_DATA_RETENTION_DAYS and that have no open case: their
    private fields, the same fields in their change history, their cases' `request_text` (and its history) and
    the comments of their cases' follow-ups;
(d) engineers who left the program (status `left`) whose last activity is older than the retention period: their
    private fields and the same fields in their change history.

Last activity: the newest of the `updated_at` and `stage_changed_at` of their cases, the `updated_at` of the visits
(to the firm's cases, or by the engineer), a follow-up's answer (firms) and the record's own last change in its
history (its creation when it was never changed). A record with none of these (loaded raw, without history) is
never erased automatically.

Access-log rows older than ACCESS_LOG_RETENTION_DAYS are deleted, and each erasure is logged (action `purge`, by
"(system)"). One transaction, bulk updates only: no history entries, no signals, no `updated_at` moves, so cases,
public names, products, visits and everything else stay exactly as they were. A second run erases nothing new.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand
from django.db import models, transaction
from django.db.models import Exists, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from applications.models import Application
from cases.models import OPEN_STAGES, Case, Firm, FollowUp, Mentor, Visit
from privacy.inventory import DECLINED_APPLICATION_GRACE_DAYS, PERSONAL_DATA_RETENTION_DAYS, erased_fields
from privacy.models import ACCESS_LOG_RETENTION_DAYS, PersonalDataAccess

SYSTEM_USERNAME = "(system)"
BATCH = 500  # ids per UPDATE, well under every database's parameter limit
SHOWN = 50  # identifiers listed per kind at verbosity 1 (all of them at 2)


def blank_value(field):
    """What an erased field holds afterwards: NULL where allowed, else empty text, else 0.

    0 is for `Application.employees` (NOT NULL): the form accepts 1 to 1,000,000, so 0 can never be mistaken for
    a firm's answer, and `personal_data_purged_at` says why it is there.
    """
    if field.null:
        return None
    if isinstance(field, models.CharField | models.TextField):
        return ""
    if isinstance(field, models.IntegerField):
        return 0
    raise ImproperlyConfigured(f"purge_personal_data cannot erase {field!r}")


def erased_values(model):
    return {name: blank_value(model._meta.get_field(name)) for name in erased_fields(model)}


def holds_personal_data(model):
    """Q over `model` or its history model: a row where some erased field is not blank yet."""
    condition = Q()
    for name, blank in erased_values(model).items():
        condition |= ~Q(**{name: blank})
    return condition


def newest(*makers):
    """The newest of several timestamps (each made by a function), ignoring NULLs on every database.

    Greatest() is NULL on SQLite as soon as one value is: each value is coalesced with the others first.
    """
    return Greatest(*(Coalesce(make(), *(other() for other in makers if other is not make)) for make in makers))


def latest(queryset, owner, expression):
    """Subquery: the newest `expression` over the rows of `queryset` whose `owner` is the outer row."""
    rows = queryset.filter(**{owner: OuterRef("pk")}).order_by().values(owner)
    return Subquery(rows.annotate(latest=Max(expression)).values("latest")[:1])


def firm_activity():
    return newest(
        lambda: latest(Case.objects.all(), "firm", Greatest("updated_at", "stage_changed_at")),
        lambda: latest(Visit.objects.all(), "case__firm", "updated_at"),
        lambda: latest(FollowUp.objects.all(), "case__firm", "answered_at"),
        lambda: latest(Firm.history.model.objects.all(), "id", "history_date"),
    )


def mentor_activity():
    return newest(
        lambda: latest(Case.objects.all(), "mentor", Greatest("updated_at", "stage_changed_at")),
        lambda: latest(Visit.objects.all(), "mentor", "updated_at"),
        lambda: latest(Mentor.history.model.objects.all(), "id", "history_date"),
    )


def chunks(items):
    size = BATCH
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class Plan:
    """What one run erases: (pk, identifier) pairs per kind, identifiers being codes and reference numbers."""

    now: object
    retention_cutoff: object
    declined: list
    accepted: list
    firms: list
    cases: list
    followups: list
    mentors: list
    firm_history_rows: int
    case_history_rows: int
    mentor_history_rows: int
    old_access_rows: int

    @classmethod
    def build(cls, now):
        retention_cutoff = now - timedelta(days=PERSONAL_DATA_RETENTION_DAYS)
        decline_cutoff = now - timedelta(days=DECLINED_APPLICATION_GRACE_DAYS)
        firm_history, case_history, mentor_history = Firm.history.model, Case.history.model, Mentor.history.model

        declined = (
            Application.objects.filter(state=Application.State.DECLINED, personal_data_purged_at__isnull=True)
            .annotate(decided=Coalesce("decided_at", "submitted_at"))
            .filter(decided__lt=decline_cutoff)
            .order_by("decided", "pk")
        )
        unpurged_accepted = Application.objects.filter(
            state=Application.State.ACCEPTED, personal_data_purged_at__isnull=True
        )
        firms = (
            Firm.objects.annotate(last_activity=firm_activity())
            .filter(last_activity__lt=retention_cutoff)
            .exclude(Exists(Case.objects.filter(firm=OuterRef("pk"), stage__in=OPEN_STAGES)))
            .filter(
                holds_personal_data(Firm)
                | Exists(firm_history.objects.filter(holds_personal_data(Firm), id=OuterRef("pk")))
                | Exists(Case.objects.filter(holds_personal_data(Case), firm=OuterRef("pk")))
                | Exists(case_history.objects.filter(holds_personal_data(Case), firm=OuterRef("pk")))
                | Exists(FollowUp.objects.filter(holds_personal_data(FollowUp), case__firm=OuterRef("pk")))
                | Exists(unpurged_accepted.filter(firm=OuterRef("pk")))
            )
            .order_by("code")
        )
        firm_rows = list(firms.values_list("pk", "code"))
        firm_ids = [pk for pk, _code in firm_rows]
        cases = Case.objects.filter(
            holds_personal_data(Case)
            | Exists(case_history.objects.filter(holds_personal_data(Case), id=OuterRef("pk")))
        )
        case_rows = sorted(_rows(cases, "firm", firm_ids, "code"), key=lambda row: row[1])
        mentors = (
            Mentor.objects.filter(status=Mentor.Status.LEFT)
            .annotate(last_activity=mentor_activity())
            .filter(last_activity__lt=retention_cutoff)
            .exclude(Exists(Case.objects.filter(mentor=OuterRef("pk"), stage__in=OPEN_STAGES)))
            .filter(
                holds_personal_data(Mentor)
                | Exists(mentor_history.objects.filter(holds_personal_data(Mentor), id=OuterRef("pk")))
            )
            .order_by("code")
        )
        mentor_rows = list(mentors.values_list("pk", "code"))
        mentor_ids = [pk for pk, _code in mentor_rows]
        case_ids = [pk for pk, _code in case_rows]
        return cls(
            now=now,
            retention_cutoff=retention_cutoff,
            declined=list(declined.values_list("pk", "reference")),
            accepted=sorted(_rows(unpurged_accepted, "firm", firm_ids, "reference")),
            firms=firm_rows,
            cases=case_rows,
            followups=_rows(
                FollowUp.objects.filter(holds_personal_data(FollowUp)), "case__firm", firm_ids, "case__code"
            ),
            mentors=mentor_rows,
            firm_history_rows=_count(firm_history, "id", firm_ids, holds_personal_data(Firm)),
            case_history_rows=_count(case_history, "id", case_ids, holds_personal_data(Case)),
            mentor_history_rows=_count(mentor_history, "id", mentor_ids, holds_personal_data(Mentor)),
            old_access_rows=PersonalDataAccess.objects.filter(at__lt=access_log_cutoff(now)).count(),
        )

    @property
    def erasures(self):
        rows = (self.declined, self.accepted, self.firms, self.cases, self.followups, self.mentors)
        return sum(len(kind) for kind in rows)

    def execute(self):
        """Erase everything planned, in bulk, and log each erasure (call inside a transaction)."""
        now = self.now
        applications = [pk for pk, _ref in self.declined + self.accepted]
        _erase(Application, applications, personal_data_purged_at=now)
        _erase(Firm, [pk for pk, _code in self.firms], personal_data_purged_at=now)
        _erase(Case, [pk for pk, _code in self.cases])
        _erase(FollowUp, [pk for pk, _code in self.followups])
        _erase(Mentor, [pk for pk, _code in self.mentors], personal_data_purged_at=now)
        PersonalDataAccess.objects.filter(at__lt=access_log_cutoff(now)).delete()
        log = [
            PersonalDataAccess(
                user=None,
                username=SYSTEM_USERNAME,
                at=now,
                action=PersonalDataAccess.Action.PURGE,
                model=model._meta.label_lower,
                object_id=str(pk),
                object_label=str(identifier)[:200],
            )
            for model, rows in (
                (Application, self.declined + self.accepted),
                (Firm, self.firms),
                (Case, self.cases),
                (FollowUp, self.followups),
                (Mentor, self.mentors),
            )
            for pk, identifier in rows
        ]
        PersonalDataAccess.objects.bulk_create(log, batch_size=BATCH)


def access_log_cutoff(now):
    return now - timedelta(days=ACCESS_LOG_RETENTION_DAYS)


def _rows(queryset, key, ids, label):
    """(pk, label) of the rows of `queryset` whose `key` is one of `ids`, asked in batches."""
    return [row for chunk in chunks(ids) for row in queryset.filter(**{f"{key}__in": chunk}).values_list("pk", label)]


def _count(history_model, key, ids, condition):
    return sum(history_model.objects.filter(condition, **{f"{key}__in": chunk}).count() for chunk in chunks(ids))


def _erase(model, ids, **extra):
    """Blank the erased fields of these rows and of their change history (if the model keeps one)."""
    values = erased_values(model)
    history = getattr(model, "history", None)
    for chunk in chunks(ids):
        model.objects.filter(pk__in=chunk).update(**values, **extra)
        if history is not None:
            history.model.objects.filter(holds_personal_data(model), id__in=chunk).update(**values)


class Command(BaseCommand):
    help = (
        "보유 기간이 지났거나 목적을 다한 개인정보를 파기합니다: 반려된 신청, 보유 기간이 지나고 진행 중인 사례가 "
        "없는 기업(과 그 수락된 신청·사례의 신청 내용), 사업을 떠나 보유 기간이 지난 퇴직기술자. 변경 이력에서도 "
        "지우고, 보존 기간이 지난 개인정보 접근 기록을 삭제합니다. 매일 실행하세요."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="무엇을 파기할지 건수와 코드·접수번호만 보여 주고 아무것도 바꾸지 않습니다.",
        )

    def handle(self, *args, dry_run=False, verbosity=1, **options):
        with transaction.atomic():
            plan = Plan.build(timezone.now())
            if not dry_run:
                plan.execute()
        self.report(plan, dry_run, verbosity)

    def report(self, plan, dry_run, verbosity):
        if verbosity < 1:
            return
        cutoff = timezone.localtime(plan.retention_cutoff).date()
        self.stdout.write(
            self.style.MIGRATE_HEADING(
                f"개인정보 파기{' (시험 실행: 아무것도 바꾸지 않습니다)' if dry_run else ''} — "
                f"보유 기간 {PERSONAL_DATA_RETENTION_DAYS}일, 마지막 활동이 {cutoff:%Y-%m-%d} 이전인 기록"
            )
        )
        lines = [
            (f"반려 후 {DECLINED_APPLICATION_GRACE_DAYS}일이 지난 신청", plan.declined, None),
            ("기업이 파기된 수락 신청", plan.accepted, None),
            ("진행 중인 사례가 없는 기업", plan.firms, plan.firm_history_rows),
            ("그 기업 사례의 신청 내용", plan.cases, plan.case_history_rows),
            ("그 기업 사후 조사의 의견", plan.followups, None),
            ("사업을 떠난 퇴직기술자", plan.mentors, plan.mentor_history_rows),
        ]
        for label, rows, history_rows in lines:
            history = f", 변경 이력 {history_rows}건" if history_rows else ""
            self.stdout.write(f"  {label}: {len(rows)}건{history}")
            if rows and (dry_run or verbosity >= 2):
                shown = rows if verbosity >= 2 else rows[:SHOWN]
                more = f" 외 {len(rows) - len(shown)}건" if len(rows) > len(shown) else ""
                self.stdout.write(f"    {', '.join(str(identifier) for _pk, identifier in shown)}{more}")
        self.stdout.write(
            f"  보존 기간({ACCESS_LOG_RETENTION_DAYS}일)이 지난 개인정보 접근 기록: {plan.old_access_rows}건"
        )
        if dry_run:
            self.stdout.write(
                self.style.WARNING(f"시험 실행: {plan.erasures}건을 파기할 수 있습니다. 바꾼 것은 없습니다.")
            )
        elif plan.erasures or plan.old_access_rows:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{plan.erasures}건의 개인정보를 파기하고 접근 기록 {plan.old_access_rows}건을 삭제했습니다."
                )
            )
        else:
            self.stdout.write(self.style.SUCCESS("파기할 개인정보가 없습니다."))
