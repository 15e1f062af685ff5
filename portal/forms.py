"""The two forms behind the links: a firm's follow-up answers and an engineer's visit report.

Every field is bounded and every error is a sentence in the page's language, next to its field.
"""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications import widgets
from cases.models import Adoption, GuidanceArea, Visit

COMMENT_MAX_LENGTH = 2000
REPORT_TEXT_MAX_LENGTH = 4000
MAX_VISIT_DAYS = 366  # one stay; a longer span is a typing mistake (and would overflow Visit.days)
MEASURE_DIGITS, MEASURE_PLACES = 14, 2  # FollowUpMeasurement.baseline / .current

REQUIRED = _("이 항목을 골라 주세요.")
HALF_ROW = _("지도 전 값과 현재 값을 함께 적거나, 둘 다 비워 두세요.")


class MultilineField(forms.CharField):
    """Line breaks as "\n", so a text that fits the textarea's maxlength fits max_length too."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n") if value else value


def _radio(label, choices, help_text):
    return forms.TypedChoiceField(
        label=label,
        help_text=help_text,
        choices=choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": REQUIRED, "invalid_choice": _("보기 가운데 하나를 골라 주세요.")},
    )


def _measure(label):
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=0,
        max_digits=MEASURE_DIGITS,
        decimal_places=MEASURE_PLACES,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={
            "invalid": _("숫자로 적어 주세요 (예: 12.5)."),
            "min_value": _("0 이상의 값을 적어 주세요."),
            "max_digits": _("숫자가 너무 깁니다 (모두 14자리 이내)."),
            "max_decimal_places": _("소수점 아래는 두 자리까지 적을 수 있습니다."),
            "max_whole_digits": _("숫자가 너무 큽니다 (정수 부분 12자리 이내)."),
        },
    )


class FollowUpForm(forms.Form):
    """One follow-up's questions. `areas`: the case's guidance areas; `kinds`: every MetricKind."""

    satisfaction = _radio(
        _("기술지도에 얼마나 만족하십니까?"),
        [(n, str(n)) for n in range(1, 6)],
        _("1은 매우 불만족, 5는 매우 만족입니다."),
    )
    recommend = _radio(
        _("다른 기업에 이 사업을 추천하시겠습니까?"),
        [(n, str(n)) for n in range(11)],
        _("0은 전혀 추천하지 않음, 10은 꼭 추천함입니다."),
    )
    attribution = forms.IntegerField(
        label=_("달라진 것 가운데 기술지도 덕분이라고 보는 몫 (%)"),
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "max": 100, "step": 1}),
        error_messages={
            "required": _("0에서 100 사이의 숫자를 적어 주세요."),
            "invalid": _("0에서 100 사이의 숫자를 적어 주세요."),
            "min_value": _("0에서 100 사이의 숫자를 적어 주세요."),
            "max_value": _("0에서 100 사이의 숫자를 적어 주세요."),
        },
    )
    comment = MultilineField(
        label=_("하고 싶은 말씀 (선택)"),
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        help_text=_("담당자만 읽습니다 (2,000자 이내)."),
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"max_length": _("%(limit_value)s자 이내로 적어 주세요 (지금 %(show_value)s자).")},
    )

    def __init__(self, *args, areas, kinds, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.areas, self.kinds = list(areas), list(kinds)
        for area in self.areas:
            self.fields[self.area_field(area)] = forms.ChoiceField(
                label=area.name,
                choices=Adoption.choices,
                widget=forms.RadioSelect,
                error_messages={"required": REQUIRED, "invalid_choice": _("보기 가운데 하나를 골라 주세요.")},
            )
        for kind in self.kinds:
            before, now = self.measure_fields(kind)
            self.fields[before] = _measure(_("%(kind)s 지도 전 (%(unit)s)") % _kind(kind))
            self.fields[now] = _measure(_("%(kind)s 현재 (%(unit)s)") % _kind(kind))

    @staticmethod
    def area_field(area):
        return f"area-{area.pk}"

    @staticmethod
    def measure_fields(kind):
        return f"metric-{kind.pk}-baseline", f"metric-{kind.pk}-current"

    def adoption_fields(self):
        return [self[self.area_field(area)] for area in self.areas]

    def measure_rows(self):
        """(kind, baseline field, current field, the row's errors) for the template."""
        rows = []
        for kind in self.kinds:
            before, now = (self[name] for name in self.measure_fields(kind))
            errors = list(dict.fromkeys([*before.errors, *now.errors]))
            rows.append((kind, before, now, errors))
        return rows

    def clean(self):
        cleaned = super().clean()
        for kind in self.kinds:
            before, now = self.measure_fields(kind)
            if before in self.errors or now in self.errors:
                continue
            if (cleaned.get(before) is None) != (cleaned.get(now) is None):
                missing = before if cleaned.get(before) is None else now
                self.add_error(missing, HALF_ROW)
        return cleaned

    def answers(self):
        """The keyword arguments of FollowUp.record_answer()."""
        data = self.cleaned_data
        measurements = []
        for kind in self.kinds:
            before, now = (data.get(name) for name in self.measure_fields(kind))
            if before is not None and now is not None:
                measurements.append((kind, before, now))
        return {
            "satisfaction": data["satisfaction"],
            "recommend": data["recommend"],
            "attribution": data["attribution"],
            "comment": data.get("comment", "").strip(),
            "adoptions": [(area, data[self.area_field(area)]) for area in self.areas],
            "measurements": measurements,
        }


def _kind(kind):
    return {"kind": kind.name, "unit": kind.unit}


class CaseChoiceField(forms.ModelChoiceField):
    """A case by its id, shown by its public name; an id no database column can hold is simply not on the list."""

    MAX_ID_DIGITS = 18  # below 2**63

    def label_from_instance(self, case):
        return case.firm.name

    def to_python(self, value):
        if value not in self.empty_values:
            text = str(value)
            if not (text.isascii() and text.isdigit() and len(text) <= self.MAX_ID_DIGITS):
                raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class VisitReportForm(forms.ModelForm):
    """An engineer's report of one visit. The instance is a submitted Visit of `mentor`; ModelForm's full_clean()
    runs Visit.clean(), so the model's rules come back as this form's errors."""

    case = CaseChoiceField(
        label=_("사례"),
        queryset=None,
        empty_label=_("사례를 고르세요"),
        error_messages={
            "required": _("사례를 골라 주세요."),
            "invalid_choice": _("목록에 있는 사례를 골라 주세요."),
        },
    )
    topics = forms.ModelMultipleChoiceField(
        label=_("지도 분야"),
        queryset=GuidanceArea.objects.all(),
        to_field_name="code",  # codes, not row ids: no integer to overflow
        required=False,
        widget=widgets.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _("목록에 있는 분야만 고를 수 있습니다."),
            "invalid_pk_value": _("목록에 있는 분야만 고를 수 있습니다."),
            "invalid_list": _("목록에 있는 분야만 고를 수 있습니다."),
        },
    )
    summary = MultilineField(
        label=_("지도 내용 요약"),
        required=False,
        max_length=REPORT_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    action_items = MultilineField(
        label=_("후속 조치 사항"),
        required=False,
        max_length=REPORT_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    class Meta:
        model = Visit
        fields = ["case", "started_on", "ended_on", "mode", "hours", "interpreter", "topics", "summary", "action_items"]
        widgets = {
            "started_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ended_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "mode": forms.RadioSelect,
            "hours": forms.NumberInput(attrs={"inputmode": "decimal", "min": "0.5", "max": "999", "step": "0.5"}),
        }

    def __init__(self, *args, mentor, cases, **kwargs):
        kwargs.setdefault("label_suffix", "")
        kwargs["instance"] = Visit(mentor=mentor, report_state=Visit.ReportState.SUBMITTED)
        super().__init__(*args, **kwargs)
        self.fields["case"].queryset = cases
        messages = {
            "required": _("이 항목을 적어 주세요."),
            "invalid": _("날짜를 2026-03-02처럼 적어 주세요."),
        }
        for name in ("started_on", "ended_on"):
            self.fields[name].error_messages.update(messages)
            self.fields[name].input_formats = ["%Y-%m-%d", "%Y.%m.%d", "%Y/%m/%d"]
        self.fields["hours"].error_messages.update(
            {
                "required": _("이 항목을 적어 주세요."),
                "invalid": _("지도 시간을 숫자로 적어 주세요 (예: 6.5)."),
                "max_digits": _("지도 시간이 너무 깁니다."),
                "max_decimal_places": _("지도 시간은 소수점 아래 한 자리까지 적습니다."),
                "max_whole_digits": _("지도 시간이 너무 깁니다."),
            }
        )
        self.fields["mode"].error_messages["invalid_choice"] = _("보기 가운데 하나를 골라 주세요.")
        for name in ("summary", "action_items"):
            self.fields[name].error_messages["max_length"] = _(
                "%(limit_value)s자 이내로 적어 주세요 (지금 %(show_value)s자)."
            )

    def clean(self):
        cleaned = super().clean()
        started, ended = cleaned.get("started_on"), cleaned.get("ended_on")
        if started and started > timezone.localdate():
            self.add_error("started_on", _("아직 오지 않은 날의 방문은 보고할 수 없습니다."))
        elif started and ended and ended - started >= timedelta(days=MAX_VISIT_DAYS):
            self.add_error("ended_on", _("한 번의 방문은 1년을 넘을 수 없습니다. 나누어 보고해 주세요."))
        return cleaned

    def _post_clean(self):
        # The model's rules need sane dates; a form error above already stops the report.
        if self.has_error("started_on") or self.has_error("ended_on"):
            return
        super()._post_clean()
