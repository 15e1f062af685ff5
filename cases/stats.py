"""The statistics page's data: case counts per dimension (from the listing's facets) and the study's
context figures on Korea–Japan technology trade."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

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


@dataclass
class ValueBar:
    """A bar of a measured figure: its label, the value as shown, and its tone (better / worse / same / plain)."""

    label: str
    text: str
    y: int
    width: float
    text_x: float
    tone: str


def value_bars(items, scale=None):
    """SVG geometry for (label, value, text, tone) items: widths proportional to |value| against `scale` (default:
    the largest |value|), so that a decrease and an increase of the same size draw the same length."""
    peak = scale or max((abs(value) for _label, value, _text, _tone in items), default=0) or 1
    span = CHART_WIDTH - LABEL_WIDTH - 70
    result = []
    for index, (label, value, text, tone) in enumerate(items):
        width = span * min(abs(value), peak) / peak
        result.append(ValueBar(label, text, index * BAR_HEIGHT, width, LABEL_WIDTH + width + 6, tone))
    return result


def measured_charts(outcomes):
    """The three charts of the measured outcomes (only figures that may be shown): the median relative change
    per metric kind, the satisfaction answers 1–5, and the share adopting the practice per guidance area."""
    metrics = [
        (m.kind.name, m.median_percent, f"{m.median_percent:+.1f}%", m.direction)
        for m in outcomes.total.metrics
        if not m.hidden and m.median_percent is not None
    ]
    scores = outcomes.total.scores
    satisfaction = []
    if scores and scores.answers and not scores.hidden:
        satisfaction = [
            (_("%(score)s점") % {"score": n}, count or 0, str(count) if count is not None else _("5곳 미만"), "plain")
            for n, count in enumerate(scores.distribution, 1)
        ]
    adoption = [
        (row.label, row.adoption.adopted_percent, f"{row.adoption.adopted_percent:.0f}%", "plain")
        for row in outcomes.area
        if row.adoption and not row.adoption.hidden
    ]
    return {
        "metrics": value_bars(metrics),
        "satisfaction": value_bars(satisfaction),
        "adoption": value_bars(adoption, scale=100),
    }
