"""Korean free-text search: two-syllable words, compounds, several words, kept current as records change."""

import pytest
from django.db import connection

from cases.models import Case, Firm, GuidanceArea, Mentor
from tests.factories import make_area, make_case

pytestmark = pytest.mark.django_db


def codes(query):
    return sorted(Case.objects.published().search(query).values_list("firm__code", flat=True))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("금형", ["J"]),
        ("용접", ["G"]),
        ("애자", ["F"]),
        ("도료", ["B"]),
        ("센서", ["A"]),
        ("판넬", ["E"]),  # inside 복합판넬
        ("분체", ["I"]),  # inside 분체공학
        ("opc", ["D"]),  # Latin, case-insensitive
        ("Glass Frit", ["I"]),
        ("사출 금형", ["J"]),  # every word must match
        ("금형 용접", []),
    ],
)
def test_search_finds_study_cases(seeded, query, expected):
    assert codes(query) == expected


def test_blank_query_filters_nothing(seeded):
    assert len(codes("   ")) == 12


def test_search_follows_edits_to_firms_mentors_and_areas(seeded):
    firm = Firm.objects.get(code="A")
    firm.products = "초음파 유량계"
    firm.save()
    assert codes("유량계") == ["A"]

    mentor = Mentor.objects.get(code="mentor-b")
    mentor.background = "도쿄의 도장 설비 회사 출신"
    mentor.save()
    assert codes("도장 설비") == ["B"]

    area = GuidanceArea.objects.get(code="welding")
    area.name = "아크 용착"
    area.save()
    assert codes("용착") == ["G"]

    case = Case.objects.get(code="2017-C")
    case.guidance_areas.add(make_area(name="진공 증착"))
    assert codes("증착") == ["C"]
    case.guidance_areas.clear()
    assert codes("증착") == []

    area.delete()
    assert codes("용착") == []


def test_search_text_is_set_on_create(db):
    case = make_case(guidance="정밀 가공 지도")
    assert "정밀 가공" in Case.objects.get(pk=case.pk).search_text


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the bigram index exists on PostgreSQL only")
@pytest.mark.parametrize("query", ["금형", "사출 금형"])
def test_postgresql_serves_search_from_the_bigram_index(seeded, query):
    with connection.cursor() as cursor:
        # With 12 rows a scan is cheapest: forbid plain and full-index scans to show the index *can* serve it.
        cursor.execute("SET enable_seqscan = off; SET enable_indexscan = off")
        plan = Case.objects.search(query).explain()
        cursor.execute("RESET enable_seqscan; RESET enable_indexscan")
    assert "case_search_bigrams_idx" in plan


@pytest.mark.parametrize("query", ["금형", "사출 금형", "Glass Frit"])
def test_a_search_nested_in_another_query_finds_the_same_cases(seeded, query):
    # Exports, the casebook and the facets read a search as a subquery, where Django renames the table (U0…):
    # the bigram condition must follow it.
    nested = Case.objects.filter(pk__in=Case.objects.published().search(query)).values_list("firm__code", flat=True)
    assert sorted(nested) == codes(query)
    assert codes(query)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the bigram column exists on PostgreSQL only")
def test_the_bigrams_are_kept_in_the_case_row(db):
    # Migration 0019: a broad search tests every case's bigrams; out of the row (TOAST) each test cost a fetch.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstorage FROM pg_attribute WHERE attrelid = 'cases_case'::regclass AND attname = 'search_bigrams'"
        )
        assert cursor.fetchone() == ("m",)
        cursor.execute("SHOW work_mem")  # tracker/settings.py: a broad search's grouping sorts in memory
        assert cursor.fetchone() == ("32MB",)
