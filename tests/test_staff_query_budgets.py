"""Query budgets of the staff pages: each costs the same number of queries with a few synthetic cases and with
ten times as many (more engineers, visits, follow-ups, costs), for a superuser and for an editor (편집자).

The numbers are pinned here; docs/performance.md, "Staff pages" has the time they take at 100,000 cases.
"""

from io import StringIO

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, Stage, Visit

pytestmark = pytest.mark.django_db

TODAY = "2026-06-15"  # the synthetic data's day, so the same records every time

# Every page below costs its budget for a superuser; an editor (편집자) pays two more queries for the
# permission checks (the user's and the group's permissions), and nothing else changes.
EDITOR_EXTRA = 2
# Session, user and two-factor device come first on every page (3 of each budget).
BUDGETS = {
    # cases (by stage and what needs attention), visits, follow-ups, applications, engineers: one query each
    "dashboard": 8,
    # the case (twice: the stage panel and the form), its areas, the stage record and visit totals, the
    # shortlist (ranking, shared areas, finished by pattern), each inline's rows once, the vocabularies' choices,
    # the personal-data access record
    "case change, matching": 27,
    # a case with visits, follow-ups and costs: the visits' topics and engineer are read once for all visits
    "case change, followed up": 26,
    # the page's count, its rows with firm and pattern, their areas, the years and drafts, the vocabulary
    "case change list": 8,
    "case change list, in guidance": 8,
    "case change list, search": 8,
    # the count, the rows with case, firm and engineer, the date range and the years that have visits
    "visit change list": 8,
    # with a filter inside one year the date hierarchy reads the months instead (one query fewer)
    "visit change list, awaiting review": 7,
    "follow-up change list, overdue": 7,
    # years with data (two), then one query per section; the measured outcomes' ten queries run once per data
    # version (warm here: the request before this one ran them; tests/test_staff_report.py)
    "report": 12,
}


def editor():
    user = User.objects.create_user("editor", password="a-long-staff-password", is_staff=True)
    user.groups.add(Group.objects.get(name="편집자"))
    return user


def pages():
    """The pages, each for a record chosen the same way at any size."""
    matching = Case.objects.filter(stage=Stage.MATCHING, code__startswith="syn").order_by("code").first()
    followed = (
        Case.objects.filter(stage=Stage.FOLLOWED_UP, code__startswith="syn", visits__isnull=False)
        .order_by("code")
        .first()
    )
    year = timezone.localdate().year
    return {
        "dashboard": ("/admin/", {}),
        "case change, matching": (reverse("admin:cases_case_change", args=[matching.pk]), {}),
        "case change, followed up": (reverse("admin:cases_case_change", args=[followed.pk]), {}),
        "case change list": ("/admin/cases/case/", {}),
        "case change list, in guidance": ("/admin/cases/case/", {"stage": Stage.IN_GUIDANCE}),
        "case change list, search": ("/admin/cases/case/", {"q": "금형"}),
        "visit change list": ("/admin/cases/visit/", {}),
        "visit change list, awaiting review": (
            "/admin/cases/visit/",
            {"report_state__exact": Visit.ReportState.SUBMITTED},
        ),
        "follow-up change list, overdue": ("/admin/cases/followup/", {"overdue": "yes"}),
        "report": ("/admin/report/", {"year": year - 1}),
    }


def measure(client, users):
    counts = {}
    for role, user in users.items():
        client.force_login(user)
        for name, (url, params) in pages().items():
            client.get(url, params, secure=True)  # warm: per-process caches (content types, the vocabulary)
            with CaptureQueriesContext(connection) as context:
                response = client.get(url, params, secure=True)
            assert response.status_code == 200, (name, response.status_code)
            counts[(role, name)] = len(context.captured_queries)
    return counts


def generate(count, seed):
    call_command("generate_cases", str(count), "--seed", str(seed), "--today", TODAY, stdout=StringIO())


def test_every_staff_page_costs_the_same_at_40_and_440_cases(client, seeded):
    users = {"superuser": User.objects.create_superuser("boss", password="a-long-staff-password"), "editor": editor()}
    generate(40, seed=1)
    small = measure(client, users)
    generate(400, seed=2)
    assert Case.objects.count() == 452
    large = measure(client, users)
    print("SMALL", small)
    print("LARGE", large)
    assert large == small
    expected = {
        (role, name): budget + (EDITOR_EXTRA if role == "editor" else 0)
        for role in users
        for name, budget in BUDGETS.items()
    }
    assert small == expected
