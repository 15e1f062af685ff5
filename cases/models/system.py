"""Bookkeeping tables: the data version the public caches key on, and what the seed inserted."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DataVersion(models.Model):
    """One row whose token changes whenever a table the public listing and statistics read is written.

    Database triggers (migration 0007) set a new random token on every insert, update or delete of cases, their
    guidance areas, firms, industries, areas and patterns, whatever the path: admin, import, seed, bulk loads, raw
    SQL. What is cached under a token (facet counts, rendered page parts: cases/facets.py) is therefore never
    served after the data changed. A random token, not a counter, so a rolled-back write never hands one out again.
    """

    token = models.BigIntegerField(_("토큰"))

    class Meta:
        verbose_name = _("데이터 버전")
        verbose_name_plural = _("데이터 버전")

    def __str__(self):
        return str(self.token)

    @classmethod
    def current_token(cls):
        return cls.objects.filter(pk=1).values_list("token", flat=True).first()


class SeedRecord(models.Model):
    """A fixture record that `manage.py seed` once inserted.

    Reseeding skips these, so a seeded record that staff deleted on purpose is not brought back.
    """

    model = models.CharField(_("모델"), max_length=100)
    natural_key = models.CharField(_("자연 키"), max_length=300)
    seeded_at = models.DateTimeField(_("입력일시"), auto_now_add=True)

    class Meta:
        verbose_name = _("초기 데이터 기록")
        verbose_name_plural = _("초기 데이터 기록")
        constraints = [models.UniqueConstraint(fields=["model", "natural_key"], name="seed_record_unique")]

    def __str__(self):
        return f"{self.model} {self.natural_key}"
