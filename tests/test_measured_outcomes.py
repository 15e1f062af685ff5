"""/stats/ "사후 조사로 측정한 성과": medians of what firms measured, their scores and adoption, in total, by
pattern and by area, under the page's filters, and never from fewer than five firms (k-anonymity)."""

from datetime import date

import pytest

from cases.measured import MIN_FIRMS
from cases.models import GuidanceArea
from tests.factories import make_area, make_pattern
from tests.outcome_data import Answer, add_answers

pytestmark = pytest.mark.django_db

HIDDEN_NOTE = "응답 기업이 5곳 미만이면 표시하지 않습니다"


@pytest.fixture
def vocab(db):
    return {
        "one": make_pattern(code="one", name="패턴 하나"),
        "two": make_pattern(code="two", name="패턴 둘"),
        "mold": make_area(code="mold", name="금형 설계"),
        "weld": make_area(code="weld", name="용접 기술"),
    }


def defect(baseline, current, **fields):
    return Answer(measurements={"defect-rate": (baseline, current)}, **fields)


def outcomes(client, params=None):
    response = client.get("/stats/", params or {})
    assert response.status_code == 200
    return response.context["outcomes"], response.content.decode()


def metric(row, code):
    return next(figure for figure in row.metrics if figure.kind.code == code)


def test_the_threshold_is_five_firms():
    assert MIN_FIRMS == 5


def test_figures_appear_at_five_firms(client, vocab):
    # Defect rate 10% → 7, 8, 6, 9, 5: changes -3, -2, -4, -1, -5 (median -3), relative -30% median.
    add_answers(
        [defect(10, now, satisfaction=s) for now, s in zip((7, 8, 6, 9, 5), (5, 4, 4, 3, 5), strict=True)],
        pattern=vocab["one"],
        areas=[vocab["mold"]],
    )
    result, html = outcomes(client)
    figure = metric(result.total, "defect-rate")
    assert (figure.answers, figure.firms, figure.hidden) == (5, 5, False)
    assert figure.median_change == pytest.approx(-3)
    assert figure.median_percent == pytest.approx(-30)
    assert figure.direction == "better"  # lower is better for defect rates
    assert result.total.scores.satisfaction == pytest.approx(4.2)
    # Each score was given by fewer than five firms: the public distribution says so instead of counting them.
    assert result.total.scores.distribution == [0, 0, None, None, None]
    assert result.total.adoption.yes_percent == 100
    assert "사후 조사로 측정한 성과" in html
    assert "-3.0 %" in html and "-30.0%" in html and "개선" in html
    # The four case-count charts, then metrics, satisfaction, adoption (the grid of 그림11 is not a bar chart).
    assert html.count('<svg class="bar-chart"') == 4 + 3
    assert HIDDEN_NOTE in html


def test_figures_are_absent_at_four_firms(client, vocab):
    add_answers([defect(10, now) for now in (7, 8, 6, 9)], pattern=vocab["one"], areas=[vocab["mold"]])
    result, html = outcomes(client)
    figure = metric(result.total, "defect-rate")
    assert (figure.answers, figure.hidden, figure.median_change, figure.median_percent) == (4, True, None, None)
    assert result.total.scores.satisfaction is None and result.total.scores.distribution == []
    assert result.total.adoption.yes_percent is None
    assert "-2.5" not in html and "-25.0%" not in html  # the median of four, nowhere
    assert "<td>—</td>" in html and HIDDEN_NOTE in html
    assert html.count('<svg class="bar-chart"') == 4  # no chart of hidden figures


def test_a_total_of_five_firms_shows_but_a_pattern_row_of_four_does_not(client, vocab):
    add_answers([defect(10, 8) for _ in range(4)], pattern=vocab["one"], areas=[vocab["mold"]])
    add_answers([defect(10, 2)], pattern=vocab["two"], areas=[vocab["mold"]])
    result, _html = outcomes(client)
    assert not metric(result.total, "defect-rate").hidden
    assert metric(result.total, "defect-rate").median_change == pytest.approx(-2)
    rows = {row.label: row for row in result.pattern}
    assert metric(rows["패턴 하나"], "defect-rate").hidden and metric(rows["패턴 둘"], "defect-rate").hidden
    assert rows["패턴 하나"].scores.hidden and rows["패턴 하나"].scores.satisfaction is None
    by_area = {row.label: row for row in result.area}
    assert not metric(by_area["금형 설계"], "defect-rate").hidden  # all five firms were guided in molds


def test_medians_of_even_counts_and_of_increases(client, vocab):
    # Sales (higher is better) 100 → 110, 120, 130, 140, 150, 200: changes 10…100, median (30 + 40) / 2 = 35.
    answers = [Answer(measurements={"sales": (100, now)}) for now in (110, 120, 130, 140, 150, 200)]
    add_answers(answers, pattern=vocab["one"], areas=[vocab["mold"]])
    result, html = outcomes(client)
    figure = metric(result.total, "sales")
    assert figure.answers == 6
    assert figure.median_change == pytest.approx(35)
    assert figure.median_percent == pytest.approx(35)
    assert figure.direction == "better"
    assert "35.0 백만 원" in html


def test_a_worse_defect_rate_reads_as_worse_and_a_zero_baseline_has_no_percent(client, vocab):
    add_answers([defect(0, 2) for _ in range(5)], pattern=vocab["one"], areas=[vocab["mold"]])
    figure = metric(outcomes(client)[0].total, "defect-rate")
    assert figure.median_change == pytest.approx(2) and figure.median_percent is None
    assert figure.direction == "worse"


def test_scores_and_adoption_by_pattern_and_area(client, vocab):
    answers = [
        Answer(recommend=r, attribution=a, adoptions={"weld": w})
        for r, a, w in zip(
            (10, 9, 8, 3, 10), (40, 60, 50, 50, 50), ("yes", "partly", "no", "partly", "yes"), strict=True
        )
    ]
    add_answers(answers, pattern=vocab["two"], areas=[vocab["mold"], vocab["weld"]])
    result, html = outcomes(client)
    scores = result.total.scores
    assert scores.recommend == pytest.approx(8) and scores.promoters_percent == pytest.approx(60)
    assert scores.attribution == pytest.approx(50)
    by_area = {row.label: row.adoption for row in result.area}
    assert (by_area["금형 설계"].yes_percent, by_area["금형 설계"].partly_percent) == (100, 0)
    assert (by_area["용접 기술"].yes_percent, by_area["용접 기술"].partly_percent) == (40, 40)
    assert by_area["용접 기술"].adopted_percent == 80
    total = result.total.adoption
    assert (total.answers, total.yes_percent) == (10, 70)
    assert [row.label for row in result.pattern] == ["패턴 둘"]
    assert "80%" in html  # the welding bar and table cell


def test_filters_narrow_the_figures(client, vocab):
    add_answers([defect(10, 9) for _ in range(5)], pattern=vocab["one"], areas=[vocab["mold"]])
    add_answers([defect(10, 5) for _ in range(5)], pattern=vocab["two"], areas=[vocab["weld"]])
    assert metric(outcomes(client)[0].total, "defect-rate").answers == 10
    by_pattern = metric(outcomes(client, {"pattern": "two"})[0].total, "defect-rate")
    assert (by_pattern.answers, by_pattern.median_change) == (5, pytest.approx(-5))
    by_area = metric(outcomes(client, {"area": "mold"})[0].total, "defect-rate")
    assert (by_area.answers, by_area.median_change) == (5, pytest.approx(-1))
    assert outcomes(client, {"year": "2001"})[0].any is False


def test_unpublished_cases_answers_never_count(client, vocab):
    add_answers([defect(10, 9) for _ in range(5)], pattern=vocab["one"], areas=[vocab["mold"]])
    add_answers([defect(10, 1) for _ in range(5)], pattern=vocab["one"], areas=[vocab["mold"]], published=False)
    figure = metric(outcomes(client)[0].total, "defect-rate")
    assert (figure.answers, figure.median_change) == (5, pytest.approx(-1))


def test_unanswered_follow_ups_never_count(client, vocab):
    followups = add_answers([defect(10, 9) for _ in range(5)], pattern=vocab["one"], areas=[vocab["mold"]])
    type(followups[0]).objects.filter(pk=followups[0].pk).update(state="closed")
    assert metric(outcomes(client)[0].total, "defect-rate").hidden


def test_no_follow_up_comment_ever_appears(client, vocab):
    secret = "담당 김철수 과장님 010-1234-5678"
    add_answers([defect(10, 8, comment=secret) for _ in range(6)], pattern=vocab["one"], areas=[vocab["mold"]])
    for params in ({}, {"pattern": "one"}, {"area": "mold"}):
        assert secret not in client.get("/stats/", params).content.decode()
        assert "김철수" not in client.get("/stats/", params).content.decode()


def test_the_cached_page_changes_after_a_new_answer(client, vocab):
    add_answers([defect(10, 9) for _ in range(4)], pattern=vocab["one"], areas=[vocab["mold"]])
    assert metric(outcomes(client)[0].total, "defect-rate").hidden
    warm = client.get("/stats/")
    assert "outcomes" not in warm.context  # served from the page cache, not rendered again
    add_answers([defect(10, 4)], pattern=vocab["one"], areas=[vocab["mold"]], answered_on=date.today())
    response = client.get("/stats/")
    assert "-1.0 %" in response.content.decode()  # median of -1, -1, -1, -1, -6, fresh after the write


def test_no_answers_says_so(client, seeded):
    result, html = outcomes(client)
    assert not result.any
    assert "아직 사후 조사 응답이 없습니다" in html
    assert GuidanceArea.objects.exists()


def test_a_hidden_row_cannot_be_worked_out_from_the_total_and_the_rows_shown(client, vocab):
    # Five firms under pattern 1, one firm under pattern 2: the total (six firms) is shown; pattern 2 alone is
    # hidden, and so is pattern 1, or the total minus pattern 1 would give the single firm's answer away.
    add_answers([defect(10, 8, satisfaction=4) for _ in range(5)], pattern=vocab["one"], areas=[vocab["mold"]])
    add_answers([defect(10, 20, satisfaction=1)], pattern=vocab["two"], areas=[vocab["mold"]])
    result, html = outcomes(client)
    assert not result.total.scores.hidden and result.total.scores.answers == 6
    rows = {row.label: row for row in result.pattern}
    for label in ("패턴 하나", "패턴 둘"):
        assert rows[label].scores.hidden and rows[label].scores.satisfaction is None
        assert metric(rows[label], "defect-rate").hidden and rows[label].adoption.hidden
    assert "4.0" not in html  # pattern 1's mean satisfaction, nowhere
    assert result.total.scores.distribution == [None, 0, 0, 5, 0]  # one firm's 1 is "fewer than five"
    assert "5곳 미만" in html


def test_complementary_suppression_stops_once_the_hidden_rows_stand_for_five_firms(client, vocab):
    third = make_pattern(name="패턴 셋")
    add_answers([defect(10, 8) for _ in range(6)], pattern=vocab["one"], areas=[vocab["mold"]])
    add_answers([defect(10, 8) for _ in range(5)], pattern=third, areas=[vocab["mold"]])
    add_answers([defect(10, 9) for _ in range(2)], pattern=vocab["two"], areas=[vocab["mold"]])
    rows = {row.label: row for row in outcomes(client)[0].pattern}
    assert rows["패턴 둘"].scores.hidden and rows["패턴 셋"].scores.hidden  # 2 + 5 firms hidden together
    assert not rows["패턴 하나"].scores.hidden and rows["패턴 하나"].scores.answers == 6
