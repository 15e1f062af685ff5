from django import forms
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import Case, Firm

STALE_EDIT = _(
    "다른 담당자가 이 사례를 먼저 수정해 저장했습니다. 입력하신 내용은 저장되지 않았습니다. "
    "새 창에서 최신 내용을 확인한 뒤 다시 고쳐 주세요."
)


class CaseAdminForm(forms.ModelForm):
    """The case form, with optimistic locking.

    The form carries the version the editor loaded. Saving locks the row (inside the admin's
    transaction), refuses the save if someone saved in between, and otherwise bumps the version.
    """

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Case
        fields = "__all__"  # noqa: DJ007 -- the ModelAdmin's fieldsets choose the fields

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["loaded_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            current = Case.objects.select_for_update().filter(pk=self.instance.pk).values_list("version", flat=True)
            loaded = cleaned.get("loaded_version")
            if loaded is None or current.first() != loaded:
                raise forms.ValidationError(STALE_EDIT, code="stale")
        return cleaned

    def save(self, commit=True):
        if self.instance.pk:
            self.instance.version = self.cleaned_data["loaded_version"] + 1
        return super().save(commit)


class FirmAdminForm(forms.ModelForm):
    """Catches a firm entered twice, pointing to the record that already exists."""

    class Meta:
        model = Firm
        fields = "__all__"  # noqa: DJ007 -- the ModelAdmin's fieldsets choose the fields

    def clean(self):
        cleaned = super().clean()
        code, name = cleaned.get("code"), cleaned.get("name")
        if not code and not name:
            return cleaned
        same = Q()
        if code:
            same |= Q(code__iexact=code.strip())
        if name:
            same |= Q(name__iexact=name.strip()) | Q(name__iexact=name.replace(" ", ""))
        existing = Firm.objects.filter(same).exclude(pk=self.instance.pk).first()
        if existing:
            url = reverse("admin:cases_firm_change", args=[existing.pk])
            raise forms.ValidationError(
                format_html(
                    '이미 등록된 기업과 코드나 이름이 같습니다: <a href="{}">{} ({})</a>. '
                    "새로 만들지 말고 그 기업을 고르세요.",
                    url,
                    existing.name,
                    existing.code,
                ),
                code="duplicate_firm",
            )
        return cleaned
