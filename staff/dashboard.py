"""The staff dashboard (현황판), the admin's home page: what needs attention today.

`build_dashboard(user)` computes everything the page shows with one query per table, whatever the data size:
cases (counts by stage and the three "needs attention" counts, in one pass), visits this month, the waiting
applications (the oldest few and their total) and the active engineers' loads. Sections the user has no
permission to see are left out, and their queries are not run. Every figure carries the URL of the admin list
it counts (None while that model has no admin).
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Count, Q, Sum, Value, Window
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application
from cases.admin.lifecycle import IDLE_GUIDANCE_DAYS, MATCHING_TOO_LONG_DAYS
from cases.models import PUBLISHABLE_STAGES, Case, FollowUp, Mentor, Stage, Visit

OLDEST_APPLICATIONS = 5
BUSIEST_ENGINEERS = 10


@dataclass(frozen=True)
class Figure:
    label: str
    count: int
    url: str | None = None


@dataclass(frozen=True)
class WaitingApplication:
    reference: str
    submitted_at: datetime
    days: int
    url: str | None


@dataclass(frozen=True)
class EngineerLoad:
    name: str
    load: int
    capacity: int | None
    pk: int

    @property
    def url(self):
        # Only the busiest few are shown: reversing a URL for every active engineer cost more than their query.
        return _admin_url("cases_mentor_change", self.pk)

    @property
    def is_full(self):
        return self.capacity is not None and self.load >= self.capacity


@dataclass(frozen=True)
class MonthOfVisits:
    month: date
    visits: int
    days: int
    hours: Decimal
    url: str | None


@dataclass
class Dashboard:
    today: date
    stages: list = field(default_factory=list)  # a Figure per stage, in the lifecycle's order
    total_cases: int = 0
    attention: list = field(default_factory=list)  # Figures: matching too long, no recent visit, ready to publish
    visits: MonthOfVisits | None = None
    reports_awaiting: Figure | None = None  # engineers' visit reports staff have not confirmed or returned
    followups_overdue: Figure | None = None  # follow-ups past their due date, not answered or closed
    applications: Figure | None = None  # the waiting ones (None: not this user's business)
    oldest_applications: list = field(default_factory=list)
    engineers: list = field(default_factory=list)  # the busiest active engineers
    engineers_active: Figure | None = None
    engineers_busy: int = 0
    engineers_full: int = 0

    @property
    def shows_cases(self):
        return bool(self.stages)

    @property
    def follow_through(self):
        """The after-guidance figures this user may see: reports to review, follow-ups past their date."""
        return [figure for figure in (self.reports_awaiting, self.followups_overdue) if figure is not None]


def build_dashboard(user, *, now=None):
    """Everything the dashboard shows for `user`, in at most five queries (one per section the user may see)."""
    now = now or timezone.now()
    dashboard = Dashboard(today=timezone.localdate(now))
    if _may_view(user, "cases", "case"):
        _add_cases(dashboard, now)
    if _may_view(user, "cases", "visit"):
        _add_visits(dashboard)
    if _may_view(user, "cases", "followup"):
        _add_followups(dashboard)
    if _may_view(user, "applications", "application"):
        _add_applications(dashboard)
    if _may_view(user, "cases", "mentor"):
        _add_engineers(dashboard)
    return dashboard


def needs_attention(now):
    """{name: Q}: what the case list's `attention` filter (cases/admin/lifecycle.py) and the drafts count show."""
    since = timezone.localdate(now) - timedelta(days=IDLE_GUIDANCE_DAYS)
    return {
        "matching_long": Case.matching_since_before(now - timedelta(days=MATCHING_TOO_LONG_DAYS)),
        "no_recent_visit": Case.unvisited_since(since),
        "ready_to_publish": Q(stage__in=PUBLISHABLE_STAGES, status=Case.Status.DRAFT),
    }


def _add_cases(dashboard, now):
    # One query, but not one pass over every case: the counts by stage from the stage index, and each attention
    # count from its own few rows, as the parts of a UNION ALL (a pass over 100,000 wide rows took ~200 ms).
    by_stage = Case.objects.order_by().values_list("stage").annotate(n=Count("stage"))  # the stage index alone
    attention = [
        Case.objects.filter(condition)
        .order_by()
        .annotate(key=Value(name))
        .values_list("key")
        .annotate(n=Count("stage"))
        for name, condition in needs_attention(now).items()
    ]
    counts = dict.fromkeys([*(f"stage_{stage}" for stage in Stage.values), *needs_attention(now)], 0)
    for key, n in by_stage.union(*attention, all=True):
        counts[f"stage_{key}" if key in Stage.values else key] = n
    cases_url = _admin_url("cases_case_changelist")
    dashboard.stages = [
        Figure(stage.label, counts[f"stage_{stage.value}"], _with_query(cases_url, stage=stage.value))
        for stage in Stage
    ]
    dashboard.total_cases = sum(figure.count for figure in dashboard.stages)
    dashboard.attention = [
        Figure(
            _("%(days)s일 넘게 매칭 중") % {"days": MATCHING_TOO_LONG_DAYS},
            counts["matching_long"],
            _with_query(cases_url, attention="matching_long"),
        ),
        Figure(
            _("%(days)s일 동안 방문이 없는 지도 중 사례") % {"days": IDLE_GUIDANCE_DAYS},
            counts["no_recent_visit"],
            _with_query(cases_url, attention="no_recent_visit"),
        ),
        Figure(
            _("공개를 기다리는 지도 완료 사례"),
            counts["ready_to_publish"],
            _with_query(cases_url, stage__in=",".join(PUBLISHABLE_STAGES), status__exact=Case.Status.DRAFT.value),
        ),
    ]


def _add_visits(dashboard):
    first = dashboard.today.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    # This month's visits on record, and the engineers' reports awaiting review, in one query.
    this_month = Q(started_on__gte=first, started_on__lt=following, report_state=Visit.ReportState.CONFIRMED)
    # Only the rows counted are read (the started_on and report_state indexes), not every visit of the program.
    awaiting = Q(report_state=Visit.ReportState.SUBMITTED)
    totals = Visit.objects.filter(this_month | awaiting).aggregate(
        visits=Count("pk", filter=this_month),
        days=Sum("days", filter=this_month),
        hours=Sum("hours", filter=this_month),
        awaiting=Count("pk", filter=awaiting),
    )
    totals = {**totals, "days": totals["days"] or 0, "hours": totals["hours"] or 0}
    visit_list = _admin_url("cases_visit_changelist")
    dashboard.reports_awaiting = Figure(
        _("확인을 기다리는 방문 보고"),
        totals["awaiting"],
        _with_query(visit_list, report_state__exact=Visit.ReportState.SUBMITTED.value),
    )
    dashboard.visits = MonthOfVisits(
        month=first,
        visits=totals["visits"],
        days=totals["days"],
        hours=totals["hours"],
        # The visit list's date hierarchy (started_on) reads a year and a month.
        url=_with_query(visit_list, started_on__year=first.year, started_on__month=first.month),
    )


def _add_followups(dashboard):
    overdue = FollowUp.objects.open().filter(due_on__lt=dashboard.today).count()
    dashboard.followups_overdue = Figure(
        _("예정일이 지난 사후 성과 조사"), overdue, _with_query(_admin_url("cases_followup_changelist"), overdue="yes")
    )


def _add_applications(dashboard):
    # The oldest few and, on every row, how many wait in all: one query (the window counts before the limit).
    rows = list(
        Application.objects.waiting()
        .annotate(waiting=Window(Count("pk")))
        .values("pk", "reference", "submitted_at", "waiting")[:OLDEST_APPLICATIONS]
    )
    dashboard.applications = Figure(
        _("검토를 기다리는 신청"),
        rows[0]["waiting"] if rows else 0,
        _with_query(_admin_url("applications_application_changelist"), state__exact=Application.State.NEW.value),
    )
    dashboard.oldest_applications = [
        WaitingApplication(
            reference=row["reference"],
            submitted_at=row["submitted_at"],
            days=(dashboard.today - timezone.localdate(row["submitted_at"])).days,
            url=_admin_url("applications_application_change", row["pk"]),
        )
        for row in rows
    ]


def _add_engineers(dashboard):
    # One row per active engineer (a registry of hundreds, not the cases): the counts need them all.
    rows = Mentor.objects.active().with_load().values_list("pk", "name", "capacity", "load").order_by("-load", "code")
    loads = [EngineerLoad(name, load, capacity, pk) for pk, name, capacity, load in rows]
    dashboard.engineers = [engineer for engineer in loads if engineer.load][:BUSIEST_ENGINEERS]
    dashboard.engineers_active = Figure(
        _("활동 중인 퇴직기술자"),
        len(loads),
        _with_query(_admin_url("cases_mentor_changelist"), status__exact=Mentor.Status.ACTIVE.value),
    )
    dashboard.engineers_busy = sum(1 for engineer in loads if engineer.load)
    dashboard.engineers_full = sum(1 for engineer in loads if engineer.is_full)


def _may_view(user, app_label, model_name):
    return user.has_perm(f"{app_label}.view_{model_name}") or user.has_perm(f"{app_label}.change_{model_name}")


def _admin_url(name, *args):
    try:
        return reverse(f"admin:{name}", args=args)
    except NoReverseMatch:
        return None  # that model has no admin: the figure is shown without a link


def _with_query(url, **params):
    return f"{url}?{urlencode(params)}" if url else None
