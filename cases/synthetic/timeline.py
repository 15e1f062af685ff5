"""One synthetic case's life: its stages dated on the clock, the stage changes, the engineer's visits in the
engineer's free weeks, then what came after (aftercare.py)."""

from datetime import timedelta
from decimal import Decimal

from ..models import Case, Stage, StageChange, Visit
from . import aftercare
from .applications import make_application
from .plan import (
    EPOCH,
    FINISHED_DRAFT_SHARE,
    FROM_APPLICATION_SHARE,
    GUIDANCE_WEEKS,
    VISITS_PER_CASE,
    WITHDRAW_REASONS,
    Plan,
    finish,
    pick_engineer,
)


def plan_case(rng, vocabulary, clock, prefix, n, stage, firm_count, engineers):
    """Everything case number `n` of the run brings, drawn from `rng` in a fixed order."""
    finished = stage in (Stage.COMPLETED, Stage.FOLLOWED_UP)
    started = finished or stage == Stage.IN_GUIDANCE
    published = finished and rng.random() >= FINISHED_DRAFT_SHARE
    firm_code = f"{prefix}-F{rng.randrange(firm_count):06d}"
    case = Case(
        code=f"{prefix}-{n:07d}",
        background=rng.choice(vocabulary.backgrounds),
        status=Case.Status.PUBLISHED if published else Case.Status.DRAFT,
        stage=stage,
        source="합성 데이터 (성능 시험용)",
    )
    if started:
        case.guidance = ", ".join(rng.sample(vocabulary.guidance, k=rng.randint(2, 4))) + "."
        case.guidance_details = ", ".join(rng.sample(vocabulary.guidance, k=rng.randint(1, 3))) + "."
    engineer = pick_engineer(rng, engineers, stage) if started else None
    # An engineer's cases lie in their field: the first area is one of theirs.
    first = rng.choice(engineers[engineer].areas) if started else rng.choice(vocabulary.areas)
    areas = [first, *(area for area in rng.sample(vocabulary.areas, k=rng.randint(0, 3)) if area != first)]
    plan = Plan(case, firm_code, engineer, areas)
    if finished:
        finish(rng, vocabulary, plan, draft=not published)
    _timeline(rng, vocabulary, clock, plan, engineers)
    aftercare.plan_aftercare(clock, plan, vocabulary)  # its own random stream: the draws above stay as they were
    return plan


def _timeline(rng, vocabulary, clock, plan, engineers):
    """Date the case's stages, record its stage changes and place its visits (in the engineer's free weeks)."""
    case, stage, days = plan.case, plan.case.stage, timedelta(days=1)
    if stage == Stage.RECEIVED:
        case.stage_changed_at = clock.moment(rng, clock.today - rng.randint(0, 20) * days)
        return
    if stage == Stage.WITHDRAWN:
        withdrawn_on = EPOCH + rng.randint(30, (clock.today - EPOCH).days) * days
        reason = rng.choice(WITHDRAW_REASONS)
        if rng.random() < 0.3:  # withdrawn before matching started
            plan.changes.append(_change("withdraw", Stage.RECEIVED, stage, clock.moment(rng, withdrawn_on), reason))
        else:
            _start_matching(rng, vocabulary, clock, plan, withdrawn_on - rng.randint(5, 60) * days)
            plan.changes.append(_change("withdraw", Stage.MATCHING, stage, clock.moment(rng, withdrawn_on), reason))
        case.stage_changed_at = plan.changes[-1].at
        return
    if stage == Stage.MATCHING:
        _start_matching(rng, vocabulary, clock, plan, clock.today - rng.randint(0, 30) * days)
        case.stage_changed_at = plan.changes[-1].at
        return

    engineer = engineers[plan.engineer]
    weeks = rng.randint(*GUIDANCE_WEEKS)
    follow_up = rng.randint(26, 52) if stage == Stage.FOLLOWED_UP else 0
    if stage == Stage.IN_GUIDANCE:
        assigned = rng.randint(clock.week - 40, clock.week - 3)
        stalled = assigned <= clock.week - 20 and rng.random() < 0.25  # no visit for months: the dashboard's concern
        last_week = assigned + rng.randint(3, 6) if stalled else clock.week
        limit = clock.week
    else:
        assigned = rng.randint(0, max(0, clock.week - weeks - follow_up - 2))
        last_week = assigned + weeks - 1
        limit = clock.week - follow_up - 1
    visit_weeks = _free_weeks(rng, engineer.busy, assigned, last_week, limit)
    assigned_on = clock.week_start(min([assigned, *visit_weeks]))  # the engineer came before the first visit
    _start_matching(rng, vocabulary, clock, plan, assigned_on - rng.randint(3, 60) * days)
    assigned_at = clock.moment(rng, assigned_on)
    plan.changes.append(_change("assign_mentor", Stage.MATCHING, Stage.IN_GUIDANCE, assigned_at))
    case.started_year = assigned_on.year
    plan.visits = [_visit(rng, vocabulary, clock, plan, engineer, week) for week in visit_weeks]
    case.stage_changed_at = assigned_at
    if stage == Stage.IN_GUIDANCE:
        return
    last_visit = max(visit.ended_on for visit, _topics in plan.visits) if plan.visits else assigned_on
    completed_on = min(max(clock.week_start(last_week + 1), last_visit + days), clock.today)
    plan.changes.append(_change("complete", Stage.IN_GUIDANCE, Stage.COMPLETED, clock.moment(rng, completed_on)))
    case.ended_year = completed_on.year if completed_on.year > case.started_year else None
    if stage == Stage.FOLLOWED_UP:
        followed_on = min(completed_on + timedelta(weeks=follow_up), clock.today)
        plan.changes.append(
            _change("mark_followed_up", Stage.COMPLETED, Stage.FOLLOWED_UP, clock.moment(rng, followed_on))
        )
    case.stage_changed_at = plan.changes[-1].at
    if case.status == Case.Status.PUBLISHED:  # bulk_create skips Case.save(), which would set it
        case.published_at = clock.moment(rng, min(completed_on + rng.randint(7, 60) * days, clock.today))


def _start_matching(rng, vocabulary, clock, plan, day):
    """received → matching on `day`: staff entered the case a little earlier, or it came from an application."""
    at = clock.moment(rng, day)
    note = ""
    if rng.random() < FROM_APPLICATION_SHARE:
        submitted = clock.moment(rng, day - timedelta(days=rng.randint(1, 10)))
        plan.application = make_application(rng, vocabulary, submitted, state="accepted", decided_at=at)
        plan.case.request_text = plan.application["bottleneck"]  # copied from the application, private
        note = f"신청 {plan.application['reference']} 수락"
    plan.changes.append(_change("start_matching", Stage.RECEIVED, Stage.MATCHING, at, note))


def _change(transition, source, target, at, note=""):
    return StageChange(transition=transition, source=source, target=target, at=at, note=note)


def _free_weeks(rng, busy, first, last, limit):
    """3–8 of the engineer's free week slots in [first, last], marked busy. With fewer than 3 free, the window
    grows, later up to `limit`, then earlier. One visit per slot: an engineer's visits never overlap."""
    first, last = max(first, 0), min(last, limit)
    free = [week for week in range(first, last + 1) if not busy[week]]
    while len(free) < VISITS_PER_CASE[0] and (last < limit or first > 0):
        if last < limit:
            last += 1
            candidate = last
        else:
            first -= 1
            candidate = first
        if not busy[candidate]:
            free.append(candidate)
    chosen = sorted(rng.sample(free, k=min(len(free), rng.randint(*VISITS_PER_CASE))))
    for week in chosen:
        busy[week] = 1
    return chosen


def _visit(rng, vocabulary, clock, plan, engineer, week):
    remote = rng.random() < 0.2
    length = 1 if remote else rng.choice((1, 1, 2, 2, 3, 4, 5))
    start = clock.week_start(week)
    started_on = start + timedelta(days=rng.randint(0, 7 - length))
    if started_on + timedelta(days=length - 1) > clock.today:  # this week's visit: one day, no later than today
        length, started_on = 1, start + timedelta(days=rng.randint(0, (clock.today - start).days))
    ended_on = started_on + timedelta(days=length - 1)
    hours = (
        Decimal(rng.randint(2, 4))
        if remote
        else Decimal(length) * rng.choice((Decimal(4), Decimal(6), Decimal("6.5"), Decimal(8)))
    )
    confirmed = ended_on + timedelta(days=rng.randint(0, 7))
    visit = Visit(
        started_on=started_on,
        ended_on=ended_on,
        days=length,  # bulk_create skips Visit.save(), which would count it
        mode=Visit.Mode.REMOTE if remote else Visit.Mode.ON_SITE,
        hours=hours,
        interpreter=not remote and not engineer.mentor.speaks_korean and rng.random() < 0.8,
        summary=rng.choice(vocabulary.guidance),
        action_items=rng.choice(vocabulary.guidance) if rng.random() < 0.5 else "",
        firm_confirmed_on=confirmed if confirmed <= clock.today and rng.random() < 0.8 else None,
    )
    return visit, rng.sample(plan.areas, k=min(len(plan.areas), rng.randint(1, 2)))
