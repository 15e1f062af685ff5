"""PublishedCount (cases/models/counts.py) always equals a recount of the published cases, whatever wrote."""

import threading
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from cases.models import ANY_AREA, Case, Firm, GuidanceArea, Industry, PublishedCount
from cases.models.counts import KEY
from tests.factories import make_area, make_case, make_firm, make_industry

pytestmark = pytest.mark.django_db


def recount():
    """The same counts, by the ORM from the cases themselves: any area once per case, then each area."""
    counts = Counter()
    cases = Case.objects.published().select_related("firm").prefetch_related("guidance_areas")
    for case in cases:
        dims = (
            case.outcome_pattern_id,
            case.started_year,
            case.ended_year,
            case.firm.industry_id,
            case.product,
            case.technology,
            case.evolution_path_id,
        )
        counts[(*dims, ANY_AREA)] += 1
        for area in case.guidance_areas.all():
            counts[(*dims, area.pk)] += 1
    return counts


def kept():
    """The kept counts in recount()'s terms (NONE back to None), leaving out rows counted down to zero."""
    counts = Counter()
    for *key, n in PublishedCount.objects.filter(cases__gt=0).values_list(*KEY, "cases"):
        area, pattern, start, end, industry, product, technology, path = key
        counts[(pattern or None, start or None, end or None, industry, product, technology, path or None, area)] = n
    return counts


def test_the_seeded_study_is_counted(seeded):
    assert kept() == recount()
    assert sum(n for key, n in kept().items() if key[-1] == ANY_AREA) == 12


def test_every_kind_of_write_keeps_the_counts_exact(seeded):
    a, b = make_area(), make_area()
    case = make_case(areas=[a, b], started_year=2015, ended_year=2017)
    assert kept() == recount()

    case.guidance_areas.remove(a)  # an area taken away
    case.guidance_areas.add(GuidanceArea.objects.exclude(pk__in=[a.pk, b.pk]).first())
    assert kept() == recount()

    case.ended_year = None  # a period changed through the model
    case.product = "proprietary"
    case.save()
    assert kept() == recount()

    firm = case.firm  # the firm moves to another industry: all its published cases move
    make_case(firm=firm, areas=[b])
    firm.industry = make_industry()
    firm.save()
    assert kept() == recount()

    case.firm = make_firm()  # the case changes firm
    case.save()
    assert kept() == recount()

    Case.objects.filter(firm__code__in=["A", "B", "C"]).update(status=Case.Status.DRAFT)  # a bulk update
    assert kept() == recount()
    Case.objects.filter(firm__code="A").update(status=Case.Status.PUBLISHED)
    assert kept() == recount()

    with connection.cursor() as cursor:  # raw SQL
        cursor.execute("UPDATE cases_case SET started_year = 2012 WHERE started_year = 2013")
        cursor.execute("DELETE FROM cases_case_guidance_areas WHERE case_id = %s", [case.pk])
    assert kept() == recount()

    draft = make_case(areas=[a], status=Case.Status.DRAFT, stage=Case.Stage.COMPLETED)
    assert kept() == recount()  # a draft counts nowhere
    draft.status = Case.Status.PUBLISHED
    draft.save()
    assert kept() == recount()

    case.guidance_areas.add(a)
    case.delete()  # deleted with its areas
    Case.objects.filter(pk=draft.pk).delete()
    assert kept() == recount()


def test_a_bulk_load_is_counted(seeded):
    industry = Industry.objects.first()
    firms = Firm.objects.bulk_create(
        [Firm(code=f"BULK{n}", name=f"대량{n}", products="제품", industry=industry) for n in range(30)]
    )
    pattern = Case.objects.first().outcome_pattern
    cases = Case.objects.bulk_create(
        [
            Case(
                code=f"bulk-{n}",
                firm=firm,
                outcome_pattern=pattern,
                started_year=2010 + n % 5,
                status=Case.Status.PUBLISHED,
                stage=Case.Stage.COMPLETED,
            )
            for n, firm in enumerate(firms)
        ]
    )
    areas = list(GuidanceArea.objects.all()[:3])
    Through = Case.guidance_areas.through
    Through.objects.bulk_create(
        [Through(case_id=case.pk, guidancearea_id=area.pk) for case in cases for area in areas[: 1 + case.pk % 3]]
    )
    assert kept() == recount()


@pytest.mark.django_db(transaction=True)  # restore flushes: PostgreSQL truncates only outside a transaction
def test_a_restored_backup_is_counted_and_the_counts_are_not_in_it(seeded, tmp_path):
    path = tmp_path / "backup.json"
    call_command("backup", output=str(path))
    assert "cases.publishedcount" not in path.read_text()
    Case.objects.filter(firm__code="A").update(status=Case.Status.DRAFT)
    call_command("restore", str(path), yes=True)
    assert kept() == recount()
    assert sum(n for key, n in kept().items() if key[-1] == ANY_AREA) == 12


@pytest.mark.parametrize(
    "filters",
    [{}, {"pattern": "1"}, {"year": "2013"}, {"area": "quality"}, {"pattern": "2", "area": "quality", "year": "2014"}],
    ids=lambda filters: "&".join(f"{k}={v}" for k, v in filters.items()) or "none",
)
def test_a_search_matching_every_case_counts_what_the_kept_counts_do(seeded, filters):
    """The two ways of counting (summed from the kept rows; a search's matches grouped) agree."""
    from django.test import RequestFactory

    from cases.facets import CaseGroups, FacetCounts, SearchGroups
    from cases.filters import CaseFilter

    def facet_counts(params):
        filterset = CaseFilter(params, queryset=Case.objects.published(), request=RequestFactory().get("/"))
        assert filterset.is_valid(), filterset.errors
        return CaseGroups.of(filterset), FacetCounts.count(filterset)

    everything = next(term for term in ("기", "의", "이") if Case.objects.published().search(term).count() == 12)
    kept_groups, kept_counts = facet_counts(filters)
    search_groups, search_counts = facet_counts({**filters, "q": everything})
    assert type(kept_groups) is CaseGroups and type(search_groups) is SearchGroups
    assert search_counts == kept_counts
    assert sum(kept_counts.periods.values()) > 0  # something was counted


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("other_write", ["adds an area", "moves the firm to another industry"])
def test_a_case_published_while_another_writer_changes_it_is_counted_as_both_left_it(other_write):
    """Two writers at once, each on its own connection: one publishes a case and, before it commits, the other adds
    an area to the case or moves its firm to another industry. Neither may count from the other's rows as they
    were before: on PostgreSQL the count triggers wait for each other (SQLite has one writer at a time)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time (a second writer to the in-memory test database fails at once)")
    from cases.seeding import seed

    seed()
    case = Case.objects.get(code="2017-J")
    Case.objects.filter(pk=case.pk).update(status=Case.Status.DRAFT)
    area = GuidanceArea.objects.exclude(cases=case).first()
    industry = Industry.objects.exclude(pk=case.firm.industry_id).first()
    published = threading.Event()

    def other_writer():
        try:
            published.wait(10)
            if other_write == "adds an area":
                case.guidance_areas.add(area)
            else:
                Firm.objects.filter(pk=case.firm_id).update(industry=industry)
        finally:
            connection.close()

    thread = threading.Thread(target=other_writer)
    thread.start()
    with transaction.atomic():
        Case.objects.filter(pk=case.pk).update(status=Case.Status.PUBLISHED)
        published.set()
        thread.join(1)  # the other writer's triggers run meanwhile (on PostgreSQL they wait for this commit)
    thread.join(30)
    assert area in case.guidance_areas.all() or Firm.objects.get(pk=case.firm_id).industry == industry
    assert kept() == recount()


def test_the_search_groups_cover_every_filter_but_the_search_and_the_order():
    """A search's grouped matches are kept by search text alone: every other filter must be one they can count by
    (a new filter must be added to FACET_FILTERS and CaseGroups.COLUMNS)."""
    from cases.facets import FACET_FILTERS
    from cases.filters import CaseFilter

    assert set(CaseFilter.base_filters) - {"q", "sort"} == set(FACET_FILTERS)
