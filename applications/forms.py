"""The public application form (/apply/): every field bounded, every error in Korean next to its field."""

import datetime
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import GuidanceArea, Industry, Region, normalize_registration_number, validate_registration_number

from . import widgets
from .models import Application

BOTTLENECK_MAX_LENGTH = 4000
MAX_EMPLOYEES = 1_000_000
WISHED_START_MAX_DAYS = 2 * 366  # a start more than about two years away is a typing mistake
HONEYPOT = "homepage"  # an innocent-looking name bots fill in; browsers have no autofill for it

REQUIRED = _("%(label)s을(를) 적어 주세요.")
TOO_LONG = _("%(limit_value)s자 이내로 적어 주세요 (지금 %(show_value)s자).")


class MultilineField(forms.CharField):
    """A textarea's text with its line breaks as "\n": browsers send "\r\n" but count one character for it, so a
    text that fits the textarea's maxlength must fit max_length too."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n") if value else value


class ApplicationForm(forms.ModelForm):
    registration_number = forms.CharField(
        label=_("사업자등록번호"),
        max_length=20,  # room for hyphens and spaces; normalised to 10 digits below
        help_text=_("숫자 10자리. 하이픈은 넣어도 되고 빼도 됩니다 (예: 123-45-67890)."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    region = forms.ChoiceField(
        label=_("지역 (시·도)"),
        choices=[("", _("시·도를 고르세요"))] + list(Region.choices),
        widget=widgets.Select,
        error_messages={"invalid_choice": _("목록에 있는 시·도를 골라 주세요.")},
    )
    industry = forms.ModelChoiceField(
        label=_("업종"),
        queryset=Industry.objects.all(),
        to_field_name="code",  # codes in the page, not row ids: nothing to count through
        empty_label=_("업종을 고르세요"),
        widget=widgets.Select,
        error_messages={"invalid_choice": _("목록에 있는 업종을 골라 주세요.")},
    )
    employees = forms.CharField(
        label=_("종업원 수"),
        max_length=20,
        help_text=_("숫자만 적어 주세요 (예: 45)."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    bottleneck = MultilineField(
        label=_("애로기술"),
        max_length=BOTTLENECK_MAX_LENGTH,
        help_text=_(
            "현장에서 풀고 싶은 기술 문제를 자유롭게 적어 주세요: 어떤 제품의 어떤 공정에서, 무엇이 문제인지, "
            "지금까지 해 본 일 (4,000자 이내)."
        ),
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    wished_areas = forms.ModelMultipleChoiceField(
        label=_("희망 지도 분야 (선택)"),
        queryset=GuidanceArea.objects.all(),
        to_field_name="code",
        required=False,
        widget=widgets.CheckboxSelectMultiple,
        help_text=_("해당하는 분야를 모두 고르세요. 잘 모르면 비워 두어도 됩니다."),
        error_messages={
            "invalid_choice": _("목록에 있는 분야만 고를 수 있습니다."),
            "invalid_pk_value": _("목록에 있는 분야만 고를 수 있습니다."),
            "invalid_list": _("목록에 있는 분야만 고를 수 있습니다."),
        },
    )
    wished_start = forms.DateField(
        label=_("희망 시작일 (선택)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%Y.%m.%d", "%Y. %m. %d", "%Y/%m/%d"],
        error_messages={"invalid": _("날짜를 2026-03-02처럼 적어 주세요.")},
    )
    consent = forms.BooleanField(
        label=_("위 내용을 읽었으며, 개인정보 수집·이용에 동의합니다."),
        error_messages={"required": _("개인정보 수집·이용에 동의해야 신청할 수 있습니다.")},
    )
    # The honeypot: hidden from people (CSS), filled in by bots. A filled one is answered as if accepted.
    homepage = forms.CharField(
        label=_("이 칸은 비워 두세요"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    class Meta:
        model = Application
        fields = [
            "company_name",
            "registration_number",
            "region",
            "industry",
            "products",
            "employees",
            "contact_name",
            "contact_email",
            "contact_phone",
            "bottleneck",
            "wished_areas",
            "wished_start",
        ]
        widgets = {
            "company_name": forms.TextInput(attrs={"autocomplete": "organization"}),
            "contact_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "contact_email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "contact_phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
        }
        labels = {"company_name": _("회사명 (상호)")}
        help_texts = {
            "products": _("회사가 만드는 주요 제품 (예: 자동차용 플라스틱 사출 부품)."),
            "contact_phone": _("예: 010-1234-5678 또는 02-123-4567"),
        }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name != "consent":
                field.error_messages["required"] = REQUIRED % {"label": field.label}
            field.error_messages["max_length"] = TOO_LONG
        self.fields["contact_email"].error_messages["invalid"] = _("이메일 주소를 name@example.com처럼 적어 주세요.")

    def is_bot(self):
        """True when the honeypot is filled in: the caller answers as if accepted and stores nothing."""
        return bool(str(self.data.get(HONEYPOT, "")).strip())

    def clean_registration_number(self):
        digits = normalize_registration_number(self.cleaned_data["registration_number"])
        validate_registration_number(digits)
        return digits

    def clean_employees(self):
        raw = re.sub(r"[\s,명]", "", self.cleaned_data["employees"])
        if not raw.isascii() or not raw.isdigit():
            raise forms.ValidationError(_("종업원 수는 숫자로 적어 주세요 (예: 45)."), code="invalid")
        number = int(raw)
        if not 1 <= number <= MAX_EMPLOYEES:
            raise forms.ValidationError(_("종업원 수는 1명에서 1,000,000명 사이로 적어 주세요."), code="out_of_range")
        return number

    def clean_wished_start(self):
        wished = self.cleaned_data["wished_start"]
        if wished is None:
            return None
        today = timezone.localdate()
        if wished < today:
            raise forms.ValidationError(_("희망 시작일은 오늘이나 그 뒤의 날짜로 적어 주세요."), code="past")
        if wished > today + datetime.timedelta(days=WISHED_START_MAX_DAYS):
            raise forms.ValidationError(_("희망 시작일은 2년 안의 날짜로 적어 주세요."), code="too_far")
        return wished
