"""`generate_cases` makes the whole lifecycle: engineers, cases in every stage, stage changes, visits that obey
the visit rules, and applications; deterministic for a seed, and a rerun adds nothing."""

from collections import Counter
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, F

from applications.models import Application
from cases.models import (
    MAX_HOURS_PER_DAY,
    PUBLISHABLE_STAGES,
    Case,
    Mentor,
    Stage,
    StageChange,
    Visit,
    registration_number_is_valid,
)
from cases.synthetic import generate_cases

pytestmark = pytest.mark.django_db

COUNT, SEED = 600, 5
STARTED = (Stage.IN_GUIDANCE, Stage.COMPLETED, Stage.FOLLOWED_UP)


@pytest.fixture
def generated(seeded):
    call_command("generate_cases", str(COUNT), "--seed", str(SEED), "--batch-size", "250", stdout=StringIO())
    return Case.objects.filter(code__startswith=f"syn{SEED}-")


def test_every_stage_and_only_finished_cases_published(generated):
    stages = Counter(generated.values_list("stage", flat=True))
    assert set(stages) == set(Stage.values)
    assert stages[Stage.COMPLETED] + stages[Stage.FOLLOWED_UP] > 0.85 * COUNT  # the public pages keep their volume
    published = generated.filter(status=Case.Status.PUBLISHED)
    assert published.count() > 0.8 * COUNT
    assert not published.exclude(stage__in=PUBLISHABLE_STAGES).exists()
    assert not published.filter(published_at__isnull=True).exists()
    # Open cases have no engineer, outcomes or year yet; started ones have all three.
    open_cases = generated.filter(stage__in=(Stage.RECEIVED, Stage.MATCHING))
    assert not open_cases.exclude(mentor=None).exists() and not open_cases.exclude(outcomes="").exists()
    assert not generated.filter(stage__in=STARTED, mentor=None).exists()
    assert not generated.filter(stage__in=STARTED, started_year=None).exists()


def test_about_one_engineer_per_100_cases_with_a_plausible_registry(generated):
    engineers = Mentor.objects.filter(code__startswith=f"syn{SEED}-")
    assert engineers.count() == COUNT // 100
    for engineer in engineers.prefetch_related("guidance_areas", "industries"):
        assert engineer.real_name.startswith("합성 기술자 ")
        assert engineer.email.endswith("@example.invalid")
        assert 1 <= engineer.capacity <= 4 and engineer.speaks_japanese
        assert engineer.guidance_areas.exists() and engineer.industries.exists()
        assert engineer.former_employer and engineer.specialty
    assert engineers.filter(status=Mentor.Status.ACTIVE).count() > engineers.count() / 2
    # A current guidance is given by an active engineer.
    assert not generated.filter(stage=Stage.IN_GUIDANCE).exclude(mentor__status=Mentor.Status.ACTIVE).exists()


def test_stage_changes_tell_each_cases_story(generated):
    changes = StageChange.objects.filter(case__in=generated)
    assert not changes.filter(case__stage=Stage.RECEIVED).exists()
    assigned = changes.filter(transition="assign_mentor")
    # Every started case was assigned its engineer once (the visit rules read that change).
    assert sorted(assigned.values_list("case_id", flat=True)) == sorted(
        generated.filter(stage__in=STARTED).values_list("pk", flat=True)
    )
    assert not assigned.exclude(mentor=F("case__mentor")).exists()
    assert not changes.filter(transition="withdraw", note="").exists()  # a withdrawal has its reason
    # The case's stage_changed_at is its last change; changes run forward in time.
    for case in generated.exclude(stage=Stage.RECEIVED).prefetch_related("stage_changes")[:100]:
        story = sorted(case.stage_changes.all(), key=lambda change: change.at)
        assert story[-1].target == case.stage and story[-1].at == case.stage_changed_at
        assert [change.target for change in story][:1] in (["matching"], ["withdrawn"])


def test_visits_obey_the_visit_rules(generated):
    visits = Visit.objects.filter(case__in=generated)
    per_case = Counter(visits.values_list("case_id", flat=True))
    started = generated.filter(stage__in=STARTED).values_list("pk", flat=True)
    assert all(3 <= per_case[pk] <= 8 for pk in started)
    assert not visits.exclude(case__stage__in=STARTED).exists()
    assert not visits.exclude(mentor=F("case__mentor")).exists()
    assert not visits.filter(hours__gt=F("days") * MAX_HOURS_PER_DAY).exists()
    assert not visits.filter(ended_on__lt=F("started_on")).exists()
    # full_clean() runs every rule: after the assignment, no clash with the engineer's other cases, hours.
    for visit in visits.order_by("?")[:150]:
        visit.full_clean()
        assert set(visit.topics.all()) <= set(visit.case.guidance_areas.all())
    # No engineer on two cases on overlapping days, anywhere.
    rows = visits.order_by("mentor_id", "started_on").values_list("mentor_id", "started_on", "ended_on")
    for (mentor, _start, end), (next_mentor, next_start, _end) in zip(rows, rows[1:], strict=False):
        assert mentor != next_mentor or next_start > end


def test_applications_waiting_accepted_and_declined(generated):
    synthetic = Application.objects.filter(reference__startswith="SYN")
    states = Counter(synthetic.values_list("state", flat=True))
    assert states[Application.State.NEW] >= 3 and states[Application.State.DECLINED] >= 2
    accepted = synthetic.filter(state=Application.State.ACCEPTED).select_related("case")
    assert accepted.count() > 0.15 * COUNT
    for application in accepted:
        assert application.case.request_text == application.bottleneck
        assert application.firm_id == application.case.firm_id
        assert application.case.stage != Stage.RECEIVED
        assert application.decided_at >= application.submitted_at
    assert not synthetic.filter(state=Application.State.DECLINED, decline_reason="").exists()
    assert all(
        registration_number_is_valid(number) for number in synthetic.values_list("registration_number", flat=True)
    )
    waiting = synthetic.filter(state=Application.State.NEW).values_list("submitted_at", flat=True)
    assert len({moment.date() for moment in waiting}) > 1  # of various ages
    assert not synthetic.annotate(areas=Count("wished_areas")).filter(areas=0).exists()


def test_search_text_is_what_the_signals_would_write(generated):
    sample = list(generated.order_by("?")[:80].values_list("pk", "search_text"))
    Case.objects.filter(pk__in=[pk for pk, _text in sample]).refresh_search_text()
    assert dict(sample) == dict(Case.objects.filter(pk__in=dict(sample)).values_list("pk", "search_text"))


def snapshot(seed):
    cases = Case.objects.filter(code__startswith=f"syn{seed}-").order_by("code")
    return (
        list(cases.values_list("code", "stage", "status", "stage_changed_at", "mentor__code", "started_year")),
        list(
            Visit.objects.filter(case__in=cases)
            .order_by("case__code", "started_on")
            .values_list("case__code", "mentor__code", "started_on", "ended_on", "hours", "mode")
        ),
        list(StageChange.objects.filter(case__in=cases).order_by("case__code", "at").values_list("transition", "at")),
        list(Application.objects.filter(reference__startswith="SYN").order_by("reference").values_list("reference")),
    )


def test_deterministic_for_a_seed_and_a_rerun_adds_nothing(seeded):
    day = date(2026, 3, 15)
    assert generate_cases(150, seed=9, today=day) == 150
    first = snapshot(9)
    assert generate_cases(150, seed=9, today=day) == 0  # a rerun skips what exists
    assert snapshot(9) == first

    Application.objects.filter(reference__startswith="SYN").delete()
    Case.objects.filter(code__startswith="syn9-").delete()
    assert generate_cases(150, seed=9, today=day) == 150
    assert snapshot(9) == first
    # Dated from the given day: nothing after it.
    assert not StageChange.objects.filter(case__code__startswith="syn9-", at__date__gt=day).exists()
    assert not Visit.objects.filter(case__code__startswith="syn9-", ended_on__gt=day).exists()
