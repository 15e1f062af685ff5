"""그림11: each case's place on the product × technology grid, the listing's filters on it, and the grid with the
three evolution paths on /stats/."""

import io
from collections import Counter
from html import unescape

import pytest
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from tablib import Dataset

from cases.facets import CACHE_ALIAS
from cases.models import Case, EvolutionPath
from cases.resources import CaseResource
from tests.factories import make_case, make_industry, make_pattern
from tests.test_admin import case_form_data, staff_client  # noqa: F401, F811 -- staff_client is a fixture

pytestmark = pytest.mark.django_db

GENERAL, PROPRIETARY = EvolutionPath.Kind.GENERAL, EvolutionPath.Kind.PROPRIETARY


@pytest.fixture(autouse=True)
def cold_pages():
    """Each request renders its page, so that its context can be read."""
    caches[CACHE_ALIAS].clear()


def grid_counts(response):
    return {(cell.product, cell.technology): cell.count for cell in response.context["grid"].cells}


def path_counts(response):
    return {step.path.code: step.taken for step in response.context["grid"].paths}


@pytest.fixture
def evolved(seeded):
    """Besides the study's 12 (all general × general): cases that took each path, and one placed without a path."""
    path = {p.code: p for p in EvolutionPath.objects.all()}
    pattern = make_pattern(code="grid-pattern", name="격자 시험 패턴")
    industry = make_industry(code="grid-industry", name="격자 업종")
    made = []
    for code, n in (("1", 3), ("2", 2), ("3", 1)):
        for _ in range(n):
            made.append(
                make_case(
                    outcome_pattern=pattern,
                    evolution_path=path[code],
                    product=path[code].product,
                    technology=path[code].technology,
                )
            )
    made.append(make_case(outcome_pattern=pattern, product=PROPRIETARY, technology=GENERAL))  # no path tagged
    made.append(
        make_case(outcome_pattern=pattern, product=PROPRIETARY, technology=PROPRIETARY, status=Case.Status.DRAFT)
    )  # not public
    for case in made[:2]:
        case.firm.industry = industry
        case.firm.save()
    return made


def test_the_study_s_cases_all_stand_in_the_general_cell(client, seeded):
    assert set(Case.objects.values_list("product", "technology")) == {(GENERAL, GENERAL)}
    response = client.get("/stats/")
    assert response.status_code == 200
    assert grid_counts(response) == {
        (GENERAL, GENERAL): 12,
        (GENERAL, PROPRIETARY): 0,
        (PROPRIETARY, GENERAL): 0,
        (PROPRIETARY, PROPRIETARY): 0,
    }
    assert path_counts(response) == {"1": 0, "2": 0, "3": 0}
    html = response.content.decode()
    assert '<h2 id="grid-heading">상품·기술 격자와 진화 경로</h2>' in html
    assert 'aria-label="12건 출발점: 범용 상품 × 범용 기술 사례 목록"' in html
    assert "<strong>① 독자 상품 × 범용 기술</strong>" in html
    assert "<strong>② 범용 상품 × 독자 기술</strong>" in html
    assert "<strong>③ 독자 상품 × 독자 기술</strong>" in html
    # The paths' descriptions, as the study gives them (fixtures/04_evolution_paths.json), with the source.
    assert "범용 기술을 그대로 활용하면서 일반화된 상품에서 벗어나 독자적인 신제품을 개발하는" in html
    assert "오태헌(2017), 4. 결론 – 그림11" in html


def test_grid_counts_cells_and_paths_taken_and_each_cell_lists_exactly_its_cases(client, evolved):
    response = client.get("/stats/")
    published = Case.objects.published()
    assert grid_counts(response) == {
        (product, technology): published.filter(product=product, technology=technology).count()
        for product in (GENERAL, PROPRIETARY)
        for technology in (GENERAL, PROPRIETARY)
    }
    assert grid_counts(response)[PROPRIETARY, GENERAL] == 4  # three took path ①, one was placed there directly
    assert grid_counts(response)[PROPRIETARY, PROPRIETARY] == 1  # the draft does not count
    assert path_counts(response) == {"1": 3, "2": 2, "3": 1}
    html = response.content.decode()
    assert "이 경로를 택한 사례 3건" in html
    for cell in response.context["grid"].cells:
        listing = client.get(unescape(cell.url))
        assert listing.status_code == 200
        want = published.filter(product=cell.product, technology=cell.technology)
        assert listing.context["page"].paginator.count == cell.count
        assert sorted(c.code for c in listing.context["page"].object_list) == sorted(
            want.values_list("code", flat=True)[:20]
        )


def test_the_grid_follows_the_page_s_filters_and_its_links_keep_them(client, evolved):
    response = client.get("/stats/", {"industry": "grid-industry"})
    assert grid_counts(response)[PROPRIETARY, GENERAL] == 2
    assert sum(grid_counts(response).values()) == 2
    assert all("industry=grid-industry" in cell.url for cell in response.context["grid"].cells)
    # The grid's own filters mark their cell and leave the others drawn (counted without those filters).
    response = client.get("/stats/", {"product": PROPRIETARY})
    assert grid_counts(response)[GENERAL, GENERAL] == 12
    active = {(c.product, c.technology) for c in response.context["grid"].cells if c.active}
    assert active == {(PROPRIETARY, GENERAL), (PROPRIETARY, PROPRIETARY)}


def test_listing_filters_by_product_and_technology_with_counts(client, evolved):
    response = client.get("/cases/", {"product": PROPRIETARY})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 5
    facets = response.context["facets"]
    assert {v.value: v.count for v in facets.product} == {GENERAL: 14, PROPRIETARY: 5}
    assert {v.value: v.count for v in facets.technology} == {GENERAL: 4, PROPRIETARY: 1}
    html = response.content.decode()
    assert '<option value="proprietary" selected>독자 (5)</option>' in html
    assert "상품: 독자" in html  # the removable chip

    response = client.get("/cases/", {"product": PROPRIETARY, "technology": PROPRIETARY})
    assert [c.evolution_path.code for c in response.context["page"].object_list] == ["3"]


@pytest.mark.parametrize("params", [{"product": "both"}, {"technology": "x" * 500}])
def test_a_bad_grid_value_is_a_korean_400(client, seeded, params):
    response = client.get("/cases/", params)
    assert response.status_code == 400
    assert "올바르게 선택해 주세요." in response.content.decode()  # Django's Korean message, next to the field
    assert client.get("/stats/", params).status_code == 400


def test_a_case_s_page_and_the_api_show_its_place(client, evolved):
    case = evolved[0]
    html = client.get(case.get_absolute_url()).content.decode()
    assert "/cases/?product=proprietary&amp;technology=general" in html
    assert "독자 상품 × 범용 기술" in html
    result = client.get(f"/api/cases/{case.pk}/").json()
    place = {"product": PROPRIETARY, "technology": GENERAL, "display": "독자 상품 × 범용 기술"}
    assert result["grid_position"] == place


def test_a_path_must_lead_to_the_case_s_cell(seeded):
    case = Case.objects.get(code="2017-A")
    case.evolution_path = EvolutionPath.objects.get(code="3")
    with pytest.raises(ValidationError) as error:
        case.full_clean()
    message = str(error.value.message_dict["evolution_path"])
    assert "경로 ③은(는) 독자 상품 × 독자 기술 칸으로 가는 경로입니다" in message
    case.product = case.technology = PROPRIETARY
    case.full_clean()  # in the path's cell: fine


def test_the_database_refuses_an_unknown_place(seeded):
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(code="2017-A").update(product="secret")


def test_an_import_sets_the_place_and_an_old_file_without_the_columns_keeps_it(seeded):
    resource = CaseResource()
    exported = resource.export(queryset=Case.objects.filter(code="2017-A"))
    assert "상품 (범용/독자)" in exported.headers
    row = dict(zip(exported.headers, exported[0], strict=True))
    assert row["상품 (범용/독자)"] == "범용"
    row["상품 (범용/독자)"], row["기술 (범용/독자)"] = "독자", "proprietary"
    dataset = Dataset(headers=list(row))
    dataset.append(list(row.values()))
    result = resource.import_data(dataset, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    case = Case.objects.get(code="2017-A")
    assert (case.product, case.technology) == (PROPRIETARY, PROPRIETARY)

    old_headers = [h for h in row if h not in ("상품 (범용/독자)", "기술 (범용/독자)")]
    old = Dataset(headers=old_headers)
    old.append([row[h] for h in old_headers])
    old[0] = tuple("새 주요 성과" if h == "주요 성과" else v for h, v in zip(old_headers, old[0], strict=True))
    result = CaseResource().import_data(old, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    case.refresh_from_db()
    assert case.outcomes == "새 주요 성과"
    assert (case.product, case.technology) == (PROPRIETARY, PROPRIETARY)


def test_an_import_row_with_a_wrong_place_is_refused_in_korean(seeded):
    resource = CaseResource()
    exported = resource.export(queryset=Case.objects.filter(code="2017-B"))
    row = dict(zip(exported.headers, exported[0], strict=True))
    row["기술 (범용/독자)"] = "최첨단"
    dataset = Dataset(headers=list(row))
    dataset.append(list(row.values()))
    result = resource.import_data(dataset, dry_run=True)
    assert result.has_validation_errors()
    assert result.invalid_rows[0].error_dict == {"technology": ["기술은(는) 다음 중 하나로 적어 주세요: 범용, 독자"]}
    assert Case.objects.get(code="2017-B").technology == GENERAL


def test_a_staff_edit_of_a_path_s_description_shows_at_once(client, seeded):
    caches[CACHE_ALIAS].clear()
    assert "범용 기술을 그대로 활용하면서" in client.get("/stats/").content.decode()  # now in the page cache
    path = EvolutionPath.objects.get(code="1")
    path.description = "고친 설명: 독자 상품으로 가는 길"
    path.save()  # the database trigger changes the data version
    assert "고친 설명: 독자 상품으로 가는 길" in client.get("/stats/").content.decode()


def test_generated_cases_that_took_a_path_stand_in_its_cell(seeded):
    from django.core.management import call_command

    call_command("generate_cases", "300", "--seed", "5", stdout=io.StringIO())
    tagged = Case.objects.exclude(evolution_path=None).select_related("evolution_path")
    assert tagged.exists()
    assert all((c.product, c.technology) == (c.evolution_path.product, c.evolution_path.technology) for c in tagged)
    assert Counter(Case.objects.filter(evolution_path=None).values_list("product", flat=True)) == Counter(
        {GENERAL: Case.objects.filter(evolution_path=None).count()}
    )


@pytest.mark.parametrize(
    ("language", "heading", "cell"),
    [
        ("ko", "상품·기술 격자와 진화 경로", "독자 상품 × 범용 기술"),
        ("ja", "製品・技術の格子と進化経路", "独自製品 × 汎用技術"),
        ("en", "Product × technology grid and evolution paths", "Proprietary product × General technology"),
    ],
)
def test_the_grid_speaks_every_language_and_the_paths_stay_korean(client, seeded, language, heading, cell):
    html = client.get("/stats/" if language == "ko" else f"/{language}/stats/").content.decode()
    assert heading in html
    assert cell in html
    assert '<span lang="ko">범용 기술을 그대로 활용하면서' in html


def test_staff_place_a_case_in_the_admin_and_a_wrong_path_is_explained(staff_client, seeded):  # noqa: F811
    case = Case.objects.get(code="2017-A")
    url = reverse("admin:cases_case_change", args=[case.pk])
    html = staff_client.get(url).content.decode()
    assert 'name="product"' in html and 'name="technology"' in html
    path = EvolutionPath.objects.get(code="1")
    base = case_form_data(
        code=case.code,
        status="draft",
        firm=case.firm_id,
        outcome_pattern=case.outcome_pattern_id,
        loaded_version=case.version,
        evolution_path=path.pk,
    )
    response = staff_client.post(url, base)
    assert response.status_code == 200
    assert "경로 ①은(는) 독자 상품 × 범용 기술 칸으로 가는 경로입니다" in response.content.decode()
    assert Case.objects.get(pk=case.pk).evolution_path is None

    response = staff_client.post(url, {**base, "product": PROPRIETARY})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.product, case.technology, case.evolution_path) == (PROPRIETARY, GENERAL, path)
