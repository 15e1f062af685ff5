"""What came of a synthetic case and what it cost: the three follow-ups of a finished case (answered, closed
or still open, as the model's invariant wants it: a completed case whose follow-ups have all ended moved on to
성과 확인, as a real one does when its last survey is answered or closed), the cost ledger of a started case,
and the engineers' reports of a current guidance's recent visits (awaiting review, or returned with a reason).

Each case draws from a random stream of its own, seeded by its code, so the draws of the rest of the plan
(timeline.py) are exactly what they were before this part existed, and the same seed gives the same data.
"""

import random
from collections import defaultdict
from datetime import time, timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from ..models import (
    Adoption,
    CostLine,
    FollowUp,
    FollowUpAdoption,
    FollowUpMeasurement,
    Stage,
    StageChange,
    Visit,
    add_months,
)
from ..models import subsidy_at as subsidy_of
from .plan import aware

SUBSIDY_RATES = (50, 60)  # the program's share in public reports, percent
# A past-due follow-up of a completed case: answered, closed unanswered, or still waiting (weights).
PAST_DUE_FATES = {FollowUp.State.ANSWERED: 75, FollowUp.State.CLOSED: 10, FollowUp.State.SENT: 15}
FOLLOWED_UP_ANSWER_SHARE = 0.85  # of a followed-up case's follow-ups; the others were closed unanswered
ANSWER_DAYS = (0, 45)  # how long after its due date a firm answers
# Staff close a survey still unanswered this long after it fell due: a real program keeps no follow-up of an
# old case open for years (the dashboard's overdue list is the last season's, not the program's whole past).
CLOSE_UNANSWERED_DAYS = 90
SENT_SOON_DAYS = 30  # a follow-up due within this many days may already have its link
ADOPTION_WEIGHTS = {Adoption.YES: 55, Adoption.PARTLY: 30, Adoption.NO: 15}
SATISFACTION_WEIGHTS = (2, 5, 15, 40, 38)  # 1 … 5
COMMENT_SHARE = 0.25
COMMENTS = [
    "현장 작업자들이 바로 적용할 수 있는 내용이라 도움이 되었습니다.",
    "통역을 거치다 보니 설명 시간이 부족했습니다.",
    "지도 후에도 메일로 질문에 답해 주셔서 감사했습니다.",
    "설비 투자가 필요한 부분은 아직 적용하지 못했습니다.",
    "다음에는 품질 관리 분야도 지도받고 싶습니다.",
]
OTHER_COST_SHARE = 0.3  # of a case's yearly settlements
OTHER_COSTS = ["현지 교통비", "시험 분석 의뢰비", "자료 번역·인쇄비"]
REPORTED_DAYS = 90  # a current guidance's visits this recent may still be under review
RECENT_VISIT_REPORTS = {
    Visit.ReportState.CONFIRMED: 45,
    Visit.ReportState.SUBMITTED: 35,
    Visit.ReportState.RETURNED: 20,
}
RETURN_REASONS = [
    "방문 일자가 기업이 확인한 일정과 다릅니다. 확인 후 다시 보고해 주세요.",
    "지도 시간이 일지 내용보다 많게 적혀 있습니다. 실제 시간으로 고쳐 주세요.",
    "후속 조치 사항을 구체적으로 적어 주세요.",
]


def plan_aftercare(clock, plan, vocabulary):
    """Add to `plan` its follow-ups, its cost lines and its engineer's reports (sets the case's subsidy rate)."""
    rng = random.Random(f"aftercare:{plan.case.code}")
    if plan.case.stage == Stage.IN_GUIDANCE:
        _report_recent_visits(rng, clock, plan)
    if plan.visits:
        _plan_costs(rng, plan)
    if plan.case.stage in (Stage.COMPLETED, Stage.FOLLOWED_UP):
        _plan_followups(rng, clock, plan, vocabulary.metric_kinds)


def write_aftercare(plans):
    """Insert the batch's follow-ups (with their adoptions and measurements) and cost lines; the cases exist."""
    rows = [(plan.case.pk, *planned) for plan in plans for planned in plan.followups]
    for case_id, followup, _adoptions, _measurements in rows:
        followup.case_id = case_id
    followups = FollowUp.objects.bulk_create([followup for _case, followup, _a, _m in rows])
    FollowUpAdoption.objects.bulk_create(
        [
            FollowUpAdoption(followup_id=followup.pk, area_id=area.pk, adopted=adopted)
            for followup, (_case, _f, adoptions, _m) in zip(followups, rows, strict=True)
            for area, adopted in adoptions
        ]
    )
    FollowUpMeasurement.objects.bulk_create(
        [
            FollowUpMeasurement(followup_id=followup.pk, kind_id=kind.pk, baseline=baseline, current=current)
            for followup, (_case, _f, _a, measurements) in zip(followups, rows, strict=True)
            for kind, baseline, current in measurements
        ]
    )
    for plan in plans:
        for line in plan.costs:
            line.case_id = plan.case.pk
    CostLine.objects.bulk_create([line for plan in plans for line in plan.costs])


# --- the engineer's reports ---------------------------------------------------------------------------------


def _report_recent_visits(rng, clock, plan):
    """A current guidance's visits of the last REPORTED_DAYS, as their engineer reported them: on record,
    awaiting staff's review, or returned with a reason (older ones are on record)."""
    for visit, _topics in plan.visits:
        if (clock.today - visit.ended_on).days > REPORTED_DAYS:
            continue
        state = _weighted(rng, RECENT_VISIT_REPORTS)
        reviewed_at = _moment(rng, visit.ended_on + timedelta(days=rng.randint(1, 5)))
        if state == Visit.ReportState.RETURNED and reviewed_at > clock.now:
            state = Visit.ReportState.SUBMITTED  # staff have not got to it yet
        visit.report_state = state
        if state == Visit.ReportState.RETURNED:
            visit.returned_reason, visit.reviewed_at = rng.choice(RETURN_REASONS), reviewed_at


# --- the cost ledger ----------------------------------------------------------------------------------------


def _plan_costs(rng, plan):
    """The case's ledger, settled once per year of its guidance: per kind, one line with what that year's
    visits on record (or awaiting review) cost: the engineer's fee, and for stays on site the flights, the hotel
    and the interpreter where one came; now and then something else. Each subsidy at the case's rate.
    (A line per visit would be three times the rows, for no figure any report shows.)"""
    rate = Decimal(rng.randint(*SUBSIDY_RATES))
    plan.case.subsidy_rate = rate
    day_fee = rng.randint(30, 50) * 10_000  # won per day of guidance
    night = rng.randint(7, 16) * 10_000  # the hotel the engineer stays at
    interpreter_day = rng.randint(20, 35) * 10_000
    years = defaultdict(lambda: defaultdict(lambda: [0, 0, None]))  # year → kind → [amount, visits, last day]
    for visit, _topics in sorted(plan.visits, key=lambda pair: pair[0].started_on):
        if visit.report_state == Visit.ReportState.RETURNED:
            continue  # not on record: nothing is paid for it
        kinds = years[visit.started_on.year]
        if visit.mode == Visit.Mode.REMOTE:
            _add(kinds[CostLine.Kind.CONSULTING], _thousands(day_fee * visit.hours / 8), visit)
        else:
            _add(kinds[CostLine.Kind.CONSULTING], day_fee * visit.days, visit)
            _add(kinds[CostLine.Kind.AIRFARE], rng.randint(250, 750) * 1_000, visit)
            _add(kinds[CostLine.Kind.ACCOMMODATION], night * visit.days, visit)
        if visit.interpreter:
            _add(kinds[CostLine.Kind.INTERPRETATION], interpreter_day * visit.days, visit)
    plan.costs = [
        CostLine(kind=kind, spent_on=on, amount=amount, subsidy=subsidy_of(amount, rate), note=f"방문 {visits}회")
        for kinds in years.values()
        for kind, (amount, visits, on) in kinds.items()
    ]
    for on in [line.spent_on for line in plan.costs if line.kind == CostLine.Kind.CONSULTING]:
        if rng.random() < OTHER_COST_SHARE:
            amount = rng.randint(2, 30) * 10_000
            plan.costs.append(
                CostLine(
                    kind=CostLine.Kind.OTHER,
                    spent_on=on,
                    amount=amount,
                    subsidy=subsidy_of(amount, rate),
                    note=rng.choice(OTHER_COSTS),
                )
            )


def _add(line, amount, visit):
    line[0] += amount
    line[1] += 1
    line[2] = visit.started_on


def _thousands(amount):
    return round(amount / 1_000) * 1_000


# --- follow-ups ---------------------------------------------------------------------------------------------


def _plan_followups(rng, clock, plan, kinds):
    completed_at = _change_at(plan, "complete")
    followed_at = _change_at(plan, "mark_followed_up")
    completed_on = timezone.localdate(completed_at)
    offsets = zip(FollowUp.Kind.values, settings.FOLLOWUP_MONTHS, strict=True)
    followups = [FollowUp(kind=kind, due_on=add_months(completed_on, months)) for kind, months in offsets]
    if followed_at is None:
        moved_on = _completed_fates(rng, clock, completed_at, followups)
        if moved_on is not None:
            _move_on(plan, moved_on)
    else:
        _followed_up_fates(rng, completed_at, followed_at, followups)
    measured = _measured_kinds(rng, kinds)
    plan.followups = []
    for index, followup in enumerate(followups):
        adoptions, measurements = [], []
        if followup.state == FollowUp.State.ANSWERED:
            adoptions, measurements = _answer(rng, followup, plan.areas, measured, (index + 1) / len(followups))
        plan.followups.append((followup, adoptions, measurements))


def _completed_fates(rng, clock, completed_at, followups):
    """A completed case: past-due follow-ups mostly answered, some closed, some waiting (for a season at most,
    then staff close them); later ones due, or sent when due soon. Returns when the last one ended if none is
    left open (the case has then moved on to 성과 확인), else None."""
    for followup in followups:
        due_at = max(_moment(rng, followup.due_on), completed_at)
        if followup.due_on > clock.today:
            if (followup.due_on - clock.today).days <= SENT_SOON_DAYS and rng.random() < 0.5:
                _send(followup, max(completed_at, clock.now - timedelta(days=rng.randint(0, 7), hours=1)))
            continue
        state = _weighted(rng, PAST_DUE_FATES)
        done_at = due_at + timedelta(days=rng.randint(*ANSWER_DAYS) + (60 if state == FollowUp.State.CLOSED else 0))
        if done_at > clock.now:
            state = FollowUp.State.SENT  # not yet: the firm still has time
        elif state == FollowUp.State.SENT and (clock.today - followup.due_on).days > CLOSE_UNANSWERED_DAYS:
            state = FollowUp.State.CLOSED  # waited a season unanswered: staff closed it
            done_at = due_at + timedelta(days=CLOSE_UNANSWERED_DAYS)
        sent_at = max(completed_at, min(due_at - timedelta(days=rng.randint(0, 7)), clock.now))
        if state == FollowUp.State.SENT and rng.random() < 0.3:
            continue  # never sent: still due
        _send(followup, sent_at)
        if state != FollowUp.State.SENT:
            _finish(followup, state, max(done_at, sent_at))
    if any(followup.is_open for followup in followups):
        return None
    return max(followup.answered_at or followup.closed_at for followup in followups)


def _move_on(plan, at):
    """The case's last follow-up ended at `at`: it moved on to 성과 확인 then, as FollowUp does for real ones."""
    plan.changes.append(
        StageChange(
            transition="mark_followed_up",
            source=Stage.COMPLETED,
            target=Stage.FOLLOWED_UP,
            at=at,
            note="사후 성과 조사가 모두 끝났습니다.",  # what FollowUp notes when it moves a real case on
        )
    )
    # The FSM field refuses assignment; this is an unsaved plan about to be bulk-inserted, not a transition.
    vars(plan.case)["stage"] = Stage.FOLLOWED_UP
    plan.case.stage_changed_at = at


def _followed_up_fates(rng, completed_at, followed_at, followups):
    """A followed-up case: every follow-up answered or closed, the last one at the moment the case moved on
    (earlier than its due date, when staff closed the survey round early)."""
    for index, followup in enumerate(followups):
        due_at = max(_moment(rng, followup.due_on), completed_at)
        done_at = due_at + timedelta(days=rng.randint(*ANSWER_DAYS))
        done_at = followed_at if index == len(followups) - 1 else min(done_at, followed_at)
        state = FollowUp.State.ANSWERED if rng.random() < FOLLOWED_UP_ANSWER_SHARE else FollowUp.State.CLOSED
        _send(followup, max(completed_at, done_at - timedelta(days=rng.randint(0, 10), hours=1)))
        _finish(followup, state, done_at)


def _send(followup, at):
    followup.state, followup.sent_at = FollowUp.State.SENT, at


def _finish(followup, state, at):
    followup.state = state
    if state == FollowUp.State.ANSWERED:
        followup.answered_at = at
    else:
        followup.closed_at = at


def _answer(rng, followup, areas, measured, progress):
    """The firm's answers; the measured values move from the baseline towards the case's final value."""
    followup.satisfaction = rng.choices(range(1, 6), weights=SATISFACTION_WEIGHTS)[0]
    followup.recommend = max(0, min(10, followup.satisfaction * 2 + rng.randint(-2, 1)))
    followup.attribution = rng.randint(2, 9) * 10
    followup.comment = rng.choice(COMMENTS) if rng.random() < COMMENT_SHARE else ""
    adoptions = [(area, _weighted(rng, ADOPTION_WEIGHTS)) for area in areas]
    measurements = []
    for kind, baseline, final, digits in measured:
        share = 1 if progress == 1 else min(1.0, max(0.0, progress + rng.uniform(-0.1, 0.1)))
        measurements.append((kind, _decimal(baseline, digits), _decimal(baseline + (final - baseline) * share, digits)))
    return adoptions, measurements


def _measured_kinds(rng, kinds):
    """1–3 of the metric kinds, each with its baseline, the value it ends at and its decimal places."""
    chosen = rng.sample(kinds, k=min(len(kinds), rng.randint(1, 3)))
    return [(kind, *_baseline_and_final(rng, kind)) for kind in sorted(chosen, key=lambda kind: kind.pk)]


def _baseline_and_final(rng, kind):
    """Plausible sizes for a small manufacturer, by the kind's code; a kind staff added moves by up to 20%."""
    if kind.code == "defect-rate":  # %, mostly down by a tenth to two thirds
        baseline = rng.uniform(1.5, 12)
        return baseline, baseline * (rng.uniform(0.35, 0.9) if rng.random() < 0.9 else rng.uniform(1, 1.1)), 1
    if kind.code == "cost":  # the cost ratio, % of sales: a few points down
        baseline = rng.uniform(60, 90)
        return baseline, baseline - rng.uniform(-1, 8), 1
    if kind.code == "productivity":  # equipment efficiency, %: a few points up, below 100
        baseline = rng.uniform(55, 85)
        return baseline, min(98.0, baseline + rng.uniform(0, 15)), 1
    if kind.code == "sales":  # 백만 원: 5억 to 300억 원 a year
        baseline = 10 ** rng.uniform(2.7, 4.5)
        return baseline, baseline * rng.uniform(0.95, 1.35), 0
    if kind.code == "exports":  # 백만 원: often none before the guidance
        baseline = 0.0 if rng.random() < 0.3 else 10 ** rng.uniform(1.5, 3.8)
        return baseline, baseline * rng.uniform(1, 1.6) + (rng.uniform(30, 500) if not baseline else 0), 0
    if kind.code == "employment":  # people
        baseline = rng.randint(8, 250)
        return baseline, baseline + rng.randint(-2, max(2, baseline // 10)), 0
    baseline = rng.uniform(10, 100)
    change = rng.uniform(0, 0.2) * (-1 if kind.lower_is_better else 1)
    return baseline, baseline * (1 + change), 1


# --- helpers ------------------------------------------------------------------------------------------------


def _change_at(plan, transition):
    return next((change.at for change in plan.changes if change.transition == transition), None)


def _moment(rng, day):
    """An office-hours instant on `day` (not clipped to now, unlike Clock.moment: callers compare with now)."""
    return aware(day, time(9)) + timedelta(minutes=rng.randrange(9 * 60))


def _weighted(rng, weights):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _decimal(value, digits):
    return Decimal(str(round(value, digits))).quantize(Decimal(1).scaleb(-digits))
