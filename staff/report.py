"""The staff's yearly report (연간 보고서, /admin/report/?year=YYYY): what the program received, did, spent and
measured in one calendar year.

`build_report(year)` returns Sections of plain numbers (rounded once, here), which both the page and the XLSX
download render, so the two always agree. The cost is fixed whatever the data size: one query per section
(applications, cases, visits, follow-ups, costs), the years that have data, the vocabulary, and the measured
outcomes (cases/measured.py). Staff see every outcome figure, also from fewer than five firms: such rows carry
their number of firms and a mark, because the public page leaves them out.
"""

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime
from io import BytesIO

from django.db.models import Count, Exists, Min, Q, Subquery, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application
from cases.facets import LOCAL_ALIAS, Vocabulary, kept
from cases.measured import MIN_FIRMS, measure
from cases.models import FIRST_PROGRAM_YEAR, LAST_PLAUSIBLE_YEAR, CostLine, FollowUp, MetricKind, StageChange, Visit

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Section:
    key: str
    title: str
    headers: list
    rows: list  # lists of cells: str, int, float or None (no value)
    note: str = ""

    def display_rows(self):
        """The rows as the page shows them: thousands separated, one decimal, "—" for no value."""
        return [[display(cell) for cell in row] for row in self.rows]


def display(cell):
    if cell is None:
        return "—"
    if isinstance(cell, bool) or not isinstance(cell, int | float):
        return str(cell)
    return f"{cell:,}" if isinstance(cell, int) else f"{cell:,.1f}"


@dataclass
class Report:
    year: int
    years: list  # the years that have data, newest first (always with this year and the chosen one)
    sections: list = field(default_factory=list)

    def section(self, key):
        return next(section for section in self.sections if section.key == key)


class BadYear(ValueError):
    pass


def parse_year(value, today=None):
    """The chosen year (this year when none is given); BadYear with a Korean message for anything else."""
    if value in (None, ""):
        return (today or timezone.localdate()).year
    try:
        year = int(value)
    except (TypeError, ValueError):
        year = None
    if year is None or not FIRST_PROGRAM_YEAR <= year <= LAST_PLAUSIBLE_YEAR:
        raise BadYear(
            _("연도는 %(first)s부터 %(last)s 사이의 숫자로 적어 주세요.")
            % {"first": FIRST_PROGRAM_YEAR, "last": LAST_PLAUSIBLE_YEAR}
        )
    return year


def year_bounds(year):
    """[1 January, next 1 January) of `year` in the site's time zone."""
    return (timezone.make_aware(datetime(year, 1, 1)), timezone.make_aware(datetime(year + 1, 1, 1)))


def one_decimal(value):
    return None if value is None else round(float(value), 1)


def share(part, whole):
    return one_decimal(part * 100 / whole) if whole else None


def _dated_sources():
    """What the report counts by year: (rows, their date field, whether it is a datetime)."""
    return [
        (Application.objects.all(), "submitted_at", True),
        (StageChange.objects.all(), "at", True),
        (Visit.objects.all(), "started_on", False),
        (CostLine.objects.all(), "spent_on", False),
        (FollowUp.objects.filter(answered_at__isnull=False), "answered_at", True),
    ]


def _in_year(name, is_datetime, year):
    start, end = year_bounds(year) if is_datetime else (date(year, 1, 1), date(year + 1, 1, 1))
    return {f"{name}__gte": start, f"{name}__lt": end}


def years_with_data():
    """Every year with an application, a stage change, a visit, a cost or an answer, in two small queries
    rather than the year of every row of five large tables (~2.5 s at 100,000 cases): each table's first and
    last date (from its date index), then, for the years between, whether it has a row in each (one index probe
    per table and year)."""
    sources = [(rows.order_by(), name, is_datetime) for rows, name, is_datetime in _dated_sources()]
    bounds = {}
    for n, (rows, name, _is_datetime) in enumerate(sources):
        bounds[f"first{n}"] = Subquery(rows.order_by(name).values(name)[:1])
        bounds[f"last{n}"] = Subquery(rows.order_by(f"-{name}").values(name)[:1])
    found = list(MetricKind.objects.order_by().annotate(**bounds).values(*bounds)[:1])  # any one row will do
    if not found:
        return _years_read_from_every_row()
    years, probes = set(), {}
    for n, (rows, name, is_datetime) in enumerate(sources):
        first, last = found[0][f"first{n}"], found[0][f"last{n}"]
        if first is None:
            continue
        if is_datetime:
            first, last = timezone.localtime(first), timezone.localtime(last)
        years |= {first.year, last.year}
        for year in range(first.year + 1, last.year):
            probes[f"s{n}_{year}"] = Exists(rows.filter(**_in_year(name, is_datetime, year)))
    # Run even with nothing to probe, so the page costs the same whatever the data.
    found = MetricKind.objects.order_by().annotate(**probes).values("pk", *probes)[:1]
    years |= {int(key.rsplit("_", 1)[1]) for key, exists in found[0].items() if key != "pk" and exists}
    return years


def _years_read_from_every_row():
    union = (
        Application.objects.order_by()
        .annotate(y=ExtractYear("submitted_at"))
        .values_list("y")
        .union(
            StageChange.objects.order_by().annotate(y=ExtractYear("at")).values_list("y"),
            Visit.objects.order_by().annotate(y=ExtractYear("started_on")).values_list("y"),
            CostLine.objects.order_by().annotate(y=ExtractYear("spent_on")).values_list("y"),
            FollowUp.objects.order_by()
            .filter(answered_at__isnull=False)
            .annotate(y=ExtractYear("answered_at"))
            .values_list("y"),
        )
    )
    return {year for (year,) in union if year is not None}


# --- the sections --------------------------------------------------------------------------------------------


def applications_section(start, end):
    counts = Application.objects.aggregate(
        received=Count("pk", filter=Q(submitted_at__gte=start, submitted_at__lt=end)),
        accepted=Count("pk", filter=Q(state=Application.State.ACCEPTED, decided_at__gte=start, decided_at__lt=end)),
        declined=Count("pk", filter=Q(state=Application.State.DECLINED, decided_at__gte=start, decided_at__lt=end)),
    )
    rows = [
        [_("접수 (그해 신청)"), counts["received"]],
        [_("수락 (그해 결정)"), counts["accepted"]],
        [_("반려 (그해 결정)"), counts["declined"]],
    ]
    return Section("applications", _("신청"), [_("항목"), _("건수")], rows)


def cases_section(start, end):
    """Cases whose first engineer came in the year (with, for those that came through /apply/, the days from the
    application), and cases completed in the year: two queries."""
    assignments = StageChange.objects.filter(transition="assign_mentor")
    # Only cases assigned in the year can have their first assignment in it: group those, not every case.
    in_year = assignments.filter(at__gte=start, at__lt=end).order_by().values("case")
    first_assignments = (
        assignments.filter(case__in=in_year)
        .order_by()
        .values("case", "case__application__submitted_at")
        .annotate(first=Min("at"))
        .filter(first__gte=start, first__lt=end)
        .values_list("case__application__submitted_at", "first")
    )
    completed = StageChange.objects.filter(transition="complete", at__gte=start, at__lt=end)
    completed_count = completed.order_by().values("case").distinct().count()
    rows = list(first_assignments)
    waits = [(first - submitted).total_seconds() / 86400 for submitted, first in rows if submitted is not None]
    median_days = one_decimal(statistics.median(waits)) if waits else None
    return Section(
        "cases",
        _("사례"),
        [_("항목"), _("값")],
        [
            [_("지도 시작 (첫 퇴직기술자 배정)"), len(rows)],
            [_("지도 완료"), completed_count],
            [_("신청부터 배정까지 걸린 날 (중앙값, 일)"), median_days],
            [_("배정까지 걸린 날을 잰 신청 수"), len(waits)],
        ],
    )


def visits_section(year):
    totals = Visit.objects.filter(started_on__year=year).totals()  # confirmed visits only
    rows = [
        [_("방문 (확인된 것)"), totals["visits"]],
        [_("방문 일수"), totals["days"]],
        [_("지도 시간"), one_decimal(totals["hours"])],
    ]
    return Section("visits", _("지도 방문"), [_("항목"), _("값")], rows)


def followups_section(year, today):
    """Of the follow-ups due in the year, the answered ones against those that are settled (answered, closed) or
    past due."""
    due = FollowUp.objects.filter(due_on__year=year)
    counts = due.aggregate(
        due=Count("pk"),
        answered=Count("pk", filter=Q(state=FollowUp.State.ANSWERED)),
        closed=Count("pk", filter=Q(state=FollowUp.State.CLOSED)),
        overdue=Count("pk", filter=Q(state__in=FollowUp.OPEN_STATES, due_on__lt=today)),
    )
    settled = counts["answered"] + counts["closed"] + counts["overdue"]
    rows = [
        [_("그해 예정된 조사"), counts["due"]],
        [_("응답"), counts["answered"]],
        [_("무응답 종료"), counts["closed"]],
        [_("기한이 지났는데 응답 없음"), counts["overdue"]],
        [_("응답률 (%)"), share(counts["answered"], settled)],
    ]
    note = _("응답률 = 응답 ÷ (응답 + 무응답 종료 + 기한이 지난 조사). 아직 기한이 남은 조사는 빼고 셉니다.")
    return Section("followups", _("사후 조사 응답률"), [_("항목"), _("값")], rows, note)


def costs_section(year):
    by_kind = {
        row["kind"]: row
        for row in CostLine.objects.filter(spent_on__year=year)
        .order_by()
        .values("kind")
        .annotate(amount=Sum("amount"), subsidy=Sum("subsidy"))
    }
    rows = []
    for kind in CostLine.Kind:
        row = by_kind.get(kind.value, {"amount": 0, "subsidy": 0})
        rows.append([str(kind.label), row["amount"], row["subsidy"], row["amount"] - row["subsidy"]])
    amount, subsidy = sum(row[1] for row in rows), sum(row[2] for row in rows)
    rows.append([_("합계"), amount, subsidy, amount - subsidy])
    headers = [_("비용 구분"), _("금액 (원)"), _("지원금 (원)"), _("기업 부담금 (원)")]
    return Section("costs", _("비용"), headers, rows, _("그해에 발생한 비용 줄의 합계입니다."))


def small_mark(figure):
    return _("예") if figure.small else ""


def outcome_sections(start, end, vocabulary):
    labels = {
        "pattern": [(pattern.id, pattern.name) for pattern in vocabulary.pattern],
        "area": [(area.id, area.name) for area in vocabulary.area],
    }
    followups = FollowUp.objects.filter(answered_at__gte=start, answered_at__lt=end)
    # Nine aggregates over the year's answers (seconds at 100,000 cases): kept per data version like the public
    # statistics, whose triggers cover everything they read (follow-ups, answers, cases, vocabularies).
    # Staff-only figures (also from fewer than five firms): kept in the worker's memory, never in the public cache.
    outcomes = kept(
        "report-outcomes",
        start.isoformat(),
        vocabulary.token,
        lambda: measure(followups, labels, hide_below=0),
        alias=LOCAL_ALIAS,
    )
    note = _("그해에 응답한 사후 조사입니다. 응답 기업이 %(firms)s곳 미만인 수치는 공개 통계에 나오지 않습니다.") % {
        "firms": MIN_FIRMS
    }
    small = _("%(firms)s곳 미만") % {"firms": MIN_FIRMS}
    metrics, scores, adoption = [], [], []
    for _name, title, rows in outcomes.tables:
        for row in rows:
            label = str(row.label) if _name == "total" else f"{title}: {row.label}"
            for m in row.metrics:
                metrics.append(
                    [
                        label,
                        m.kind.name,
                        m.answers,
                        m.firms,
                        one_decimal(m.median_change),
                        m.kind.unit,
                        one_decimal(m.median_percent),
                        small_mark(m),
                    ]
                )
            if row.scores and row.scores.answers:
                s = row.scores
                scores.append(
                    [
                        label,
                        s.answers,
                        s.firms,
                        one_decimal(s.satisfaction),
                        one_decimal(s.recommend),
                        one_decimal(s.promoters_percent),
                        one_decimal(s.attribution),
                        small_mark(s),
                    ]
                )
            if row.adoption and row.adoption.answers:
                a = row.adoption
                adoption.append(
                    [
                        label,
                        a.answers,
                        a.firms,
                        one_decimal(a.yes_percent),
                        one_decimal(a.partly_percent),
                        one_decimal(a.adopted_percent),
                        small_mark(a),
                    ]
                )
    return [
        Section(
            "metrics",
            _("측정 성과: 지표"),
            [
                _("구분"),
                _("지표"),
                _("응답 수"),
                _("응답 기업 수"),
                _("변화 (중앙값)"),
                _("단위"),
                _("변화율 (중앙값, %)"),
                small,
            ],
            metrics,
            note,
        ),
        Section(
            "scores",
            _("측정 성과: 만족도"),
            [
                _("구분"),
                _("응답 수"),
                _("응답 기업 수"),
                _("만족도 평균 (5점)"),
                _("추천 의향 평균 (10점)"),
                _("적극 추천 (9–10점, %)"),
                _("기술지도 기여도 평균 (%)"),
                small,
            ],
            scores,
            note,
        ),
        Section(
            "adoption",
            _("측정 성과: 현장 도입"),
            [
                _("구분"),
                _("응답 수"),
                _("응답 기업 수"),
                _("도입함 (%)"),
                _("일부 도입 (%)"),
                _("도입 비율, 일부 포함 (%)"),
                small,
            ],
            adoption,
            _("응답 수는 지도 분야마다 하나씩 셉니다.") + " " + note,
        ),
    ]


def build_report(year, today=None):
    today = today or timezone.localdate()
    start, end = year_bounds(year)
    years = sorted(years_with_data() | {today.year, year}, reverse=True)
    sections = [
        applications_section(start, end),
        cases_section(start, end),
        visits_section(year),
        followups_section(year, today),
        costs_section(year),
        *outcome_sections(start, end, Vocabulary.load()),
    ]
    return Report(year=year, years=years, sections=sections)


def xlsx_bytes(report):
    """The report as a workbook: one sheet per section, Korean headers in bold, the same numbers as the page."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from cases.exports import defuse  # staff-written names: no formula runs when the workbook opens

    workbook = Workbook()
    workbook.remove(workbook.active)
    for section in report.sections:
        sheet = workbook.create_sheet(title=str(section.title).replace(":", "")[:31])
        sheet.append([str(header) for header in section.headers])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in section.rows:
            sheet.append([cell if cell is None or isinstance(cell, int | float) else defuse(str(cell)) for cell in row])
        if section.note:
            sheet.append([])
            sheet.append([str(section.note)])
    output = BytesIO()
    workbook.save(output)
    return output.getvalue()
