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
    # Only when adding: a new request starts at 접수; a guidance that already ended is recorded as 지도 완료.
    recorded_as = forms.ChoiceField(
        label=_("등록 방식"),
        choices=[
            (Case.Stage.RECEIVED, _("새 신청 (접수 단계에서 시작)")),
            (Case.Stage.COMPLETED, _("이미 끝난 기술지도 기록 (지도 완료)")),
        ],
        initial=Case.Stage.RECEIVED,
        required=False,
    )

    class Meta:
        model = Case
        fields = "__all__"  # noqa: DJ007 -- the ModelAdmin's fieldsets choose the fields

    def __init__(self, *args, **kwargs):
        data = kwargs.get("data", args[0] if args else None)
        if kwargs.get("instance") is None and data is not None and data.get("recorded_as") == Case.Stage.COMPLETED:
            # The stage is protected (it changes only by transitions), so a record is created completed.
            kwargs["instance"] = Case(stage=Case.Stage.COMPLETED)
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["loaded_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk and cleaned.get("mentor") and self.instance.stage != Case.Stage.COMPLETED:
            self.add_error("mentor", _("새 신청 사례의 퇴직기술자는 매칭 단계에서 후보 중에 골라 배정합니다."))
        self._check_publishable(cleaned)
        if self.instance.pk:
            current = Case.objects.select_for_update().filter(pk=self.instance.pk).values_list("version", flat=True)
            loaded = cleaned.get("loaded_version")
            if loaded is None or current.first() != loaded:
                raise forms.ValidationError(STALE_EDIT, code="stale")
        return cleaned

    def _check_publishable(self, cleaned):
        """Publishing needs a finished case, a pattern, the summary texts and the firm's public products.

        The stage is not a form field, so the database constraint on it is checked here, in Korean."""
        if cleaned.get("status") != Case.Status.PUBLISHED or cleaned.get("firm") is None:
            return
        draft = Case(
            stage=self.instance.stage,
            firm=cleaned["firm"],
            outcome_pattern=cleaned.get("outcome_pattern"),
            guidance=cleaned.get("guidance") or "",
            outcomes=cleaned.get("outcomes") or "",
        )
        for problem in draft.publishing_problems():
            self.add_error("status", problem)

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
