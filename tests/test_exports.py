"""/cases/export.csv and /cases/export.xlsx: the current filter's rows, all of them, readable in Excel."""

import csv
import io

import openpyxl
import pytest

from cases.models import Case, EvolutionPath
from tests.factories import make_case, make_pattern

pytestmark = pytest.mark.django_db


def csv_rows(response):
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens UTF-8 Korean correctly
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def test_csv_export_has_the_same_rows_as_the_page(client, seeded):
    params = {"pattern": "1", "area": "quality"}
    page_codes = [case.code for case in client.get("/cases/", params).context["page"].object_list]
    response = client.get("/cases/export.csv", params)
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = csv_rows(response)
    assert [row["사례 코드"] for row in rows] == page_codes == ["2017-D", "2017-F", "2017-K"]
    f = rows[1]
    assert f["기업"] == "F기업"
    assert f["생산제품"] == "송전선 등을 지지하는 도자기 애자"
    assert "품질·불량 관리" in f["지도 분야"]
    assert f["주소"].endswith(Case.objects.get(code="2017-F").get_absolute_url())


def test_xlsx_export_has_the_same_rows(client, seeded):
    response = client.get("/cases/export.xlsx", {"q": "금형"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "사례 코드"
    assert [row[0] for row in rows[1:]] == ["2017-J"]
    assert rows[1][2] == "플라스틱 사출 금형"


def test_export_is_not_limited_to_one_page(client, db):
    pattern = make_pattern(code="many")
    for _ in range(25):
        make_case(outcome_pattern=pattern)
    assert len(csv_rows(client.get("/cases/export.csv", {"pattern": "many"}))) == 25


def test_export_skips_drafts_and_defuses_formulas(client, db):
    make_case(status=Case.Status.DRAFT, guidance="비공개")
    make_case(guidance="=HYPERLINK(1)")
    rows = csv_rows(client.get("/cases/export.csv"))
    assert len(rows) == 1
    assert rows[0]["지도내용"].startswith("'=")


def test_bad_filter_is_400_not_a_file(client, seeded):
    response = client.get("/cases/export.csv", {"year": "abc"})
    assert response.status_code == 400
    assert "검색 조건을 확인해 주세요" in response.content.decode()


def test_listing_links_to_the_exports_of_its_filter(client, seeded):
    html = client.get("/cases/", {"pattern": "2", "page": "1"}).content.decode()
    assert 'href="/cases/export.csv?pattern=2"' in html
    assert 'href="/cases/export.xlsx?pattern=2"' in html


def test_exports_carry_each_case_s_place_on_the_grid_in_korean(client, seeded):
    """그림11's cell and evolution path, as the case page shows them; Korean like the headers, from any language."""
    path = EvolutionPath.objects.get(code="1")
    case = Case.objects.get(code="2017-J")
    case.product, case.technology, case.evolution_path = path.product, path.technology, path
    case.save()
    for prefix in ("", "/en"):
        rows = {row["사례 코드"]: row for row in csv_rows(client.get(f"{prefix}/cases/export.csv"))}
        assert rows["2017-J"]["상품·기술 위치"] == "독자 상품 × 범용 기술"
        assert rows["2017-J"]["진화 경로"] == path.name
        assert rows["2017-F"]["상품·기술 위치"] == "범용 상품 × 범용 기술" and rows["2017-F"]["진화 경로"] == ""
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/cases/export.xlsx").content)).active
    header, *cells = sheet.iter_rows(values_only=True)
    j = next(row for row in cells if row[0] == "2017-J")
    assert j[header.index("상품·기술 위치")] == "독자 상품 × 범용 기술"
