"""Writing one batch of planned cases, in bulk: a handful of INSERTs per batch, whatever its size."""

from types import SimpleNamespace

from .. import search
from ..models import Case, Metric, Outcome, StageChange, Visit
from . import aftercare
from .applications import create_applications


def write_batch(plans, firms, mentors, engineers):
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
    aftercare.write_aftercare(plans)
    create_applications(
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
