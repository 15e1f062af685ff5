"""Korean for the parts of the admin that other packages bring, so a Korean staff member reads Korean everywhere.

- Two-factor devices (django-otp): the package ships no translations and names its model and fields in code, so
  their display names are set here and the device admin is registered again with Korean labels. Only display
  names change (`verbose_name`, which migrations do not record); help texts are replaced in the admin form.
- Login lockout records (django-axes): their strings go through gettext, translated in staff/locale/ko; the
  columns axes leaves unnamed get Korean names here.
- Permissions: Django stores their names in English ("Can add …"); the user and group pages show them as
  "기술지도 사례 · 추가" instead.
"""

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django import forms
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.urls import reverse
from django.utils.html import format_html
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import SentReminder

# --- two-factor devices -------------------------------------------------------------------------------------

apps.get_app_config("otp_totp").verbose_name = "2단계 인증"
apps.get_app_config("axes").verbose_name = "로그인 잠금"
TOTPDevice._meta.verbose_name = TOTPDevice._meta.verbose_name_plural = "인증 앱 (TOTP)"
TOTP_LABELS = {
    "user": ("사용자", "이 인증 앱으로 로그인하는 계정."),
    "name": ("기기 이름", "알아보기 쉬운 이름. 예: 김담당 휴대폰"),
    "confirmed": ("사용 중", "끄면 이 기기의 코드로는 로그인할 수 없습니다."),
    "created_at": ("등록일시", ""),
    "last_used_at": ("마지막 사용", ""),
    "key": ("비밀 키", "16진수 비밀 키 (최대 40바이트). 비워 두면 새로 만듭니다. 누구에게도 보여 주지 마세요."),
    "step": ("코드 주기 (초)", "코드가 바뀌는 간격. 보통 30초."),
    "t0": ("기준 시각 (유닉스 시간)", "주기를 세기 시작하는 시각. 보통 0."),
    "digits": ("자릿수", "코드의 자릿수."),
    "tolerance": ("허용 오차 (주기)", "앞뒤로 몇 주기까지의 코드를 받아 줄지. 보통 1."),
    "drift": ("시계 차이 (주기)", "인증 앱의 시계가 서버와 어긋난 주기 수. 자동으로 맞춰집니다."),
    "last_t": ("마지막으로 확인한 주기", ""),
    "throttling_failure_timestamp": ("마지막 실패 일시", "비어 있으면 마지막 시도가 성공한 것입니다."),
    "throttling_failure_count": ("연속 실패 횟수", "틀린 코드가 이어지면 잠시 다시 시도할 수 없습니다."),
}
TOTP_FIELDSETS = {
    "Identity": "기기",
    "Timestamps": "일시",
    "Configuration": "설정",
    "State": "상태",
    "Throttling": "잘못된 코드 제한",
}
READ_ONLY = ("created_at", "last_used_at", "last_t")
for field_name, (label, _help_text) in TOTP_LABELS.items():
    TOTPDevice._meta.get_field(field_name).verbose_name = label


class TOTPDeviceForm(forms.ModelForm):
    class Meta:
        model = TOTPDevice
        fields = [name for name in TOTP_LABELS if name not in READ_ONLY]  # the admin's fieldsets pick from these
        help_texts = {name: help_text for name, (_label, help_text) in TOTP_LABELS.items()}


admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class KoreanTOTPDeviceAdmin(TOTPDeviceAdmin):
    form = TOTPDeviceForm
    search_help_text = "사용자 이름이나 이메일로 찾습니다."

    def get_fieldsets(self, request, obj=None):
        return [(TOTP_FIELDSETS.get(title, title), options) for title, options in super().get_fieldsets(request, obj)]

    @admin.display(description="QR 코드")
    def qrcode_link(self, device):
        url = reverse("admin:otp_totp_totpdevice_config", kwargs={"pk": device.pk})
        return format_html('<a href="{}">QR 코드 보기</a>', url)


# --- login lockout records ----------------------------------------------------------------------------------

admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class KoreanAccessAttemptAdmin(AccessAttemptAdmin):
    @admin.display(description="만료 일시")
    def expiration(self, obj):
        return super().expiration(obj)

    @admin.display(description="상태")
    def status(self, obj):
        return super().status(obj)


# --- permissions on the user and group pages ----------------------------------------------------------------

ACTIONS = {"add": "추가", "change": "변경", "delete": "삭제", "view": "보기"}


class PermissionChoiceField(forms.ModelMultipleChoiceField):
    """'기술지도 사례 · 추가' for Django's 'cases | 기술지도 사례 | Can add 기술지도 사례'; own permissions keep their
    (Korean) names. Reads permission.content_type: select it with the permissions."""

    def label_from_instance(self, permission):
        model = permission.content_type.model_class()
        if model is None:
            return str(permission)
        action, _sep, model_name = permission.codename.partition("_")
        if action not in ACTIONS or model_name != model._meta.model_name:
            return f"{model._meta.verbose_name} · {permission.name}"
        original = getattr(model, "instance_type", None)  # django-simple-history's record of a model's changes
        subject = f"{_name(original)} 변경 이력" if original else _name(model)
        return f"{subject} · {ACTIONS[action]}"


def _name(model):
    """A model's Korean name; a many-to-many table's is its field's: '기술지도 사례의 지도 분야'."""
    owner = model._meta.auto_created
    if not owner:
        return model._meta.verbose_name
    field = next(field for field in owner._meta.many_to_many if field.remote_field.through is model)
    return f"{owner._meta.verbose_name}의 {field.verbose_name}"


class KoreanPermissionsMixin:
    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        if db_field.name in ("permissions", "user_permissions"):
            kwargs["form_class"] = PermissionChoiceField
            kwargs["queryset"] = db_field.remote_field.model.objects.select_related("content_type")
        return super().formfield_for_manytomany(db_field, request=request, **kwargs)


admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class StaffUserAdmin(KoreanPermissionsMixin, UserAdmin):
    pass


@admin.register(Group)
class StaffGroupAdmin(KoreanPermissionsMixin, GroupAdmin):
    pass


# --- reminders ----------------------------------------------------------------------------------------------


@admin.register(SentReminder)
class SentReminderAdmin(admin.ModelAdmin):
    """What send_reminders already sent: read-only, for superusers (deleting a row lets it be sent again)."""

    list_display = ("sent_at", "kind", "key")
    list_filter = ("kind",)
    search_fields = ("key",)
    date_hierarchy = "sent_at"

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser
