"""Downloads of the current filter: the listing's rows, all of them, as CSV (UTF-8 with BOM) or XLSX."""

import csv
import io

from django.utils import translation
from openpyxl import Workbook

HEADERS = [
    "사례 코드",
    "기업",
    "생산제품",
    "업종",
    "성과 패턴",
    "지도 분야",
    "지도 기간",
    "상품·기술 위치",
    "진화 경로",
    "지도내용",
    "주요 성과",
    "퇴직기술자",
    "주소",
]
CHUNK = 2000
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_rows(cases, build_url):
    """One list of cells per case, in the listing's order; reads in chunks so memory stays flat."""
    yield HEADERS
    for case in cases.iterator(chunk_size=CHUNK):
        yield [
            case.code,
            case.firm.name,
            case.firm.products,
            case.firm.industry.name,
            case.outcome_pattern.name,
            ", ".join(area.name for area in case.guidance_areas.all()),
            case.period_display,
            grid_place(case),
            case.evolution_path.name if case.evolution_path else "",
            case.guidance,
            case.outcomes,
            case.mentor.name if case.mentor else "",
            build_url(case.get_absolute_url()),
        ]


def grid_place(case):
    """The case's cell on 그림11's grid, in Korean like the headers and the cases' text, whatever the page's
    language."""
    with translation.override("ko"):
        return case.grid_cell_display


def csv_chunks(rows):
    """CSV text, streamed, starting with a BOM so Excel reads the Korean correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield "\ufeff"
    for row in rows:
        writer.writerow([defuse(cell) for cell in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)


def xlsx_bytes(rows):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("사례")
    for row in rows:
        sheet.append([defuse(cell) for cell in row])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def defuse(cell):
    """Spreadsheet formula injection: text starting with = + - @ is shown as text, not run."""
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@"):
        return "'" + cell
    return cell
