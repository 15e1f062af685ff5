"""Published cases counted by everything the public filters can choose, kept by database triggers.

The listing's facets and the statistics page count published cases by pattern, period, industry, guidance area,
product, technology and evolution path, each with the other filters applied. Recounting 100,000 cases for every
new data version took 0.5–1.6 s on the first request after any edit (docs/performance.md); these rows answer
the same counts from a few thousand rows. Row-level triggers (migration 0018, the same SQL on PostgreSQL and
SQLite) add and subtract a case's rows whenever a case, its guidance areas or its firm's industry change, so the
counts are right after any write: admin, import, seed, bulk loads or raw SQL.

A case counts once in the row of its values with `area_id` 0 ("any area"), and once more in the row for each of
its guidance areas. Columns a case leaves empty (no end year, no evolution path) hold 0, since a unique key
cannot match NULLs.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

ANY_AREA = 0  # the row that counts each case once, whatever its areas
NONE = 0  # an empty pattern, year or path, as the key columns hold it
# The area first: most counts read the ANY_AREA rows (or one area's), which the key's index then finds alone.
KEY = ("area_id", "pattern_id", "started_year", "ended_year", "industry_id", "product", "technology", "path_id")


class PublishedCount(models.Model):
    # Plain numbers, not foreign keys: the triggers write them, and a count must never block deleting a
    # vocabulary entry that no published case uses any more.
    area_id = models.IntegerField(_("지도 분야"))
    pattern_id = models.IntegerField(_("성과 패턴"))
    started_year = models.IntegerField(_("지도 시작 연도"))
    ended_year = models.IntegerField(_("지도 종료 연도"))
    industry_id = models.IntegerField(_("업종"))
    product = models.CharField(_("상품"), max_length=12)
    technology = models.CharField(_("기술"), max_length=12)
    path_id = models.IntegerField(_("진화 경로"))
    cases = models.IntegerField(_("사례 수"), default=0)

    class Meta:
        verbose_name = _("공개 사례 집계")
        verbose_name_plural = _("공개 사례 집계")
        constraints = [models.UniqueConstraint(fields=KEY, name="published_count_key")]

    def __str__(self):
        return f"{dict(zip(KEY, (getattr(self, name) for name in KEY), strict=True))}: {self.cases}"
