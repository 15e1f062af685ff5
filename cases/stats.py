"""The statistics page's data: case counts per dimension (from the listing's facets) and the study's
context figures on Korea–Japan technology trade."""

from dataclasses import dataclass

BAR_HEIGHT = 28
LABEL_WIDTH = 130
CHART_WIDTH = 400


@dataclass
class Bar:
    label: str
    count: int
    y: int
    width: float  # in SVG units, proportional to count
    text_x: float


def bars(facet_values):
    """SVG geometry for a horizontal bar chart of facet values (labels left, counts at the bar end)."""
    peak = max((value.count for value in facet_values), default=0) or 1
    span = CHART_WIDTH - LABEL_WIDTH - 40
    result = []
    for index, value in enumerate(facet_values):
        width = span * value.count / peak
        result.append(Bar(value.label, value.count, index * BAR_HEIGHT, width, LABEL_WIDTH + width + 6))
    return result


SOURCE = "한국산업기술진흥협회(2015), 「기술무역통계조사보고서」 통계를 바탕으로 작성 (오태헌 2017, 2절)"

# Only the figures section 2 of the study states in its text (the charts 그림1–8 are not in the source).
CONTEXT_FIGURES = [
    ("한국의 대일본 기술수출액", "2014년", "약 7억 달러에 육박 (그 전에는 1~3억 달러 수준)"),
    ("한국의 대일본 기술수출액", "2015년", "8억 달러 넘음"),
    ("기술도입의 일본 의존도", "2008년", "12.6%"),
    ("기술도입의 일본 의존도", "2015년", "2008년의 절반 이하"),
    ("대일본 기술수출 중 정보통신 분야 비중", "2015년", "55.7%"),
    ("한국 전체 기술수출액 (일본 대비)", "2015년 전후", "일본의 약 1/5"),
    ("한국 전체 기술도입액 (일본 대비)", "2015년 전후", "일본의 약 2배"),
]
