"""Firms and the engineer registry in the staff admin.

Both hold personal data (privacy.inventory): `PersonalDataAdminMixin` hides it from staff without the permission
(the 열람자 role) in forms, lists, search and history, and logs every opening by staff who may see it.
"""

import re

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX

from privacy.admin import PersonalDataAdminMixin

from ..forms import FirmAdminForm
from ..models import Firm, Mentor, normalize_registration_number
from ..notifications import SendFailed, Unsendable, send_mentor_link
from ..resources import MentorResource
from .common import StaffAdmin, report_sending, revoke_links

PRIVATE_SECTION = _("개인정보 (비공개)")
PRIVATE_SECTION_NOTE = _("개인정보 열람 권한이 있는 담당자만 봅니다. 열 때마다 개인정보 접근 기록이 남습니다.")
FORMATTED_REGISTRATION_NUMBER = re.compile(r"\b\d{3}-\d{2}-\d{5}\b")


@admin.register(Firm)
class FirmAdmin(PersonalDataAdminMixin, StaffAdmin):
    form = FirmAdminForm
    list_display = ("code", "name", "industry", "region", "registration_number_display")
    list_filter = ("industry", "region")
    list_select_related = ("industry",)
    search_fields = (
        "code",
        "name",
        "products",
        # Private: only for staff who may see personal data (PersonalDataAdminMixin.get_search_fields).
        "legal_name",
        "registration_number",
        "contact_name",
        "contact_email",
        "contact_phone",
    )
    readonly_fields = ("personal_data_purged_at",)
    personal_data_only = ("registration_number_display", "personal_data_purged_at")
    fieldsets = (
        (None, {"fields": ("code", "name", "industry", "products", "profile", ("region", "employees"))}),
        (
            PRIVATE_SECTION,
            {
                "fields": (
                    "legal_name",
                    "registration_number",
                    "contact_name",
                    ("contact_email", "contact_phone"),
                    "personal_data_purged_at",
                ),
                "description": PRIVATE_SECTION_NOTE,
            },
        ),
    )

    def get_search_results(self, request, queryset, search_term):
        if self.may_see_personal_data(request):
            # Staff type registration numbers as printed (123-45-67890); they are stored as 10 digits.
            search_term = FORMATTED_REGISTRATION_NUMBER.sub(
                lambda match: normalize_registration_number(match.group()), search_term
            )
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description=_("사업자등록번호"), ordering="registration_number")
    def registration_number_display(self, firm):
        return firm.registration_number_display or "—"


@admin.register(Mentor)
class MentorAdmin(PersonalDataAdminMixin, ImportExportMixin, StaffAdmin):
    resource_classes = [MentorResource]  # the registry without its private fields
    import_formats = [CSV, XLSX]
    export_formats = [CSV, XLSX]
    to_encoding = "utf-8-sig"  # CSV with a BOM, so Excel opens the Korean text correctly
    list_display = ("code", "name", "status", "capacity", "load", "case_count")
    list_filter = ("status", "guidance_areas", "industries")
    search_fields = (
        "code",
        "name",
        "specialty",
        "former_employer",
        # Private: only for staff who may see personal data (PersonalDataAdminMixin.get_search_fields).
        "real_name",
        "email",
        "phone",
    )
    filter_horizontal = ("guidance_areas", "industries")
    readonly_fields = ("personal_data_purged_at", "link_expires_at")
    personal_data_only = ("personal_data_purged_at",)
    actions = ("send_links", revoke_links)
    fieldsets = (
        (None, {"fields": ("code", "name", "background", "years_of_experience")}),
        (
            PRIVATE_SECTION,
            {
                "fields": ("real_name", ("email", "phone"), "personal_data_purged_at"),
                "description": PRIVATE_SECTION_NOTE,
            },
        ),
        (
            _("퇴직기술자 명부"),
            {
                "fields": (
                    ("former_employer", "specialty"),
                    ("speaks_japanese", "speaks_korean", "speaks_english"),
                    "guidance_areas",
                    "industries",
                    ("status", "capacity"),
                )
            },
        ),
        (_("지도 보고 링크"), {"fields": ("link_expires_at",)}),
    )

    def get_queryset(self, request):
        # One query for the whole page: the load (cases in guidance now) and all cases, counted in SQL.
        # Meta.ordering does not apply to GROUP BY queries: order explicitly for stable pages.
        return (
            super()
            .get_queryset(request)
            .with_load()
            .annotate(case_count=Count("cases", distinct=True))
            .order_by("code")
        )

    @admin.display(description=_("현재 담당 (지도 중)"), ordering="load")
    def load(self, mentor):
        return mentor.load

    @admin.display(description=_("사례 수"), ordering="case_count")
    def case_count(self, mentor):
        return mentor.case_count

    @admin.action(description=_("지도 보고 링크 메일 보내기"), permissions=["change"])
    def send_links(self, request, queryset):
        base_url = request.build_absolute_uri("/")
        sent, skipped, failed = 0, [], []
        for mentor in queryset.order_by("code"):
            try:
                send_mentor_link(mentor, base_url)
            except Unsendable as reason:
                skipped.append(str(reason))
            except SendFailed as error:
                failed.append(str(error))
            else:
                sent += 1
        message = _("지도 보고 링크 메일 %(count)d건을 보냈습니다.")
        report_sending(self, request, message, sent=sent, skipped=skipped, failed=failed)
