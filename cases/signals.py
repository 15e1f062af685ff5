"""Keeps Case.search_text in step with everything it is built from.

Signals, because the sources change through many paths (admin forms, inlines, imports, seeding) and the
search text must never go stale. The updates are bulk updates: no history entries, no recursion.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver

from .models import Case, Firm, GuidanceArea, Mentor


@receiver(post_save, sender=Case)
def case_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        Case.objects.filter(pk=instance.pk).refresh_search_text()


@receiver(m2m_changed, sender=Case.guidance_areas.through)
def case_areas_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if reverse:  # an area's cases changed
        cases = Case.objects.filter(pk__in=pk_set) if pk_set else Case.objects.filter(guidance_areas=instance)
    else:
        cases = Case.objects.filter(pk=instance.pk)
    cases.refresh_search_text()


@receiver(post_save, sender=Firm)
def firm_saved(sender, instance, created, raw=False, **kwargs):
    if not raw and not created:
        Case.objects.filter(firm=instance).refresh_search_text()


@receiver(post_save, sender=Mentor)
def mentor_saved(sender, instance, created, raw=False, **kwargs):
    if not raw and not created:
        Case.objects.filter(mentor=instance).refresh_search_text()


@receiver(post_save, sender=GuidanceArea)
def area_saved(sender, instance, created, raw=False, **kwargs):
    if not raw and not created:
        Case.objects.filter(guidance_areas=instance).refresh_search_text()


@receiver(pre_delete, sender=GuidanceArea)
def area_deleting(sender, instance, **kwargs):
    # The link rows go with the area, without an m2m signal: remember whose text to rebuild.
    instance._case_ids = list(instance.cases.values_list("pk", flat=True))


@receiver(post_delete, sender=GuidanceArea)
def area_deleted(sender, instance, **kwargs):
    Case.objects.filter(pk__in=getattr(instance, "_case_ids", [])).refresh_search_text()
