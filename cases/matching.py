"""Matching: the ranked shortlist of engineers for a case in `matching`, each with the reasons for its place.

The ranking is one SQL query over the whole registry (annotations, ORDER BY, LIMIT); the reasons for the few
engineers shown take two more. So the shortlist costs the same whatever the size of the registry.

Order: engineers with room before full ones (load ≥ capacity; an unknown capacity is never full), then the firm's
previous engineers, then the most guidance areas shared with the case, then those who know the firm's industry,
then the most finished cases, then the lightest load.
"""

from dataclasses import dataclass, field

from django.db.models import BooleanField, Case, Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce

from .models import PUBLISHABLE_STAGES, Mentor, Stage
from .models import Case as GuidanceCase

SHORTLIST_SIZE = 10


@dataclass
class Candidate:
    mentor: Mentor
    shared_areas: list = field(default_factory=list)
    knows_industry: bool = False
    previous_engineer: bool = False
    finished_cases: int = 0
    finished_by_pattern: list = field(default_factory=list)  # [(pattern name, count)]
    load: int = 0

    @property
    def capacity(self):
        return self.mentor.capacity

    @property
    def full(self):
        return self.capacity is not None and self.load >= self.capacity


def _count_of(queryset, key):
    """A correlated COUNT(*) of `queryset` rows whose `key` is the outer engineer (0 when none)."""
    counted = queryset.filter(**{key: OuterRef("pk")}).order_by().values(key).annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def shortlist(case, *, limit=SHORTLIST_SIZE):
    """The best `limit` active engineers for `case` (reads case.firm: select it first), as Candidates."""
    area_ids = list(case.guidance_areas.values_list("pk", flat=True))
    other_cases = GuidanceCase.objects.exclude(pk=case.pk)
    ranked = (
        Mentor.objects.active()
        .exclude(pk=case.mentor_id or 0)
        .annotate(
            shared=_count_of(Mentor.guidance_areas.through.objects.filter(guidancearea_id__in=area_ids), "mentor_id"),
            knows_industry=Exists(
                Mentor.industries.through.objects.filter(mentor_id=OuterRef("pk"), industry_id=case.firm.industry_id)
            ),
            previous=Exists(other_cases.filter(firm_id=case.firm_id, mentor_id=OuterRef("pk"))),
            finished=_count_of(GuidanceCase.objects.filter(stage__in=PUBLISHABLE_STAGES), "mentor_id"),
            load=_count_of(GuidanceCase.objects.filter(stage=Stage.IN_GUIDANCE), "mentor_id"),
        )
        .annotate(
            full=Case(
                When(Q(capacity__isnull=False) & Q(load__gte=F("capacity")), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by("full", "-previous", "-shared", "-knows_industry", "-finished", "load", "code")[:limit]
    )
    mentors = list(ranked)
    ids = [mentor.pk for mentor in mentors]
    area_names = {}
    for mentor_id, name in (
        Mentor.guidance_areas.through.objects.filter(mentor_id__in=ids, guidancearea_id__in=area_ids)
        .order_by("guidancearea__name")
        .values_list("mentor_id", "guidancearea__name")
    ):
        area_names.setdefault(mentor_id, []).append(name)
    by_pattern = {}
    for mentor_id, pattern, count in (
        GuidanceCase.objects.filter(mentor_id__in=ids, stage__in=PUBLISHABLE_STAGES, outcome_pattern__isnull=False)
        .order_by("outcome_pattern__position", "outcome_pattern__code")
        .values_list("mentor_id", "outcome_pattern__name")
        .annotate(n=Count("pk"))
    ):
        by_pattern.setdefault(mentor_id, []).append((pattern, count))
    return [
        Candidate(
            mentor=mentor,
            shared_areas=area_names.get(mentor.pk, []),
            knows_industry=mentor.knows_industry,
            previous_engineer=mentor.previous,
            finished_cases=mentor.finished,
            finished_by_pattern=by_pattern.get(mentor.pk, []),
            load=mentor.load,
        )
        for mentor in mentors
    ]
