"""Synthetic cases for scale tests, built from the study's own vocabulary.

Deterministic for a given seed; written with bulk_create in batches; never touches the study's records
(every synthetic record has a code that starts with "syn").
"""

import random
import re
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from .models import Case, EvolutionPath, Firm, GuidanceArea, Industry, Mentor, Metric, Outcome, OutcomePattern
from .seeding import seed as seed_study

DRAFT_SHARE = 0.1
PERIOD_SHARE = 0.7
METRIC_SHARE = 0.3
PATH_SHARE = 0.15
CASES_PER_FIRM = 1.25
CASES_PER_MENTOR = 3
FIRST_YEAR, LAST_YEAR = 2008, 2025

METRIC_TEMPLATES = [
    ("불량률 감소", "%p", (1, 15), Metric.Qualifier.ABOUT),
    ("원가 절감률", "%", (3, 20), Metric.Qualifier.ABOUT),
    ("연간 매출 증가율", "%", (5, 40), Metric.Qualifier.ABOUT),
    ("월 수출량", "개/월", (500, 20000), Metric.Qualifier.AT_LEAST),
    ("생산성 향상", "%", (5, 30), Metric.Qualifier.EXACT),
]


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


def generate_cases(count, *, seed=0, batch_size=2000, progress=None):
    """Create `count` synthetic cases (plus their firms, mentors, areas, outcomes and metrics).

    The same `seed` gives the same records; running again with the same seed adds nothing.
    `progress(done, total)` is called after each batch.
    """
    seed_study()  # insert-only: the vocabularies must exist
    vocabulary = Vocabulary.from_study()
    rng = random.Random(seed)
    prefix = f"syn{seed}"
    firm_count = max(1, int(count / CASES_PER_FIRM))
    mentor_count = max(1, count // CASES_PER_MENTOR)

    with transaction.atomic():
        Firm.objects.bulk_create(
            [_firm(rng, vocabulary, prefix, n) for n in range(firm_count)], batch_size=batch_size, ignore_conflicts=True
        )
        Mentor.objects.bulk_create(
            [_mentor(rng, prefix, n) for n in range(mentor_count)], batch_size=batch_size, ignore_conflicts=True
        )
    firm_ids = dict(Firm.objects.filter(code__startswith=f"{prefix}-").values_list("code", "id"))
    mentor_ids = dict(Mentor.objects.filter(code__startswith=f"{prefix}-").values_list("code", "id"))

    created = 0
    for start in range(0, count, batch_size):
        numbers = range(start, min(start + batch_size, count))
        with transaction.atomic():
            created += _create_batch(rng, vocabulary, prefix, numbers, firm_count, mentor_count, firm_ids, mentor_ids)
        if progress:
            progress(numbers[-1] + 1, count)
    analyze_cases()
    return created


def analyze_cases():
    """Refresh the planner's statistics: after a bulk load they describe the empty tables, and PostgreSQL would
    plan the public queries for a handful of rows (autovacuum catches up only later)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in ("cases_firm", "cases_mentor", "cases_case", "cases_case_guidance_areas", "cases_outcome"):
                cursor.execute(f"ANALYZE {table}")


def _firm(rng, vocabulary, prefix, n):
    products = ", ".join(rng.sample(vocabulary.products, k=rng.randint(1, 3)))
    return Firm(
        code=f"{prefix}-F{n:06d}",
        name=f"합성 {prefix.upper()}-{n:06d} 기업",
        products=products[:200],
        industry=rng.choice(vocabulary.industries),
    )


def _mentor(rng, prefix, n):
    years = rng.choice([None, None, rng.randint(20, 50)])
    background = f"일본 제조업체에서 {years}년 넘게 근무했다." if years else ""
    return Mentor(
        code=f"{prefix}-M{n:06d}",
        name=f"합성 퇴직기술자 {n:06d}",
        background=background,
        years_of_experience=years,
    )


def _create_batch(rng, vocabulary, prefix, numbers, firm_count, mentor_count, firm_ids, mentor_ids):
    cases, areas_by_code, items_by_code, metrics_by_code = [], {}, {}, {}
    published_at = timezone.now()
    for n in numbers:
        code = f"{prefix}-{n:07d}"
        draft = rng.random() < DRAFT_SHARE
        started = rng.randint(FIRST_YEAR, LAST_YEAR) if rng.random() < PERIOD_SHARE else None
        ended = min(LAST_YEAR, started + rng.randint(0, 2)) if started and rng.random() < 0.6 else None
        cases.append(
            Case(
                code=code,
                firm_id=firm_ids[f"{prefix}-F{rng.randrange(firm_count):06d}"],
                mentor_id=mentor_ids[f"{prefix}-M{rng.randrange(mentor_count):06d}"],
                background=rng.choice(vocabulary.backgrounds),
                guidance=", ".join(rng.sample(vocabulary.guidance, k=rng.randint(2, 4))) + ".",
                guidance_details=", ".join(rng.sample(vocabulary.guidance, k=rng.randint(1, 3))) + ".",
                outcomes=" ".join(rng.sample(vocabulary.outcomes, k=rng.randint(1, 2))),
                outcome_pattern=None if draft and rng.random() < 0.5 else rng.choice(vocabulary.patterns),
                evolution_path=rng.choice(vocabulary.paths) if rng.random() < PATH_SHARE else None,
                started_year=started,
                ended_year=ended if ended and ended > started else None,
                status=Case.Status.DRAFT if draft else Case.Status.PUBLISHED,
                stage=Case.Stage.COMPLETED,
                published_at=None if draft else published_at,  # bulk_create skips Case.save()
                source="합성 데이터 (성능 시험용)",
            )
        )
        areas_by_code[code] = rng.sample(vocabulary.areas, k=rng.randint(1, 4))
        items_by_code[code] = [
            (rng.choice(Outcome.Kind.values), text)
            for text in rng.sample(vocabulary.outcome_items, k=rng.randint(1, 4))
        ]
        if rng.random() < METRIC_SHARE:
            metrics_by_code[code] = rng.sample(METRIC_TEMPLATES, k=rng.randint(1, 2))

    # Same seed, same codes: a rerun skips what exists (the random draws above stay identical).
    existing = set(Case.objects.filter(code__in=areas_by_code).values_list("code", flat=True))
    new_cases = Case.objects.bulk_create([case for case in cases if case.code not in existing])
    ids = {case.code: case.pk for case in new_cases}  # bulk_create returns pks on PostgreSQL and SQLite 3.35+
    Through = Case.guidance_areas.through
    Through.objects.bulk_create(
        [
            Through(case_id=ids[code], guidancearea_id=area.id)
            for code, areas in areas_by_code.items()
            if code in ids
            for area in areas
        ]
    )
    Outcome.objects.bulk_create(
        [
            Outcome(case_id=ids[code], position=position, kind=kind, text=text)
            for code, items in items_by_code.items()
            if code in ids
            for position, (kind, text) in enumerate(items, 1)
        ]
    )
    Metric.objects.bulk_create(
        [
            Metric(
                case_id=ids[code],
                name=name,
                unit=unit,
                value=Decimal(rng.randint(*bounds)),
                qualifier=qualifier,
                position=position,
            )
            for code, templates in metrics_by_code.items()
            if code in ids
            for position, (name, unit, bounds, qualifier) in enumerate(templates, 1)
        ]
    )
    Case.objects.filter(pk__in=ids.values()).refresh_search_text()  # bulk_create sends no signals
    return len(ids)
