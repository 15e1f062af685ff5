"""The statistics page's cross-tables: outcome pattern × guidance area and outcome pattern × industry.

They show the study's main finding (what was taught goes with which pattern followed). Each table is counted from
the kept groups of the cases the page's filters select (cases/facets.py); each cell links to the listing of
exactly its cases.
"""

import math
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from .facets import CaseGroups, counted

HEAT_LEVELS = 4  # heat-1 … heat-4 for a non-zero share, heat-0 for an empty cell

# The study's finding in its own words (section 3-2, 「성과 분석」), one sentence per pattern.
FINDING = [
    (
        "1",
        "장치개발과 공정개선에 대한 구체적 자문과 더불어 기술인력의 양성을 목적으로 진행된 기술지도는 "
        "안정적인 생산기술로 제품의 질이 향상되었다고 평가하는 한국의 중소기업이 많았음",
    ),
    (
        "2",
        "신제품의 개발지도, 생산설비의 운영 지도, 구조설계에 대한 자문 등이 이루어지는 기술지도는 "
        "한국 중소기업의 기술개발로 매출이 증가되는 효과를 만들어내는 한편 일본은 대외수출이 증가하는 "
        "성과를 기대할 수 있음",
    ),
]
FINDING_SOURCE = "오태헌(2017), 3. 기술지도 성과의 유형별 분석 – 2. 성과 분석 (3-2절)"


def finding(patterns):
    """The finding's sentences labelled with the patterns' names as staff keep them (a pattern staff removed
    drops out): [(name, sentence), …]."""
    names = {pattern.code: pattern.name for pattern in patterns}
    return [(names[code], sentence) for code, sentence in FINDING if code in names]


@dataclass
class Cell:
    count: int
    share: float  # % of the row's cases
    heat: int  # 0 … HEAT_LEVELS
    url: str = ""
    label: str = ""  # what the link lists, for screen readers


@dataclass
class Row:
    code: str
    label: str
    total: int
    cells: list = field(default_factory=list)


@dataclass
class CrossTable:
    name: str  # "area" or "industry": the listing filter of the rows
    caption: str
    row_heading: str
    patterns: list  # OutcomePattern objects: the columns
    rows: list


def heat(share):
    """0 for no case, else 1 … HEAT_LEVELS by quarter of the row (a share of 100 % is the top level)."""
    if share <= 0:
        return 0
    return min(HEAT_LEVELS, max(1, math.ceil(share * HEAT_LEVELS / 100)))


def listing_url(filterset, **params):
    """The listing with a cell's filter values `params`, keeping the page's other filters (the raw values the
    filterset validated; the page number is not a filter). Also used by 그림11's grid (cases/grid.py)."""
    for other in filterset.filters:
        value = filterset.data.get(other)
        if other not in params and value not in (None, ""):
            params[other] = value
    return f"{reverse('cases:list')}?{urlencode(params)}"


def build(filterset, name, counts, items, caption, row_heading):
    """A CrossTable from {(pattern id, row id): cases}, rows in the vocabulary's order, rows without a case left
    out."""
    patterns = filterset.vocabulary.pattern
    rows = []
    for item in items:
        row_counts = [counts.get((pattern.id, item.id), 0) for pattern in patterns]
        total = sum(row_counts)
        if not total:
            continue
        row = Row(item.code, item.name, total)
        for pattern, n in zip(patterns, row_counts, strict=True):
            share = 100 * n / total
            cell = Cell(n, share, heat(share))
            if n:
                cell.url = listing_url(filterset, pattern=pattern.code, **{name: item.code})
                cell.label = _("%(count)s (%(row)s · %(pattern)s 사례 목록)") % {
                    "row": item.name,
                    "pattern": pattern.name,
                    "count": n,
                }
            row.cells.append(cell)
        rows.append(row)
    return CrossTable(name, caption, row_heading, patterns, rows)


def count(filterset):
    """The two tables' counts by (pattern id, area id) and (pattern id, industry id), from the search's kept
    groups (no query of their own once the facets are counted)."""
    groups, active = CaseGroups.of(filterset), filterset.active_values()
    return groups.count(("pattern", "area"), active), groups.count(("pattern", "industry"), active)


def cross_tables(filterset):
    """Pattern × guidance area and pattern × industry for a valid filterset.

    A case counts once in each of its areas. With an area chosen, the area table has only that area's row (a
    cell's link replaces the filter).
    """
    vocabulary = filterset.vocabulary
    area_counts, industry_counts = counted("crosstab", filterset, vocabulary.token, lambda: count(filterset))
    return [
        build(
            filterset,
            "area",
            area_counts,
            vocabulary.area,
            _("지도 분야별 성과 패턴 (비율은 각 지도 분야의 사례 중 해당 패턴의 비율)"),
            _("지도 분야"),
        ),
        build(
            filterset,
            "industry",
            industry_counts,
            vocabulary.industry,
            _("업종별 성과 패턴 (비율은 각 업종의 사례 중 해당 패턴의 비율)"),
            _("업종"),
        ),
    ]
