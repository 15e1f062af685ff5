"""Guidance visits in the staff admin: their own list, and a table on each case's page.

The rules (dates, hours per day, an engineer assigned and free that day) are Visit.clean()'s, so the admin form,
the inline and imports refuse the same things with the same Korean messages.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX

from ..models import Visit
from ..resources import VisitResource
from .common import StaffAdmin

VISIT_FIELDS = (
    "started_on",
    "ended_on",
    "mode",
    "hours",
    "interpreter",
    "topics",
    "summary",
    "action_items",
    "firm_confirmed_on",
)


class VisitInline(admin.StackedInline):
    """A case's visits; the engineer is the case's own unless chosen."""

    model = Visit
    extra = 0
    fields = (
        ("started_on", "ended_on", "mode", "hours", "interpreter"),
        "mentor",
        "topics",
        "summary",
        "action_items",
        "firm_confirmed_on",
    )
    autocomplete_fields = ("mentor",)
    filter_horizontal = ("topics",)
    ordering = ("started_on", "pk")
    classes = ("collapse",)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)


@admin.register(Visit)
class VisitAdmin(ImportExportMixin, StaffAdmin):
    resource_classes = [VisitResource]
    import_formats = [CSV, XLSX]
    export_formats = [CSV, XLSX]
    to_encoding = "utf-8-sig"
    list_display = (
        "case",
        "mentor",
        "started_on",
        "ended_on",
        "days",
        "mode",
        "hours",
        "interpreter",
        "firm_confirmed_on",
    )
    list_filter = ("mode", "interpreter")
    date_hierarchy = "started_on"
    search_fields = ("case__code", "case__firm__name", "mentor__code", "mentor__name")
    list_select_related = ("case", "mentor")
    autocomplete_fields = ("case", "mentor")
    filter_horizontal = ("topics",)
    fields = ("case", "mentor", *VISIT_FIELDS)
    list_per_page = 50
    show_full_result_count = False

    @admin.display(description=_("일수"), ordering="days")
    def days(self, visit):
        return visit.days
