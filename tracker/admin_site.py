from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django_otp import devices_for_user, user_has_device
from django_otp.admin import OTPAdminAuthenticationForm


class TwoFactorLoginForm(OTPAdminAuthenticationForm):
    """Password, plus the authenticator code for accounts that have enrolled one."""

    def clean(self):
        cleaned = AdminAuthenticationForm.clean(self)
        user = self.get_user()
        if user is not None and user_has_device(user):
            self.clean_otp(user)
        return cleaned

    def _chosen_device(self, user):
        # Staff enrol one authenticator app: use it without asking them to pick it from a list first.
        device = super()._chosen_device(user)
        if device is None and not self.cleaned_data.get("otp_device"):
            devices = list(devices_for_user(user))
            if len(devices) == 1:
                device = devices[0]
        return device


class TrackerAdminSite(admin.AdminSite):
    """The staff admin, with optional TOTP two-factor login.

    A staff member who has enrolled a TOTP device must enter its code; superusers must have one when
    DJANGO_REQUIRE_2FA is on. Enrol with `manage.py add_totp_device USERNAME`.
    """

    site_header = "기술지도 사례 관리"
    site_title = "기술지도 사례 관리"
    index_title = "현황판"
    login_form = TwoFactorLoginForm
    login_template = "otp/admin111/login.html"

    def index(self, request, extra_context=None):
        """The staff dashboard (staff/dashboard.py), then the list of every model the user may open."""
        from staff.dashboard import build_dashboard  # it reads the admin modules, which need this site first

        context = {"dashboard": build_dashboard(request.user), **(extra_context or {})}
        return super().index(request, extra_context=context)

    def get_urls(self):
        """The admin's own URLs, plus the yearly report (/admin/report/, staff/views.py) and the casebook PDF
        (/admin/casebook/, cases/casebook.py)."""
        from django.urls import path

        from cases.casebook import casebook_view
        from staff.views import report  # it reads the models, which need the apps loaded first

        def report_view(request):
            return report(request, self)

        def casebook_pdf_view(request):
            return casebook_view(request, self)

        return [
            path("report/", self.admin_view(report_view), name="report"),
            path("casebook/", self.admin_view(casebook_pdf_view), name="casebook"),
            *super().get_urls(),
        ]

    def has_permission(self, request):
        # Asked several times per page; the device lookup is a query, so answer once per request.
        if not hasattr(request, "_tracker_admin_permission"):
            request._tracker_admin_permission = self._has_permission(request)
        return request._tracker_admin_permission

    def _has_permission(self, request):
        if not super().has_permission(request):
            return False
        user = request.user
        if user.is_verified():
            return True
        if user_has_device(user):
            return False  # enrolled: the password alone is not enough
        return not (settings.REQUIRE_2FA and user.is_superuser)
