"""The vocabulary and the deterministic choices of the synthetic data: how many of what, the study's phrases,
the clock the timeline is dated by, and what one case is planned to bring (`Plan`) before it is written."""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from ..models import (
    Case,
    EvolutionPath,
    GuidanceArea,
    Industry,
    Mentor,
    Metric,
    MetricKind,
    Outcome,
    OutcomePattern,
    Stage,
)

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
    metric_kinds: list = field(default_factory=list)  # what follow-ups measure (none: no measurements)

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
            metric_kinds=list(MetricKind.objects.all()),
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
        self.now = timezone.now() if today is None else aware(today, time(18))
        self.today = timezone.localdate(self.now)
        self.week = (self.today - EPOCH).days // 7  # the slot today falls in

    def week_start(self, week):
        return EPOCH + timedelta(weeks=week)

    def moment(self, rng, day):
        return min(aware(day, time(9)) + timedelta(minutes=rng.randrange(9 * 60)), self.now)


def aware(day, at):
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
    # What came after (aftercare.py): (FollowUp without case, adoptions, measurements) and CostLines without case.
    followups: list = field(default_factory=list)
    costs: list = field(default_factory=list)


def stages_for(rng, count):
    """Each case's stage: the shares of STAGE_SHARES (at least one case each), in a seeded random order."""
    quotas = {stage: max(1, round(share * count)) for stage, share in STAGE_SHARES.items()}
    quotas[Stage.COMPLETED] += count - sum(quotas.values())
    stages = [stage for stage, quota in quotas.items() for _ in range(max(0, quota))][:count]
    rng.shuffle(stages)
    return stages


def pick_engineer(rng, engineers, stage):
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


def finish(rng, vocabulary, plan, *, draft):
    case = plan.case
    case.outcomes = " ".join(rng.sample(vocabulary.outcomes, k=rng.randint(1, 2)))
    case.outcome_pattern = None if draft and rng.random() < 0.5 else rng.choice(vocabulary.patterns)
    case.evolution_path = rng.choice(vocabulary.paths) if rng.random() < PATH_SHARE else None
    if case.evolution_path:  # a case that took a path stands in its cell of 그림11's grid
        case.product, case.technology = case.evolution_path.product, case.evolution_path.technology
    plan.outcome_items = [
        (rng.choice(Outcome.Kind.values), text) for text in rng.sample(vocabulary.outcome_items, k=rng.randint(1, 4))
    ]
    if rng.random() < METRIC_SHARE:
        plan.metrics = [
            (name, unit, Decimal(rng.randint(*bounds)), qualifier)
            for name, unit, bounds, qualifier in rng.sample(METRIC_TEMPLATES, k=rng.randint(1, 2))
        ]
