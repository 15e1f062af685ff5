"""Synthetic data for scale tests, built from the study's own vocabulary: cases in every stage of their life,
the engineers who guide them (about one per 100 cases), their visits and stage changes, firms' applications,
and what came after: follow-up surveys with their answers, the cost ledger, engineers' visit reports.

Deterministic for a given seed and day (open cases are dated back from today); written with bulk_create in
batches; never touches the study's records: every synthetic code starts with "syn", every synthetic application
reference with "SYN", and every name and address is obviously fake. Running again with the same seed adds only
what is missing.

The parts: plan.py (vocabulary, shares, the clock, one case's plan), registry.py (firms, engineers),
timeline.py (a case's stages and visits), applications.py, aftercare.py (follow-ups, costs, visit reports),
writing.py (one batch's inserts). `generate_cases` below is the entry point.
"""

import random
from types import SimpleNamespace

from django.db import connection, transaction

from ..models import (
    Case,
    CostLine,
    Firm,
    FollowUp,
    FollowUpAdoption,
    FollowUpMeasurement,
    Mentor,
    Metric,
    Outcome,
    StageChange,
    Visit,
)
from ..seeding import seed as seed_study
from .applications import application_models, create_unlinked_applications
from .plan import CASES_PER_FIRM, CASES_PER_MENTOR, MIN_MENTORS, Clock, Engineer, Plan, Vocabulary, stages_for
from .registry import create_engineers, make_engineer, make_firm
from .timeline import plan_case
from .writing import write_batch

__all__ = ["Clock", "Engineer", "Plan", "Vocabulary", "analyze_cases", "generate_cases"]


def generate_cases(count, *, seed=0, batch_size=2000, progress=None, today=None):
    """Create `count` synthetic cases with their firms, engineers, areas, outcomes, metrics, stage changes,
    visits and applications, the follow-ups of the finished ones and the costs of the started ones, plus
    applications still waiting and declined ones.

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
    engineers = [make_engineer(rng, vocabulary, clock, prefix, n) for n in range(engineer_count)]
    with transaction.atomic():
        Firm.objects.bulk_create(
            [make_firm(rng, vocabulary, prefix, n) for n in range(firm_count)],
            batch_size=batch_size,
            ignore_conflicts=True,
        )
        create_engineers(engineers, batch_size)
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
    stages = stages_for(rng, count)
    created = 0
    for start in range(0, count, batch_size):
        numbers = range(start, min(start + batch_size, count))
        plans = [plan_case(rng, vocabulary, clock, prefix, n, stages[n], firm_count, engineers) for n in numbers]
        with transaction.atomic():
            created += write_batch(plans, firms, mentors, engineers)
        if progress:
            progress(numbers[-1] + 1, count)
    create_unlinked_applications(rng, vocabulary, clock, count)
    analyze_cases()
    return created


def analyze_cases():
    """Refresh the planner's statistics: after a bulk load they describe the empty tables, and PostgreSQL would
    plan the public queries for a handful of rows (autovacuum catches up only later)."""
    if connection.vendor != "postgresql":
        return
    models = [Firm, Mentor, Case, Outcome, Metric, StageChange, Visit, *application_models()]
    models += [FollowUp, FollowUpAdoption, FollowUpMeasurement, CostLine]
    tables = [model._meta.db_table for model in models]
    for model, m2m in ((Case, "guidance_areas"), (Mentor, "guidance_areas"), (Mentor, "industries"), (Visit, "topics")):
        tables.append(getattr(model, m2m).through._meta.db_table)
    # VACUUM too where it may run (not inside a transaction, as in tests): it marks the new pages all-visible,
    # so counts the staff pages take from an index alone need not visit the table (autovacuum would, later).
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"{command} {connection.ops.quote_name(table)}")
