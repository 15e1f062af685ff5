"""`manage.py generate_cases N --seed S`: realistic, deterministic synthetic cases that leave the study alone."""

from io import StringIO

import pytest
from django.core.management import call_command

from cases.models import Case, Metric, Outcome

pytestmark = pytest.mark.django_db


def snapshot():
    return list(
        Case.objects.filter(code__startswith="syn")
        .order_by("code")
        .values_list("code", "firm__code", "guidance", "outcome_pattern__code", "status", "started_year")
    )


def test_generates_n_cases_and_keeps_the_study_intact(seeded):
    j_before = Case.objects.values().get(code="2017-J")
    out = StringIO()
    call_command("generate_cases", "120", "--seed", "7", "--batch-size", "50", stdout=out)

    synthetic = Case.objects.filter(code__startswith="syn7-")
    assert synthetic.count() == 120
    assert Case.objects.values().get(code="2017-J") == j_before
    assert Case.objects.filter(code__startswith="2017-").count() == 12
    assert "120 / 120건" in out.getvalue()
    # Plausible proportions: mostly published, every published case has a pattern, areas and outcomes.
    drafts = synthetic.filter(status=Case.Status.DRAFT).count()
    assert 0 < drafts < 40
    assert not synthetic.filter(guidance_areas__isnull=True).exists()
    assert not synthetic.filter(status="published", outcome_pattern__isnull=True).exists()
    assert Outcome.objects.filter(case__in=synthetic).count() >= 120
    assert Metric.objects.filter(case__in=synthetic).exists()
    # Published synthetic cases carry a publication time like real ones (the feed orders by it).
    assert not synthetic.filter(status="published", published_at__isnull=True).exists()
    assert not synthetic.filter(status="draft", published_at__isnull=False).exists()


def test_synthetic_text_comes_from_the_study_and_is_searchable(seeded):
    call_command("generate_cases", "60", "--seed", "3", stdout=StringIO())
    assert Case.objects.filter(code__startswith="syn3-").search("금형").exists()


def test_same_seed_same_cases_and_rerun_adds_nothing(seeded):
    call_command("generate_cases", "40", "--seed", "5", stdout=StringIO())
    first = snapshot()
    Case.objects.filter(code__startswith="syn").delete()
    call_command("generate_cases", "40", "--seed", "5", stdout=StringIO())
    assert snapshot() == first
    call_command("generate_cases", "40", "--seed", "5", stdout=StringIO())
    assert snapshot() == first


def test_different_seeds_differ(seeded):
    call_command("generate_cases", "20", "--seed", "1", stdout=StringIO())
    call_command("generate_cases", "20", "--seed", "2", stdout=StringIO())
    one = Case.objects.filter(code__startswith="syn1-").values_list("guidance", flat=True)
    two = Case.objects.filter(code__startswith="syn2-").values_list("guidance", flat=True)
    assert list(one) != list(two)
