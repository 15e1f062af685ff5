"""Synthetic data for scale tests, built from the study's own vocabulary: cases in every stage of their life,
the engineers who guide them (about one per 100 cases), their visits and stage changes, and firms' applications.

Deterministic for a given seed and day (open cases are dated back from today); written with bulk_create in
batches; never touches the study's records: every synthetic code starts with "syn", every synthetic application
reference with "SYN", and every name and address is obviously fake. Running again with the same seed adds only
what is missing.
"""

import random
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from types import SimpleNamespace

from django.apps import apps
from django.db import connection, transaction
from django.utils import timezone

from . import search
from .models import (
    Case,
    EvolutionPath,
    Firm,
    GuidanceArea,
    Industry,
    Mentor,
    Metric,
    Outcome,
    OutcomePattern,
    Region,
    Stage,
    StageChange,
    Visit,
)
from .models.firms import REGISTRATION_WEIGHTS
from .seeding import seed as seed_study

CASES_PER_FIRM = 1.25
CASES_PER_MENTOR = 100
MIN_MENTORS = 3
# Most cases are finished (and mostly published, so the public pages keep their volume); the rest are spread
# over the open stages. Every stage gets at least one case.
STAGE_SHARES = {
    Stage.COMPLETED: 0.65,
    Stage.FOLLOWED_UP: 0.275,
    Stage.WITHDRAWN: 0.03,
    Stage.MATCHING: 0.02,
    Stage.IN_GUIDANCE: 0.015,
    Stage.RECEIVED: 0.01,
}
FINISHED_DRAFT_SHARE = 0.05  # finished cases staff have not published yet
METRIC_SHARE = 0.3
PATH_SHARE = 0.15
FROM_APPLICATION_SHARE = 0.3  # cases that came through /apply/ (the others were entered by staff)
WAITING_APPLICATIONS_PER_CASE, DECLINED_APPLICATIONS_PER_CASE = 1 / 400, 1 / 150
EPOCH = date(2008, 1, 7)  # the program's first Monday: visits sit in 7-day slots counted from here
GUIDANCE_WEEKS = (17, 35)  # about 4 to 8 months
VISITS_PER_CASE = (3, 8)

METRIC_TEMPLATES = [
    ("불량률 감소", "%p", (1, 15), Metric.Qualifier.ABOUT),
    ("원가 절감률", "%", (3, 20), Metric.Qualifier.ABOUT),
    ("연간 매출 증가율", "%", (5, 40), Metric.Qualifier.ABOUT),
    ("월 수출량", "개/월", (500, 20000), Metric.Qualifier.AT_LEAST),
    ("생산성 향상", "%", (5, 30), Metric.Qualifier.EXACT),
]
WITHDRAW_REASONS = ["기업 사정으로 지도를 미룸", "맞는 퇴직기술자를 찾지 못함", "기업이 자체 해결함", "기업 연락 두절"]
DECLINE_REASONS = [
    "지원 대상 업종이 아닙니다.",
    "신청 내용만으로는 애로기술을 특정하기 어렵습니다. 보완해 다시 신청해 주세요.",
    "같은 기업의 기술지도가 진행 중입니다.",
    "올해 지원 예산이 모두 배정되었습니다.",
]
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


@dataclass
class Vocabulary:
    """Phrases and vocabularies the synthetic cases are drawn from, taken from the seeded study."""

    products: list
    guidance: list
    outcomes: list
    backgrounds: list
    outcome_items: list
    industries: list
    areas: list
    patterns: list
    paths: list

    @classmethod
    def from_study(cls):
        study = list(Case.objects.filter(code__startswith="2017-").select_related("firm"))
        return cls(
            products=_phrases(case.firm.products for case in study),
            guidance=_phrases(text for case in study for text in (case.guidance, case.guidance_details)),
            outcomes=_sentences(case.outcomes for case in study),
            backgrounds=_sentences(case.background for case in study),
            outcome_items=_sentences(Outcome.objects.filter(case__in=study).values_list("text", flat=True)),
            industries=list(Industry.objects.all()),
            areas=list(GuidanceArea.objects.all()),
            patterns=list(OutcomePattern.objects.all()),
            paths=list(EvolutionPath.objects.all()),
        )


def _phrases(texts):
    """Comma-separated parts of the study's texts, e.g. '센서 특징', '환경분석장치 구조설계 자문 등'."""
    parts = {part.strip(" .") for text in texts for part in re.split(r"[,.]", text)}
    return sorted(part for part in parts if len(part) >= 4)


def _sentences(texts):
    parts = {part.strip() for text in texts for part in re.split(r"(?<=[.다])\s+", text)}
    return sorted(part for part in parts if len(part) >= 8)


class Clock:
    """Today, and the days and instants of the synthetic timeline (office hours, never in the future)."""

    def __init__(self, today=None):
        self.now = timezone.now() if today is None else _aware(today, time(18))
        self.today = timezone.localdate(self.now)
        self.week = (self.today - EPOCH).days // 7  # the slot today falls in

    def week_start(self, week):
        return EPOCH + timedelta(weeks=week)

    def moment(self, rng, day):
        return min(_aware(day, time(9)) + timedelta(minutes=rng.randrange(9 * 60)), self.now)


def _aware(day, at):
    return timezone.make_aware(datetime.combine(day, at))


@dataclass
class Engineer:
    """An engineer of the registry, with the week slots their visits already take and their current load."""

    mentor: Mentor
    areas: list
    industries: list
    busy: bytearray
    load: int = 0


@dataclass
class Plan:
    """Everything one synthetic case brings: the case, its areas, outcomes, stage changes, visits, application."""

    case: Case
    firm_code: str
    engineer: int | None  # index into the engineers
    areas: list
    outcome_items: list = field(default_factory=list)
    metrics: list = field(default_factory=list)
    changes: list = field(default_factory=list)  # StageChange, without case and engineer
    visits: list = field(default_factory=list)  # (Visit without case and engineer, its topics)
    application: dict | None = None


def generate_cases(count, *, seed=0, batch_size=2000, progress=None, today=None):
    """Create `count` synthetic cases with their firms, engineers, areas, outcomes, metrics, stage changes,
    visits and applications, plus applications still waiting and declined ones.

    The same `seed` (on the same day, or with the same `today`) gives the same records; running again adds
    nothing. `progress(done, total)` is called after each batch.
    """
    seed_study()  # insert-only: the vocabularies must exist
    vocabulary = Vocabulary.from_study()
    rng = random.Random(seed)
    clock = Clock(today)
    prefix = f"syn{seed}"
    firm_count = max(1, int(count / CASES_PER_FIRM))
    engineer_count = max(MIN_MENTORS, round(count / CASES_PER_MENTOR))
    engineers = [_engineer(rng, vocabulary, clock, prefix, n) for n in range(engineer_count)]
    with transaction.atomic():
        Firm.objects.bulk_create(
            [_firm(rng, vocabulary, prefix, n) for n in range(firm_count)], batch_size=batch_size, ignore_conflicts=True
        )
        _create_engineers(engineers, batch_size)
    # What each case's search text reads of its firm and engineer, as stored (no query per case).
    firms = {
        row[0]: SimpleNamespace(code=row[0], id=row[1], name=row[2], products=row[3], profile=row[4])
        for row in Firm.objects.filter(code__startswith=f"{prefix}-").values_list(
            "code", "id", "name", "products", "profile"
        )
    }
    mentors = {
        code: SimpleNamespace(id=pk, name=name, background=background)
        for code, pk, name, background in Mentor.objects.filter(code__startswith=f"{prefix}-").values_list(
            "code", "id", "name", "background"
        )
    }
    stages = _stages(rng, count)
    created = 0
    for start in range(0, count, batch_size):
        numbers = range(start, min(start + batch_size, count))
        plans = [_plan(rng, vocabulary, clock, prefix, n, stages[n], firm_count, engineers) for n in numbers]
        with transaction.atomic():
            created += _write(plans, firms, mentors, engineers)
        if progress:
            progress(numbers[-1] + 1, count)
    _create_unlinked_applications(rng, vocabulary, clock, count)
    analyze_cases()
    return created


def analyze_cases():
    """Refresh the planner's statistics: after a bulk load they describe the empty tables, and PostgreSQL would
    plan the public queries for a handful of rows (autovacuum catches up only later)."""
    if connection.vendor != "postgresql":
        return
    models = [Firm, Mentor, Case, Outcome, Metric, StageChange, Visit, *_application_models()]
    tables = [model._meta.db_table for model in models]
    for model, m2m in ((Case, "guidance_areas"), (Mentor, "guidance_areas"), (Mentor, "industries"), (Visit, "topics")):
        tables.append(getattr(model, m2m).through._meta.db_table)
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


# --- the registry -------------------------------------------------------------------------------------------


def _firm(rng, vocabulary, prefix, n):
    products = ", ".join(rng.sample(vocabulary.products, k=rng.randint(1, 3)))
    return Firm(
        code=f"{prefix}-F{n:06d}",
        name=f"합성 {prefix.upper()}-{n:06d} 기업",
        products=products[:200],
        industry=rng.choice(vocabulary.industries),
    )


def _engineer(rng, vocabulary, clock, prefix, n):
    years = rng.choice([None, None, rng.randint(20, 50)])
    areas = rng.sample(vocabulary.areas, k=rng.randint(2, 5))
    industries = rng.sample(vocabulary.industries, k=rng.randint(1, 3))
    status = rng.choices(Mentor.Status.values, weights=(85, 10, 5))[0]  # mostly active, some paused, a few left
    mentor = Mentor(
        code=f"{prefix}-M{n:06d}",
        name=f"합성 퇴직기술자 {n:06d}",
        background=f"일본 제조업체에서 {years}년 넘게 근무했다." if years else "",
        years_of_experience=years,
        real_name=f"합성 기술자 {n:06d}",
        email=f"{prefix}-m{n:06d}@example.invalid",
        phone=f"000-0000-{n % 10000:04d}",
        former_employer=f"일본 {industries[0].name} 기업 (합성)",
        specialty=", ".join(area.name for area in areas[:2]),
        speaks_japanese=True,
        speaks_korean=rng.random() < 0.35,
        speaks_english=rng.random() < 0.4,
        status=status,
        capacity=rng.randint(1, 4),
    )
    return Engineer(mentor, areas, industries, busy=bytearray(clock.week + 2))


def _create_engineers(engineers, batch_size):
    existing = set(Mentor.objects.filter(code__in=[e.mentor.code for e in engineers]).values_list("code", flat=True))
    new = [engineer for engineer in engineers if engineer.mentor.code not in existing]
    Mentor.objects.bulk_create([engineer.mentor for engineer in new], batch_size=batch_size)
    Areas, Industries = Mentor.guidance_areas.through, Mentor.industries.through
    Areas.objects.bulk_create(
        [Areas(mentor_id=e.mentor.pk, guidancearea_id=area.pk) for e in new for area in e.areas], batch_size=batch_size
    )
    Industries.objects.bulk_create(
        [Industries(mentor_id=e.mentor.pk, industry_id=industry.pk) for e in new for industry in e.industries],
        batch_size=batch_size,
    )


# --- one case's life ----------------------------------------------------------------------------------------


def _stages(rng, count):
    """Each case's stage: the shares of STAGE_SHARES (at least one case each), in a seeded random order."""
    quotas = {stage: max(1, round(share * count)) for stage, share in STAGE_SHARES.items()}
    quotas[Stage.COMPLETED] += count - sum(quotas.values())
    stages = [stage for stage, quota in quotas.items() for _ in range(max(0, quota))][:count]
    rng.shuffle(stages)
    return stages


def _plan(rng, vocabulary, clock, prefix, n, stage, firm_count, engineers):
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
    engineer = _pick_engineer(rng, engineers, stage) if started else None
    # An engineer's cases lie in their field: the first area is one of theirs.
    first = rng.choice(engineers[engineer].areas) if started else rng.choice(vocabulary.areas)
    areas = [first, *(area for area in rng.sample(vocabulary.areas, k=rng.randint(0, 3)) if area != first)]
    plan = Plan(case, firm_code, engineer, areas)
    if finished:
        _finish(rng, vocabulary, plan, draft=not published)
    _timeline(rng, vocabulary, clock, plan, engineers)
    return plan


def _pick_engineer(rng, engineers, stage):
    if stage != Stage.IN_GUIDANCE:
        return rng.randrange(len(engineers))  # finished cases: anyone of the registry, paused and gone included
    # A current guidance: an active engineer with room, the first one from a random start (any, if all are full).
    active = [i for i, e in enumerate(engineers) if e.mentor.status == Mentor.Status.ACTIVE] or list(
        range(len(engineers))
    )
    start = rng.randrange(len(active))
    order = active[start:] + active[:start]
    chosen = next((i for i in order if engineers[i].load < engineers[i].mentor.capacity), order[0])
    engineers[chosen].load += 1
    return chosen


def _finish(rng, vocabulary, plan, *, draft):
    case = plan.case
    case.outcomes = " ".join(rng.sample(vocabulary.outcomes, k=rng.randint(1, 2)))
    case.outcome_pattern = None if draft and rng.random() < 0.5 else rng.choice(vocabulary.patterns)
    case.evolution_path = rng.choice(vocabulary.paths) if rng.random() < PATH_SHARE else None
    plan.outcome_items = [
        (rng.choice(Outcome.Kind.values), text) for text in rng.sample(vocabulary.outcome_items, k=rng.randint(1, 4))
    ]
    if rng.random() < METRIC_SHARE:
        plan.metrics = [
            (name, unit, Decimal(rng.randint(*bounds)), qualifier)
            for name, unit, bounds, qualifier in rng.sample(METRIC_TEMPLATES, k=rng.randint(1, 2))
        ]


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
        plan.application = _application(rng, vocabulary, submitted, state="accepted", decided_at=at)
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


# --- applications (the applications app sits above cases: reached through the app registry) ----------------


def _application_models():
    if not apps.is_installed("applications"):
        return []
    Application = apps.get_model("applications", "Application")
    return [Application, Application.wished_areas.through]


def _application(rng, vocabulary, submitted_at, *, state, decided_at=None):
    n = rng.randrange(1_000_000)
    raw = "SYN" + "".join(rng.choice(REFERENCE_ALPHABET) for _ in range(13))
    return {
        "reference": "-".join(raw[i : i + 4] for i in range(0, 16, 4)),  # like the real ones: XXXX-XXXX-XXXX-XXXX
        "company_name": f"합성 신청 기업 {n:06d}",
        "registration_number": _registration_number(rng),
        "region": rng.choice(Region.values),
        "industry": rng.choice(vocabulary.industries),
        "products": rng.choice(vocabulary.products)[:200],
        "employees": rng.randint(5, 300),
        "contact_name": f"합성 담당자 {n:06d}",
        "contact_email": f"a{n:06d}@example.invalid",
        "contact_phone": f"000-0000-{n % 10000:04d}",
        "bottleneck": rng.choice(vocabulary.backgrounds),
        "wished_areas": rng.sample(vocabulary.areas, k=rng.randint(1, 2)),
        "wished_start": timezone.localdate(submitted_at) + timedelta(days=rng.randint(30, 90))
        if rng.random() < 0.6
        else None,
        "consent_version": "synthetic",
        "consented_at": submitted_at,
        "submitted_at": submitted_at,
        "state": state,
        "decided_at": decided_at,
        "decline_reason": rng.choice(DECLINE_REASONS) if state == "declined" else "",
    }


def _registration_number(rng):
    """Ten digits whose last is the check digit (cases.models.firms), so the form's validation accepts it."""
    digits = [rng.randrange(10) for _ in range(9)]
    total = sum(d * w for d, w in zip(digits, REGISTRATION_WEIGHTS, strict=True)) + digits[8] * 5 // 10
    return "".join(map(str, digits)) + str((10 - total % 10) % 10)


def _create_applications(rows):
    """Applications from `rows` (dicts of _application, plus firm_id and case_id when accepted), skipping the
    references that exist; returns how many were created."""
    models = _application_models()
    if not models or not rows:
        return 0
    Application, Through = models
    existing = set(
        Application.objects.filter(reference__in=[row["reference"] for row in rows]).values_list("reference", flat=True)
    )
    new = [row for row in rows if row["reference"] not in existing]
    created = Application.objects.bulk_create(
        [Application(**{key: value for key, value in row.items() if key != "wished_areas"}) for row in new]
    )
    Through.objects.bulk_create(
        [
            Through(application_id=application.pk, guidancearea_id=area.pk)
            for application, row in zip(created, new, strict=True)
            for area in row["wished_areas"]
        ]
    )
    return len(created)


def _create_unlinked_applications(rng, vocabulary, clock, count):
    """Applications still waiting (of various ages, the oldest a month) and declined ones (over two years)."""
    rows = []
    for _n in range(max(3, round(count * WAITING_APPLICATIONS_PER_CASE))):
        submitted = clock.now - timedelta(minutes=rng.randrange(30 * 24 * 60))
        rows.append(_application(rng, vocabulary, submitted, state="new"))
    for _n in range(max(2, round(count * DECLINED_APPLICATIONS_PER_CASE))):
        submitted = clock.moment(rng, clock.today - timedelta(days=rng.randint(5, 730)))
        decided = min(submitted + timedelta(days=rng.randint(1, 10)), clock.now)
        rows.append(_application(rng, vocabulary, submitted, state="declined", decided_at=decided))
    with transaction.atomic():
        _create_applications(rows)


# --- writing a batch ----------------------------------------------------------------------------------------


def _write(plans, firms, mentors, engineers):
    """Insert the batch's new cases and everything they bring; the cases that exist are skipped."""
    existing = set(Case.objects.filter(code__in=[plan.case.code for plan in plans]).values_list("code", flat=True))
    plans = [plan for plan in plans if plan.case.code not in existing]
    for plan in plans:
        case, firm = plan.case, firms[plan.firm_code]
        mentor = mentors[engineers[plan.engineer].mentor.code] if plan.engineer is not None else None
        case.firm_id, case.mentor_id = firm.id, mentor.id if mentor else None
        case.search_text = _search_text(case, firm, mentor, plan.areas)
        for change in plan.changes:
            change.mentor_id = case.mentor_id if change.transition == "assign_mentor" else None
        for visit, _topics in plan.visits:
            visit.mentor_id = case.mentor_id
    Case.objects.bulk_create([plan.case for plan in plans])  # pks come back on PostgreSQL and SQLite 3.35+
    Through = Case.guidance_areas.through
    Through.objects.bulk_create(
        [Through(case_id=plan.case.pk, guidancearea_id=area.pk) for plan in plans for area in plan.areas]
    )
    Outcome.objects.bulk_create(
        [
            Outcome(case_id=plan.case.pk, position=position, kind=kind, text=text)
            for plan in plans
            for position, (kind, text) in enumerate(plan.outcome_items, 1)
        ]
    )
    Metric.objects.bulk_create(
        [
            Metric(case_id=plan.case.pk, name=name, unit=unit, value=value, qualifier=qualifier, position=position)
            for plan in plans
            for position, (name, unit, value, qualifier) in enumerate(plan.metrics, 1)
        ]
    )
    for plan in plans:
        for change in plan.changes:
            change.case_id = plan.case.pk
        for visit, _topics in plan.visits:
            visit.case_id = plan.case.pk
    StageChange.objects.bulk_create([change for plan in plans for change in plan.changes])
    visits = Visit.objects.bulk_create([visit for plan in plans for visit, _topics in plan.visits])
    topics = [topics for plan in plans for _visit, topics in plan.visits]
    Topic = Visit.topics.through
    Topic.objects.bulk_create(
        [
            Topic(visit_id=visit.pk, guidancearea_id=area.pk)
            for visit, areas in zip(visits, topics, strict=True)
            for area in areas
        ]
    )
    _create_applications(
        [
            {**plan.application, "firm_id": plan.case.firm_id, "case_id": plan.case.pk}
            for plan in plans
            if plan.application
        ]
    )
    return len(plans)


def _search_text(case, firm, mentor, areas):
    """Case.search_text exactly as search.build_search_text makes it, from what is at hand (no queries)."""
    source = SimpleNamespace(
        firm=firm,
        mentor=mentor,
        background=case.background,
        guidance=case.guidance,
        guidance_details=case.guidance_details,
        outcomes=case.outcomes,
        guidance_areas=SimpleNamespace(all=lambda: sorted(areas, key=lambda area: area.name)),  # the model's order
    )
    return search.build_search_text(source)
