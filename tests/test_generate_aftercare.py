"""`generate_cases` also makes what came after: the follow-ups of finished cases (answered, closed or open as the
model's invariant wants), the cost ledger of started cases and engineers' reports; deterministic for a seed, only
ever added to synthetic cases."""

from collections import Counter, defaultdict
from datetime import date, datetime, time
from io import StringIO
from statistics import median

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db.models import Count, F, Q
from django.utils import timezone

from applications.models import Application
from cases.models import (
    Case,
    CostLine,
    FollowUp,
    FollowUpAdoption,
    FollowUpMeasurement,
    MetricKind,
    Stage,
    StageChange,
    Visit,
    add_months,
    subsidy_at,
)
from cases.synthetic import generate_cases

pytestmark = pytest.mark.django_db

COUNT, SEED = 500, 4
TODAY = date(2026, 6, 15)
FINISHED = (Stage.COMPLETED, Stage.FOLLOWED_UP)
OPEN = Q(state__in=FollowUp.OPEN_STATES)


@pytest.fixture
def generated(seeded):
    call_command(
        "generate_cases",
        str(COUNT),
        "--seed",
        str(SEED),
        "--today",
        f"{TODAY}",
        "--batch-size",
        "200",
        stdout=StringIO(),
    )
    return Case.objects.filter(code__startswith=f"syn{SEED}-")


def test_three_followups_for_each_finished_synthetic_case_due_from_its_completion(generated):
    finished = generated.filter(stage__in=FINISHED)
    assert not FollowUp.objects.exclude(case__in=finished).exists()  # none for open, withdrawn or study cases
    assert not finished.annotate(n=Count("followups")).exclude(n=3).exists()
    completed_on = {
        case_id: timezone.localdate(at)
        for case_id, at in StageChange.objects.filter(case__in=finished, transition="complete").values_list(
            "case_id", "at"
        )
    }
    offsets = dict(zip(FollowUp.Kind.values, settings.FOLLOWUP_MONTHS, strict=True))
    for case_id, kind, due_on in FollowUp.objects.values_list("case_id", "kind", "due_on"):
        assert due_on == add_months(completed_on[case_id], offsets[kind])


def test_no_case_breaks_the_followed_up_invariant(generated):
    # A completed case has an open follow-up; a followed-up case has none.
    assert not generated.filter(stage=Stage.COMPLETED).exclude(followups__in=FollowUp.objects.filter(OPEN)).exists()
    assert not generated.filter(stage=Stage.FOLLOWED_UP, followups__in=FollowUp.objects.filter(OPEN)).exists()
    followups = FollowUp.objects.filter(case__in=generated)
    # Each state carries its own times and nothing else; answers only on answered ones.
    assert (
        not followups.filter(state="answered")
        .filter(Q(answered_at=None) | Q(satisfaction=None) | Q(recommend=None) | Q(attribution=None) | Q(sent_at=None))
        .exists()
    )
    assert not followups.filter(state="closed").filter(Q(closed_at=None) | Q(sent_at=None)).exists()
    assert not followups.filter(state="sent", sent_at=None).exists()
    assert not followups.filter(state="due", sent_at__isnull=False).exists()
    assert not followups.exclude(state="answered").filter(Q(satisfaction__isnull=False) | ~Q(comment="")).exists()
    assert not followups.exclude(state="answered").filter(adoptions__isnull=False).exists()
    # Nothing in the future, nothing before the completion, answered before the case moved on.
    now = timezone.make_aware(datetime.combine(TODAY, time(18)))  # the generator's clock with --today
    assert not followups.filter(Q(sent_at__gt=now) | Q(answered_at__gt=now) | Q(closed_at__gt=now)).exists()
    assert not followups.filter(state="answered", answered_at__lt=F("sent_at")).exists()
    moved_on = dict(StageChange.objects.filter(transition="mark_followed_up").values_list("case_id", "at"))
    completed = dict(StageChange.objects.filter(transition="complete").values_list("case_id", "at"))
    for followup in followups.exclude(sent_at=None):
        assert followup.sent_at >= completed[followup.case_id]
        done = followup.answered_at or followup.closed_at
        if followup.case_id in moved_on:
            assert done <= moved_on[followup.case_id]
    for case_id, at in moved_on.items():  # the case moved on when its last follow-up was done
        last = max(f.answered_at or f.closed_at for f in followups.filter(case_id=case_id))
        assert last == at


def test_past_due_followups_mostly_answered_some_closed_future_ones_open(generated):
    followups = FollowUp.objects.filter(case__in=generated)
    past = Counter(followups.filter(due_on__lt=TODAY).values_list("state", flat=True))
    assert past["answered"] > 0.6 * sum(past.values())
    assert past["closed"] > 0
    future = followups.filter(due_on__gt=TODAY, case__stage=Stage.COMPLETED)
    assert future.exists() and set(future.values_list("state", flat=True)) <= {"due", "sent"}
    assert set(followups.filter(OPEN).values_list("state", flat=True)) == {"due", "sent"}


def test_answers_are_plausible(generated):
    answered = FollowUp.objects.filter(case__in=generated, state="answered")
    assert answered.count() > COUNT  # most of ~1,400 follow-ups
    areas = defaultdict(set)
    for case_id, area_id in Case.guidance_areas.through.objects.filter(case__in=generated).values_list(
        "case_id", "guidancearea_id"
    ):
        areas[case_id].add(area_id)
    adopted = defaultdict(set)
    for followup__case_id, followup_id, area_id in FollowUpAdoption.objects.values_list(
        "followup__case_id", "followup_id", "area_id"
    ):
        adopted[(followup__case_id, followup_id)].add(area_id)
    for case_id, followup_id in answered.values_list("case_id", "pk"):
        assert adopted[(case_id, followup_id)] == areas[case_id]  # one answer per guidance area of the case
    per_followup = Counter(FollowUpMeasurement.objects.values_list("followup_id", flat=True))
    assert set(per_followup) <= set(answered.values_list("pk", flat=True))
    assert set(per_followup.values()) <= {1, 2, 3} and len(per_followup) > 0.9 * answered.count()
    # A case measures the same kinds from the same baseline in each of its answers.
    baselines = defaultdict(set)
    for case_id, kind, baseline in FollowUpMeasurement.objects.values_list(
        "followup__case_id", "kind__code", "baseline"
    ):
        baselines[(case_id, kind)].add(baseline)
    assert all(len(values) == 1 for values in baselines.values())
    changes = defaultdict(list)
    for measurement in FollowUpMeasurement.objects.select_related("kind"):
        changes[measurement.kind.code].append(measurement.change_percent or 0)
        if measurement.kind.code in ("defect-rate", "cost", "productivity"):
            assert 0 < measurement.current < 100 and 0 < measurement.baseline < 100
        if measurement.kind.code == "employment":
            assert measurement.current == int(measurement.current) and measurement.current > 0
    assert set(changes) == set(MetricKind.objects.values_list("code", flat=True))
    assert median(changes["defect-rate"]) < 0 and median(changes["cost"]) < 0
    assert median(changes["sales"]) > 0 and median(changes["productivity"]) > 0
    satisfaction = Counter(answered.values_list("satisfaction", flat=True))
    assert satisfaction[4] + satisfaction[5] > satisfaction[1] + satisfaction[2] + satisfaction[3]
    assert not answered.filter(Q(attribution__gt=100) | Q(recommend__gt=10)).exists()


def test_cost_lines_for_the_visits_with_subsidy_at_the_cases_rate(generated):
    lines = CostLine.objects.filter(case__in=generated)
    with_visits = generated.filter(visits__isnull=False).distinct()
    assert set(lines.values_list("case_id", flat=True)) == set(with_visits.values_list("pk", flat=True))
    assert not CostLine.objects.exclude(case__in=with_visits).exists()
    assert not with_visits.filter(Q(subsidy_rate__lt=50) | Q(subsidy_rate__gt=60) | Q(subsidy_rate=None)).exists()
    assert not generated.filter(visits=None, subsidy_rate__isnull=False).exists()
    assert not lines.filter(subsidy__gt=F("amount")).exists()
    for amount, subsidy, rate in lines.values_list("amount", "subsidy", "case__subsidy_rate"):
        assert subsidy == subsidy_at(amount, rate)
        assert 10_000 <= amount <= 50_000_000  # won: a year's fees, flights, nights of one case
    assert set(lines.values_list("kind", flat=True)) == set(CostLine.Kind.values)
    # Settled per year of the guidance: per kind, one line for that year's visits on record (or awaiting review).
    on_record = Visit.objects.filter(case__in=generated).exclude(report_state="returned")
    settled = defaultdict(Counter)  # kind → (case, year) → visits it pays for
    for case_id, kind, spent_on, note in lines.exclude(kind="other").values_list("case_id", "kind", "spent_on", "note"):
        settled[kind][(case_id, spent_on.year)] += int(note.removeprefix("방문 ").removesuffix("회"))
    for kind, visits in (
        ("consulting", on_record),
        ("airfare", on_record.filter(mode="on_site")),
        ("accommodation", on_record.filter(mode="on_site")),
        ("interpretation", on_record.filter(interpreter=True)),
    ):
        assert settled[kind] == Counter(
            (case_id, started_on.year) for case_id, started_on in visits.values_list("case_id", "started_on")
        )
    # Dated within the guidance: from the engineer's assignment to the completion (or today).
    assigned = dict(StageChange.objects.filter(transition="assign_mentor").values_list("case_id", "at"))
    completed = dict(StageChange.objects.filter(transition="complete").values_list("case_id", "at"))
    for case_id, spent_on in lines.values_list("case_id", "spent_on"):
        end = timezone.localdate(completed[case_id]) if case_id in completed else TODAY
        assert timezone.localdate(assigned[case_id]) <= spent_on <= end


def test_engineers_reports_in_current_guidance_only(generated):
    visits = Visit.objects.filter(case__in=generated)
    reported = visits.exclude(report_state="confirmed")
    states = Counter(reported.values_list("report_state", flat=True))
    assert states["submitted"] > 0 and states["returned"] > 0
    assert not reported.exclude(case__stage=Stage.IN_GUIDANCE).exists()
    assert not visits.filter(report_state="returned").filter(Q(returned_reason="") | Q(reviewed_at=None)).exists()
    for visit in visits.filter(report_state="returned"):
        assert visit.reviewed_at.date() > visit.ended_on
    assert not visits.filter(report_state="submitted", reviewed_at__isnull=False).exists()


def test_the_study_and_other_records_are_never_touched(generated):
    study = Case.objects.filter(code__startswith="2017-")
    assert study.count() == 12
    assert not FollowUp.objects.filter(case__in=study).exists()
    assert not CostLine.objects.filter(case__in=study).exists()
    assert not study.filter(subsidy_rate__isnull=False).exists()
    assert not Visit.objects.filter(case__in=study).exclude(report_state="confirmed").exists()


def aftercare(seed):
    cases = Case.objects.filter(code__startswith=f"syn{seed}-")
    followups = FollowUp.objects.filter(case__in=cases).order_by("case__code", "kind")
    return (
        list(cases.order_by("code").values_list("code", "subsidy_rate")),
        list(
            followups.values_list(
                "case__code", "kind", "due_on", "state", "sent_at", "answered_at", "closed_at", "satisfaction"
            )
        ),
        list(followups.values_list("case__code", "kind", "recommend", "attribution", "comment")),
        list(
            FollowUpAdoption.objects.filter(followup__in=followups)
            .order_by("followup__case__code", "followup__kind", "area__code")
            .values_list("followup__case__code", "followup__kind", "area__code", "adopted")
        ),
        list(
            FollowUpMeasurement.objects.filter(followup__in=followups)
            .order_by("followup__case__code", "followup__kind", "kind__code")
            .values_list("followup__case__code", "followup__kind", "kind__code", "baseline", "current")
        ),
        list(
            CostLine.objects.filter(case__in=cases)
            .order_by("case__code", "spent_on", "kind", "amount")
            .values_list("case__code", "kind", "spent_on", "amount", "subsidy", "note")
        ),
        list(
            Visit.objects.filter(case__in=cases)
            .order_by("case__code", "started_on")
            .values_list("case__code", "report_state", "returned_reason", "reviewed_at")
        ),
    )


def test_same_seed_same_aftercare_whatever_the_batch_size(seeded):
    assert generate_cases(150, seed=9, today=TODAY) == 150
    first = aftercare(9)
    assert all(first)  # every part has rows
    assert generate_cases(150, seed=9, today=TODAY) == 0  # a rerun adds nothing
    assert aftercare(9) == first
    Application.objects.filter(reference__startswith="SYN").delete()
    Case.objects.filter(code__startswith="syn9-").delete()
    assert generate_cases(150, seed=9, today=TODAY, batch_size=40) == 150
    assert aftercare(9) == first


def test_counts_scale_with_n(seeded):
    counts = {}
    for seed, n in ((1, 100), (2, 400)):
        generate_cases(n, seed=seed, today=TODAY)
        cases = Case.objects.filter(code__startswith=f"syn{seed}-")
        finished = cases.filter(stage__in=FINISHED).count()
        assert FollowUp.objects.filter(case__in=cases).count() == 3 * finished
        counts[n] = (
            finished,
            CostLine.objects.filter(case__in=cases).count(),
            FollowUpMeasurement.objects.filter(followup__case__in=cases).count(),
        )
    for small, large in zip(counts[100], counts[400], strict=True):
        assert 3 * small < large < 5 * small


def test_a_flushed_database_gets_its_metric_kinds_from_the_fixtures(db):
    MetricKind.objects.all().delete()  # as after `flush`: migration 0012's kinds are gone
    generate_cases(40, seed=3, today=TODAY)
    assert MetricKind.objects.count() == 6
    assert FollowUpMeasurement.objects.filter(followup__case__code__startswith="syn3-").exists()
