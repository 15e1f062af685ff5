"""What the follow-up surveys measured (사후 조사로 측정한 성과), in total, by outcome pattern and by guidance area.

`measure(followups, labels, hide_below=MIN_FIRMS)` reads a queryset of answered follow-ups and returns, for
each grouping, three kinds of figures: per metric kind the answers and the median change (absolute and
relative), the firms' scores (satisfaction, would-recommend, attribution) and the share that adopted the
practice. Every figure counts the distinct firms behind it; a public figure from fewer than MIN_FIRMS firms is
built without its values (k-anonymity: a firm must not be recognisable from a small cell), staff see them all.

The cost is fixed: one query per figure kind and grouping (nine) plus the metric kinds. Medians need the
values: PostgreSQL takes them with `percentile_cont(0.5)`; SQLite, which has no such aggregate, returns each
grouping's values in one query and Python takes the median.
"""

import statistics
from collections import defaultdict
from dataclasses import dataclass, field, fields

from django.db import connection
from django.db.models import Aggregate, Avg, Count, ExpressionWrapper, F, FloatField, Q
from django.db.models.functions import Abs, Cast, NullIf
from django.utils.translation import gettext_lazy as _

from .facets import counted
from .models import Adoption, FollowUp, FollowUpAdoption, FollowUpMeasurement, MetricKind

MIN_FIRMS = 5  # the one place the public threshold lives (k-anonymity)
GROUPINGS = ("total", "pattern", "area")
PROMOTER_SCORE = 9  # would-recommend 9–10: the "promoters" of a net promoter score


class Median(Aggregate):
    """PostgreSQL's continuous median (the mean of the two middle values for an even count)."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


CHANGE = ExpressionWrapper(Cast(F("current"), FloatField()) - Cast(F("baseline"), FloatField()), FloatField())
# Relative to the baseline; NULL (left out of the median) when the baseline is 0.
PERCENT = ExpressionWrapper(
    (Cast(F("current"), FloatField()) - Cast(F("baseline"), FloatField()))
    * 100.0
    / NullIf(Abs(Cast(F("baseline"), FloatField())), 0.0),
    FloatField(),
)


@dataclass
class Figure:
    """What every cell knows: how many answers and firms it is built from, and whether it may be shown."""

    answers: int
    firms: int
    hidden: bool  # under the public threshold: its values were never filled in

    @property
    def small(self):
        """Built from fewer than MIN_FIRMS firms (staff see it, marked)."""
        return self.firms < MIN_FIRMS

    def withhold(self):
        """Hide this figure and forget its values (complementary suppression: see `suppress_complements`)."""
        self.hidden = True
        for item in fields(self):
            if item.name not in ("answers", "firms", "hidden", "kind"):
                setattr(self, item.name, [] if item.name == "distribution" else None)


@dataclass
class MetricFigure(Figure):
    kind: MetricKind = None
    median_change: float | None = None
    median_percent: float | None = None

    @property
    def direction(self):
        """'better', 'worse' or 'same', reading the median change the way the kind reads (lower_is_better)."""
        if self.median_change is None:
            return None
        if self.median_change == 0:
            return "same"
        improved = (self.median_change < 0) == self.kind.lower_is_better
        return "better" if improved else "worse"


@dataclass
class ScoreFigure(Figure):
    satisfaction: float | None = None
    distribution: list = field(default_factory=list)  # answers with satisfaction 1, 2, 3, 4, 5
    recommend: float | None = None
    promoters_percent: float | None = None  # share of recommend answers at 9–10
    attribution: float | None = None


@dataclass
class AdoptionFigure(Figure):
    yes_percent: float | None = None
    partly_percent: float | None = None

    @property
    def adopted_percent(self):
        """Adopted fully or in part."""
        if self.yes_percent is None:
            return None
        return self.yes_percent + self.partly_percent


@dataclass
class Row:
    """One group (the total, a pattern or an area) and its figures."""

    key: int | None
    label: str
    metrics: list = field(default_factory=list)  # MetricFigure per kind answered in this group
    scores: ScoreFigure | None = None
    adoption: AdoptionFigure | None = None


@dataclass
class Outcomes:
    total: Row
    pattern: list  # Rows, in the vocabulary's order; groups without answers are left out
    area: list
    hide_below: int

    @property
    def any(self):
        return bool(self.total.scores and self.total.scores.answers)

    @property
    def tables(self):
        """(name, title, rows): the total, then each breakdown, one table apiece."""
        return [
            ("total", _("전체"), [self.total]),
            ("pattern", _("성과 패턴별"), self.pattern),
            ("area", _("지도 분야별"), self.area),
        ]


def _percent(part, whole):
    return part * 100 / whole if whole else None


def _group_rows(rows, grouping):
    """The aggregate rows of one grouping, by group key (None for the total)."""
    return {row.pop("group", None) if grouping != "total" else None: row for row in rows}


class Measure:
    def __init__(self, followups, hide_below):
        self.followups = followups.order_by()
        answered = self.followups.values("pk")
        self.measurements = FollowUpMeasurement.objects.filter(followup__in=answered).order_by()
        self.adoptions = FollowUpAdoption.objects.filter(followup__in=answered).order_by()
        self.hide_below = hide_below

    def hidden(self, firms):
        return firms < self.hide_below

    # --- the scores -------------------------------------------------------------------------------------------

    SCORE_FIELDS = {"pattern": "case__outcome_pattern", "area": "case__guidance_areas"}

    def scores(self, grouping):
        aggregates = {
            "answers": Count("pk"),
            "firms": Count("case__firm", distinct=True),
            "mean_satisfaction": Avg("satisfaction"),
            "mean_recommend": Avg("recommend"),
            "recommend_answers": Count("recommend"),
            "promoters": Count("pk", filter=Q(recommend__gte=PROMOTER_SCORE)),
            "mean_attribution": Avg("attribution"),
            **{f"s{score}": Count("pk", filter=Q(satisfaction=score)) for score in range(1, 6)},
        }
        if grouping == "total":
            rows = [self.followups.aggregate(**aggregates)]
        else:
            rows = self.followups.values(group=F(self.SCORE_FIELDS[grouping])).annotate(**aggregates)
        return {key: self._score(row) for key, row in _group_rows(rows, grouping).items()}

    def _score(self, row):
        figure = ScoreFigure(row["answers"], row["firms"], self.hidden(row["firms"]))
        if not figure.hidden:
            figure.satisfaction, figure.recommend, figure.attribution = (
                row["mean_satisfaction"],
                row["mean_recommend"],
                row["mean_attribution"],
            )
            # In public a count of 1–4 firms for one score would single answers out: shown as "fewer than 5".
            figure.distribution = [
                count if self.hide_below == 0 or count == 0 or count >= self.hide_below else None
                for count in (row[f"s{score}"] for score in range(1, 6))
            ]
            figure.promoters_percent = _percent(row["promoters"], row["recommend_answers"])
        return figure

    # --- adoption ---------------------------------------------------------------------------------------------

    ADOPTION_FIELDS = {"pattern": "followup__case__outcome_pattern", "area": "area"}  # the area it was asked of

    def adoption(self, grouping):
        aggregates = {
            "answers": Count("pk"),
            "firms": Count("followup__case__firm", distinct=True),
            "adopted_yes": Count("pk", filter=Q(adopted=Adoption.YES)),
            "adopted_partly": Count("pk", filter=Q(adopted=Adoption.PARTLY)),
        }
        if grouping == "total":
            rows = [self.adoptions.aggregate(**aggregates)]
        else:
            rows = self.adoptions.values(group=F(self.ADOPTION_FIELDS[grouping])).annotate(**aggregates)
        result = {}
        for key, row in _group_rows(rows, grouping).items():
            figure = AdoptionFigure(row["answers"], row["firms"], self.hidden(row["firms"]))
            if not figure.hidden:
                figure.yes_percent = _percent(row["adopted_yes"], row["answers"])
                figure.partly_percent = _percent(row["adopted_partly"], row["answers"])
            result[key] = figure
        return result

    # --- the metric kinds -------------------------------------------------------------------------------------

    METRIC_FIELDS = {"pattern": "followup__case__outcome_pattern", "area": "followup__case__guidance_areas"}

    def metrics(self, grouping, kinds):
        """{group key: [MetricFigure, …] in the kinds' order}."""
        groups = () if grouping == "total" else (self.METRIC_FIELDS[grouping],)
        if connection.vendor == "postgresql":
            rows = self._metric_rows_aggregated(groups)
        else:
            rows = self._metric_rows_in_python(groups)
        result = defaultdict(list)
        for (group, kind_id), (answers, firms, median_change, median_percent) in rows.items():
            figure = MetricFigure(answers, firms, self.hidden(firms), kind=kinds[kind_id])
            if not figure.hidden:
                figure.median_change, figure.median_percent = median_change, median_percent
            result[group].append(figure)
        for figures in result.values():
            figures.sort(key=lambda figure: (figure.kind.position, figure.kind.code))
        return result

    def _metric_rows_aggregated(self, groups):
        rows = (
            self.measurements.values("kind", *groups)
            .annotate(
                answers=Count("pk"),
                firms=Count("followup__case__firm", distinct=True),
                median_change=Median(CHANGE),
                median_percent=Median(PERCENT),
            )
            .values_list(*groups, "kind", "answers", "firms", "median_change", "median_percent")
        )
        return {(row[0] if groups else None, row[-5]): row[-4:] for row in rows}

    def _metric_rows_in_python(self, groups):
        values = defaultdict(lambda: ([], set(), []))  # (group, kind) -> changes, firms, relative changes
        rows = self.measurements.values_list(*groups, "kind", "followup__case__firm", "baseline", "current")
        for *group, kind_id, firm_id, baseline, current in rows:
            changes, firms, percents = values[(group[0] if groups else None, kind_id)]
            changes.append(float(current - baseline))
            firms.add(firm_id)
            if baseline:
                percents.append(float((current - baseline) * 100 / abs(baseline)))
        return {
            key: (
                len(changes),
                len(firms),
                statistics.median(changes),
                statistics.median(percents) if percents else None,
            )
            for key, (changes, firms, percents) in values.items()
        }


def measure(followups, labels, *, hide_below=MIN_FIRMS):
    """The outcomes measured by `followups` (answered ones are kept), grouped in total, by pattern and by area.

    `labels`: {"pattern": [(id, name), …], "area": [(id, name), …]} in display order. `hide_below`: the number of
    distinct firms a figure needs to carry values (MIN_FIRMS in public, 0 for staff).
    """
    kinds = {kind.pk: kind for kind in MetricKind.objects.all()}
    work = Measure(followups.filter(state=FollowUp.State.ANSWERED), hide_below)
    figures = {
        grouping: (work.metrics(grouping, kinds), work.scores(grouping), work.adoption(grouping))
        for grouping in GROUPINGS
    }
    if hide_below:
        for grouping in ("pattern", "area"):
            metrics, scores, adoption = figures[grouping]
            by_kind = defaultdict(list)
            for group_figures in metrics.values():
                for figure in group_figures:
                    by_kind[figure.kind.pk].append(figure)
            for comparable in (*by_kind.values(), list(scores.values()), list(adoption.values())):
                suppress_complements(comparable, hide_below)

    def row(grouping, key, label):
        metrics, scores, adoption = figures[grouping]
        return Row(key, label, metrics.get(key, []), scores.get(key), adoption.get(key))

    def rows(grouping):
        metrics, scores, adoption = figures[grouping]
        present = {*metrics, *scores, *adoption}
        return [row(grouping, key, label) for key, label in labels[grouping] if key in present]

    return Outcomes(
        total=row("total", None, _("전체")), pattern=rows("pattern"), area=rows("area"), hide_below=hide_below
    )


def suppress_complements(figures, hide_below):
    """Complementary suppression within one breakdown (the rows of one figure by pattern or by area).

    A hidden row could be worked out as the total minus the rows shown. So while the hidden rows together stand
    for fewer than `hide_below` firms, the shown row with the fewest firms is hidden too.
    """
    hidden = [figure for figure in figures if figure.hidden]
    shown = sorted((figure for figure in figures if not figure.hidden), key=lambda figure: figure.firms)
    while hidden and shown and sum(figure.firms for figure in hidden) < hide_below:
        smallest = shown.pop(0)
        smallest.withhold()
        hidden.append(smallest)


def public_outcomes(filterset):
    """The statistics page's figures: the answered follow-ups of the page's filtered, published cases, labelled
    from the page's vocabulary, with figures from fewer than MIN_FIRMS firms left empty. Nine aggregates over
    every answer: kept per data version and filter values, like the facet counts."""
    vocabulary = filterset.vocabulary
    labels = {
        "pattern": [(pattern.id, pattern.name) for pattern in vocabulary.pattern],
        "area": [(area.id, area.name) for area in vocabulary.area],
    }
    followups = FollowUp.objects.filter(case__in=filterset.without().values("pk"))
    return counted("outcomes", filterset, vocabulary.token, lambda: measure(followups, labels, hide_below=MIN_FIRMS))
