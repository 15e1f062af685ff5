"""Firms and the engineer registry in the staff admin."""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from ..forms import FirmAdminForm
from ..models import Firm, Mentor
from .common import StaffAdmin


@admin.register(Firm)
class FirmAdmin(StaffAdmin):
    form = FirmAdminForm
    list_display = ("code", "name", "products", "industry")
    list_filter = ("industry",)
    search_fields = ("code", "name", "products")
    list_select_related = ("industry",)


@admin.register(Mentor)
class MentorAdmin(StaffAdmin):
    list_display = ("code", "name", "years_of_experience", "case_count")
    search_fields = ("code", "name", "background")

    def get_queryset(self, request):
        # Meta.ordering does not apply to GROUP BY queries: order explicitly for stable pages.
        return super().get_queryset(request).annotate(case_count=Count("cases")).order_by("code")

    @admin.display(description=_("사례 수"), ordering="case_count")
    def case_count(self, mentor):
        return mentor.case_count
