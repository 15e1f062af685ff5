"""Cached facet counts and cached pages are never served after the data changed, whatever path changed it."""

import pytest
from django.db import connection, transaction
from django.test import override_settings

from cases.models import Case, DataVersion, Firm, GuidanceArea, Industry, OutcomePattern

pytestmark = pytest.mark.django_db

LIST = "/cases/"


def listing_context(client, params=None):
    # The rendered page may come from the page cache (tested below, by its HTML); the counts are read from the
    # context of a page rendered now, over the cached counts.
    with override_settings(CACHE_PUBLIC_PAGES=False):
        return client.get(LIST, params or {}).context


def counts(client, kind, params=None):
    """{code: count} of one facet, as the listing shows it."""
    return {value.value: value.count for value in getattr(listing_context(client, params)["facets"], kind)}


def total(client, params=None):
    return listing_context(client, params)["page"].paginator.count


def test_publishing_and_unpublishing_through_the_model_update_the_counts(client, seeded):
    assert total(client) == 12  # the counts are now cached
    j = Case.objects.get(firm__code="J")
    j.status = Case.Status.DRAFT
    j.save()
    assert total(client) == 11
    assert counts(client, "pattern")["1"] == 5
    j.status = Case.Status.PUBLISHED
    j.save()
    assert total(client) == 12


def test_a_bulk_update_that_sends_no_signal_still_updates_the_counts(client, seeded):
    assert counts(client, "pattern") == {"1": 6, "2": 6}
    Case.objects.filter(firm__code__in=["A", "B"]).update(status=Case.Status.DRAFT)  # database triggers see it
    assert counts(client, "pattern") == {"1": 6, "2": 4}


def test_raw_sql_changes_update_the_counts(client, seeded):
    assert total(client, {"year": "2013"}) > 0
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_case SET started_year = NULL, ended_year = NULL")
    assert total(client, {"year": "2013"}) == 0


def test_moving_a_firm_to_another_industry_moves_its_case(client, seeded):
    before = counts(client, "industry")
    firm = Firm.objects.get(code="J")
    old, new = firm.industry, Industry.objects.exclude(pk=firm.industry_id).first()
    firm.industry = new
    firm.save()
    after = counts(client, "industry")
    assert after[old.code] == before[old.code] - 1
    assert after[new.code] == before[new.code] + 1


def test_changing_a_case_s_areas_updates_the_area_counts(client, seeded):
    j = Case.objects.get(firm__code="J")
    area = j.guidance_areas.first()
    before = counts(client, "area")[area.code]
    j.guidance_areas.remove(area)
    assert counts(client, "area")[area.code] == before - 1


def test_renaming_a_vocabulary_shows_at_once(client, seeded):
    client.get(LIST)
    GuidanceArea.objects.filter(code="welding").update(name="용접 기술")
    html = client.get(LIST).content.decode()
    assert "용접 기술 (" in html


def test_a_new_case_shows_in_the_counts_and_a_deleted_one_leaves(client, seeded):
    j = Case.objects.get(firm__code="J")
    assert total(client, {"q": "금형"}) == 1
    j.delete()
    assert total(client, {"q": "금형"}) == 0


def test_every_write_changes_the_token_and_a_rolled_back_one_leaves_no_trace(seeded):
    token = DataVersion.current_token()
    Case.objects.filter(firm__code="A").update(outcomes="고친 성과")
    changed = DataVersion.current_token()
    assert changed != token
    with pytest.raises(RuntimeError), transaction.atomic():
        Case.objects.filter(firm__code="A").update(outcomes="되돌릴 성과")
        raise RuntimeError
    assert DataVersion.current_token() == changed
    Case.objects.filter(firm__code="A").count()  # reads change nothing
    assert DataVersion.current_token() == changed


@pytest.mark.parametrize("url", ["/", "/cases/", "/cases/?pattern=2&q=냉동", "/stats/"])
def test_cached_pages_show_an_edit_at_once(client, seeded, url):
    client.get(url)
    html = client.get(url).content.decode()  # from the page cache
    assert "성과 패턴 2" in html
    OutcomePattern.objects.filter(code="2").update(name="두 번째 성과 패턴")
    html = client.get(url).content.decode()
    assert "두 번째 성과 패턴" in html and "성과 패턴 2<" not in html


def test_cached_pages_differ_by_language_and_url(client, seeded):
    korean = client.get(LIST, {"pattern": "1"}).content.decode()
    english = client.get(f"/en{LIST}", {"pattern": "1"}).content.decode()
    assert "검색 결과" in korean and "검색 결과" not in english
    assert total(client, {"pattern": "2"}) == 6


def test_the_cached_api_list_shows_an_edit_at_once(client, seeded):
    def pattern_names():
        return {result["outcome_pattern"]["name"] for result in client.get("/api/cases/").json()["results"]}

    assert pattern_names() == pattern_names() == {"성과 패턴 1", "성과 패턴 2"}  # the second from the cache
    OutcomePattern.objects.filter(code="2").update(name="두 번째 성과 패턴")
    assert pattern_names() == {"성과 패턴 1", "두 번째 성과 패턴"}


def test_a_cache_that_cannot_be_written_costs_speed_not_pages(client, seeded, settings):
    # /sys/kernel exists but takes no new files, even from root: every write to this cache fails.
    settings.CACHES = {**settings.CACHES, "public": {**settings.CACHES["public"], "LOCATION": "/sys/kernel"}}
    for url in ("/", "/cases/?q=금형", "/stats/", "/api/cases/"):
        assert client.get(url).status_code == 200
    assert total(client, {"pattern": "1"}) == 6


@override_settings(CACHE_PUBLIC_PAGES=False)
def test_the_statistics_page_rendered_on_every_request_counts_once_per_data_version(
    client, seeded, django_assert_num_queries
):
    """The cross-tables and the follow-up outcomes are aggregates like the facets: kept per data version, so a page
    rendered anew costs the one query that reads the version, and an unpublish shows at once."""
    before = client.get("/stats/").context
    industry_cases = sum(row.total for row in before["cross_tables"][1].rows)
    with django_assert_num_queries(1):
        assert client.get("/stats/").status_code == 200
    j = Case.objects.get(firm__code="J")
    j.status = Case.Status.DRAFT
    j.save()
    after = client.get("/stats/").context
    assert after["total"] == before["total"] - 1 == 11
    assert sum(row.total for row in after["cross_tables"][1].rows) == industry_cases - 1 == 11
