"""그림11 on the statistics page: the product × technology grid with its cases, and the three evolution paths.

Section 4 of the study places every studied case in the general-product × general-technology cell and names three
paths out of it (① proprietary product, ② proprietary technology, ③ both). The counts come from the listing's
facets (cases/facets.py: every filter but product and technology), so drawing the grid costs no query of its own.
"""

from collections import Counter
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .crosstab import heat, listing_url
from .models import EvolutionPath

GENERAL, PROPRIETARY = EvolutionPath.Kind.GENERAL, EvolutionPath.Kind.PROPRIETARY
ORIGIN = (GENERAL, GENERAL)  # where the study found all its cases
SOURCE = "오태헌(2017), 4. 결론 – 그림11 「한·일 기술협력의 진화 방향」"

# SVG geometry: technology across (general left), product up (general below), gaps for the arrows.
LEFT, TOP = 120, 16
CELL_WIDTH, CELL_HEIGHT, GAP = 150, 96, 64
WIDTH = LEFT + 2 * CELL_WIDTH + GAP + 32  # room for the right column's label in English
HEIGHT = TOP + 2 * CELL_HEIGHT + GAP + 56


def cell_origin(product, technology):
    x = LEFT + (0 if technology == GENERAL else CELL_WIDTH + GAP)
    y = TOP + (0 if product == PROPRIETARY else CELL_HEIGHT + GAP)
    return x, y


@dataclass
class GridCell:
    product: str
    technology: str
    label: str  # "범용 상품 × 범용 기술"
    count: int
    active: bool  # the page's product/technology filters select it
    url: str  # the listing of exactly this cell's cases (with the page's other filters)
    path: EvolutionPath | None  # the path that leads here, if any
    x: int
    y: int
    heat: int

    @property
    def number(self):
        return path_number(self.path) if self.path else ""

    @property
    def is_origin(self):
        return (self.product, self.technology) == ORIGIN

    @property
    def note(self):
        """The cell's second line: the path that leads here, or 출발점 for where the study's cases stand."""
        if self.path:
            return _("경로 %(number)s") % {"number": self.number}
        return _("출발점") if self.is_origin else ""

    @property
    def link_name(self):
        """The cell link's accessible name: what it shows first (count, note), as speech input needs, then where."""
        shown = _("%(count)s건") % {"count": self.count}
        if self.note:
            shown = f"{shown} {self.note}"
        return _("%(shown)s: %(label)s 사례 목록") % {"shown": shown, "label": self.label}

    @property
    def product_label(self):
        return EvolutionPath.Kind(self.product).label

    @property
    def technology_label(self):
        return EvolutionPath.Kind(self.technology).label

    @property
    def center_x(self):
        return self.x + CELL_WIDTH // 2

    @property
    def center_y(self):
        return self.y + CELL_HEIGHT // 2


@dataclass
class GridPath:
    path: EvolutionPath
    number: str  # ①, ②, ③
    cell: GridCell  # where it leads
    taken: int  # cases tagged with this path (among the page's cases)
    x1: int
    y1: int
    x2: int
    y2: int
    label_x: int
    label_y: int


@dataclass
class Grid:
    cells: list
    paths: list
    total: int
    width: int = WIDTH
    height: int = HEIGHT
    cell_width: int = CELL_WIDTH
    cell_height: int = CELL_HEIGHT

    @property
    def row_heads(self):
        """One cell per row (proprietary product above, general below), for the row labels."""
        return [cell for cell in self.cells if cell.technology == GENERAL]

    @property
    def column_heads(self):
        """One cell per column (general technology left, proprietary right), for the column labels."""
        return [cell for cell in self.cells if cell.product == GENERAL]


NUMBERS = "①②③④⑤⑥⑦⑧⑨"


def path_number(path):
    """①②③ for the study's codes 1–3 (a path staff add later keeps its code)."""
    return NUMBERS[int(path.code) - 1] if path.code.isdigit() and 0 < int(path.code) <= len(NUMBERS) else path.code


def cell_label(product, technology):
    return _("%(product)s 상품 × %(technology)s 기술") % {
        "product": EvolutionPath.Kind(product).label,
        "technology": EvolutionPath.Kind(technology).label,
    }


def arrow(origin, target):
    """From the origin cell's edge to the target cell's edge, through the gap between them (label beside it)."""
    if target.x == origin.x:  # ①: straight up
        x = origin.center_x
        return x, origin.y, x, target.y + CELL_HEIGHT, x + 10, origin.y - GAP // 2 + 5
    if target.y == origin.y:  # ②: straight right
        y = origin.center_y
        return origin.x + CELL_WIDTH, y, target.x, y, origin.x + CELL_WIDTH + GAP // 2 - 8, y - 10
    # ③: corner to corner
    return (
        origin.x + CELL_WIDTH,
        origin.y,
        target.x,
        target.y + CELL_HEIGHT,
        origin.x + CELL_WIDTH + GAP // 2 + 6,
        origin.y - GAP // 2 + 14,
    )


def build(filterset, facets):
    """The grid for a valid filterset and its facets."""
    active = filterset.active_values()
    by_cell, by_path = Counter(), Counter()
    for (product, technology, path_id), n in facets.grid.items():
        by_cell[product, technology] += n
        if path_id is not None:
            by_path[path_id] += n
    total = sum(by_cell.values())
    paths_to = {(path.product, path.technology): path for path in filterset.vocabulary.path}
    cells = {}
    for product in (PROPRIETARY, GENERAL):
        for technology in (GENERAL, PROPRIETARY):
            n = by_cell[product, technology]
            x, y = cell_origin(product, technology)
            cells[product, technology] = GridCell(
                product=product,
                technology=technology,
                label=cell_label(product, technology),
                count=n,
                active=active["product"] in (None, product) and active["technology"] in (None, technology),
                url=listing_url(filterset, product=product, technology=technology),
                path=paths_to.get((product, technology)),
                x=x,
                y=y,
                heat=heat(100 * n / total) if total else 0,
            )
    origin = cells[ORIGIN]
    paths = []
    for path in filterset.vocabulary.path:
        target = cells.get((path.product, path.technology))
        if target is None or target is origin:
            continue
        paths.append(GridPath(path, path_number(path), target, by_path[path.id], *arrow(origin, target)))
    return Grid(list(cells.values()), paths, total)
