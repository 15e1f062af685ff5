"""Answered follow-ups for tests of the measured outcomes: each answer is its own published case of its own firm
(so N answers come from N distinct firms), written with bulk_create so that thousands cost seconds.

`add_answers([Answer(...), …], pattern=…, areas=[…])` plants exactly the values a test asserts;
`add_answers_at_scale(n, seed=…)` spreads n answers over the vocabulary already in the database (the study's
patterns, areas and metric kinds), for the query-budget tests at 20,000 cases.
"""

import random
from dataclasses import dataclass, field
from datetime import datetime, time
from decimal import Decimal
from itertools import count

from django.utils import timezone

from cases.models import (
    Case,
    Firm,
    FollowUp,
    FollowUpAdoption,
    FollowUpMeasurement,
    GuidanceArea,
    Industry,
    MetricKind,
    OutcomePattern,
)

_serial = count(1)


@dataclass
class Answer:
    """One firm's answer: {kind code: (baseline, current)}, the scores, {area code: "yes"|"partly"|"no"}
    (areas not named adopted "yes")."""

    measurements: dict = field(default_factory=dict)
    satisfaction: int = 4
    recommend: int = 8
    attribution: int = 50
    adoptions: dict = field(default_factory=dict)
    comment: str = ""


def add_answers(answers, *, pattern, areas, published=True, answered_on=None, industry=None, batch_size=2000):
    """One case (of a new firm, in `pattern` and `areas`) per answer, with one answered follow-up. Returns the
    follow-ups."""
    industry = (
        industry or Industry.objects.get_or_create(code="outcome-test", defaults={"name": "사후 조사 시험 업종"})[0]
    )
    kinds = {kind.code: kind for kind in MetricKind.objects.all()}
    answered_at = timezone.make_aware(datetime.combine(answered_on, time(12))) if answered_on else timezone.now()
    plans = [(next(_serial), answer) for answer in answers]
    firms = Firm.objects.bulk_create(
        [Firm(code=f"out-F{n}", name=f"성과{n}기업", products="시험 제품", industry=industry) for n, _a in plans],
        batch_size=batch_size,
    )
    cases = Case.objects.bulk_create(
        [
            Case(
                code=f"out-{n}",
                firm=firm,
                outcome_pattern=pattern,
                guidance=f"사후 조사 시험 지도 {n}",
                outcomes="측정 성과",
                started_year=answered_at.year - 1,
                ended_year=answered_at.year - 1,
                status=Case.Status.PUBLISHED if published else Case.Status.DRAFT,
                stage=Case.Stage.FOLLOWED_UP,
            )
            for (n, _answer), firm in zip(plans, firms, strict=True)
        ],
        batch_size=batch_size,
    )
    Through = Case.guidance_areas.through
    Through.objects.bulk_create(
        [Through(case_id=case.pk, guidancearea_id=area.pk) for case in cases for area in areas], batch_size=batch_size
    )
    followups = FollowUp.objects.bulk_create(
        [
            FollowUp(
                case=case,
                kind=FollowUp.Kind.COMPLETION,
                due_on=answered_at.date(),
                state=FollowUp.State.ANSWERED,
                answered_at=answered_at,
                satisfaction=answer.satisfaction,
                recommend=answer.recommend,
                attribution=answer.attribution,
                comment=answer.comment,
            )
            for case, (_n, answer) in zip(cases, plans, strict=True)
        ],
        batch_size=batch_size,
    )
    FollowUpAdoption.objects.bulk_create(
        [
            FollowUpAdoption(followup=followup, area=area, adopted=answer.adoptions.get(area.code, "yes"))
            for followup, (_n, answer) in zip(followups, plans, strict=True)
            for area in areas
        ],
        batch_size=batch_size,
    )
    FollowUpMeasurement.objects.bulk_create(
        [
            FollowUpMeasurement(followup=followup, kind=kinds[code], baseline=Decimal(base), current=Decimal(now))
            for followup, (_n, answer) in zip(followups, plans, strict=True)
            for code, (base, now) in answer.measurements.items()
        ],
        batch_size=batch_size,
    )
    return followups


def random_answer(rng, kinds):
    measured = rng.sample(kinds, k=rng.randint(1, len(kinds)))
    return Answer(
        measurements={
            kind.code: (base := rng.randint(1, 500), base + rng.randint(-base // 2, base // 2)) for kind in measured
        },
        satisfaction=rng.randint(1, 5),
        recommend=rng.randint(0, 10),
        attribution=rng.choice([0, 20, 50, 80, 100]),
        comment="비공개 의견",
    )


def add_answers_at_scale(n, *, seed=0, answered_on=None, batch_size=2000):
    """`n` answers spread over every pattern and pairs of guidance areas, with random values."""
    rng = random.Random(seed)
    patterns, areas = list(OutcomePattern.objects.all()), list(GuidanceArea.objects.all())
    kinds = list(MetricKind.objects.all())
    groups = {}
    for _ in range(n):
        key = (rng.choice(patterns), *sorted(rng.sample(areas, k=2), key=lambda area: area.pk))
        groups.setdefault(key, []).append(random_answer(rng, kinds))
    for (pattern, *chosen), answers in groups.items():
        add_answers(answers, pattern=pattern, areas=chosen, answered_on=answered_on, batch_size=batch_size)
