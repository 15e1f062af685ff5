"""Insert-only loading of the study's fixtures.

`loaddata` overwrites rows that share a natural key, which would undo staff edits. Seeding instead
inserts only records whose natural key is neither in the database nor in `SeedRecord` (seeded once
and since deleted by staff), so it can run on every `make run` without losing anything.
"""

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core import serializers
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.db.models.signals import post_save

from .models import SeedRecord

SEED_CHANGE_REASON = "초기 데이터 입력"

# Order matters: each file refers only to records of the files before it.
FIXTURE_FILES = [
    "01_industries.json",
    "02_guidance_areas.json",
    "03_outcome_patterns.json",
    "04_evolution_paths.json",
    "05_firms.json",
    "06_mentors.json",
    "07_cases.json",
    "08_outcomes.json",
    "09_metric_kinds.json",
    "10_metrics.json",
]


@dataclass
class SeedReport:
    created: Counter = field(default_factory=Counter)
    kept: Counter = field(default_factory=Counter)
    skipped_deleted: Counter = field(default_factory=Counter)
    skipped_orphans: Counter = field(default_factory=Counter)

    @property
    def total_created(self):
        return sum(self.created.values())


def fixture_paths():
    directory = Path(settings.FIXTURE_DIRS[0])
    return [directory / name for name in FIXTURE_FILES]


def _label(model):
    return model._meta.label_lower


def _key_text(natural_key):
    return json.dumps(list(natural_key), ensure_ascii=False)


@transaction.atomic
def seed(*, dry_run=False):
    """Insert every fixture record that is missing; never update or duplicate an existing one.

    With `dry_run`, report what would be inserted and roll everything back.
    """
    report = SeedReport()
    for path in fixture_paths():
        with path.open(encoding="utf-8") as stream:
            records = json.load(stream)
        for record in records:
            # One record at a time, so a record whose parent staff deleted is skipped, not fatal.
            try:
                (deserialized,) = serializers.deserialize("python", [record])
            except serializers.base.DeserializationError as error:
                if not isinstance(error.__context__, ObjectDoesNotExist):
                    raise
                report.skipped_orphans[record["model"]] += 1
                continue
            _insert_if_missing(deserialized, report)
    if dry_run:
        transaction.set_rollback(True)
    return report


def _insert_if_missing(deserialized, report):
    obj = deserialized.object
    model = type(obj)
    label = model._meta.verbose_name_plural
    # The deserializer resolves the natural key: a pk means the row exists (staff may have edited it).
    if obj.pk is not None:
        report.kept[label] += 1
        return
    key = _key_text(obj.natural_key())
    if SeedRecord.objects.filter(model=_label(model), natural_key=key).exists():
        report.skipped_deleted[label] += 1
        return
    _insert_with_history(obj, deserialized.m2m_data or {})
    SeedRecord.objects.create(model=_label(model), natural_key=key)
    report.created[label] += 1


def _insert_with_history(obj, m2m_data):
    """Insert `obj` with its many-to-many rows as ONE history entry (simple-history would add one per step).

    A normal save, not a raw one, so auto timestamps are set and the insert is recorded.
    """
    obj._change_reason = SEED_CHANGE_REASON
    if not m2m_data:
        obj.save()
        return
    obj.skip_history_when_saving = True
    try:
        obj.save()
        for name, values in m2m_data.items():
            getattr(obj, name).set(values)
    finally:
        del obj.skip_history_when_saving
    # Now that the areas are set, record the insert with its complete state.
    post_save.send(sender=type(obj), instance=obj, created=True, raw=False, using=obj._state.db, update_fields=None)
