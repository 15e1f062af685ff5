"""Bulk import and export (django-import-export) of cases, visits and the engineer registry, with the Korean
column headers staff use. Private fields (privacy.inventory) are never in a file."""

from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets

from .models import Case, EvolutionPath, Firm, GuidanceArea, Industry, Mentor, OutcomePattern, Visit

IMPORT_CHANGE_REASON = "파일 가져오기"


class StatusWidget(widgets.Widget):
    """'작성 중' / '공개' in files (the codes draft/published are accepted too)."""

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip()
        if not text:
            return Case.Status.DRAFT
        for status in Case.Status:
            if text in (status.value, str(status.label)):
                return status.value
        raise ValueError(_("상태는 '작성 중' 또는 '공개'로 적어 주세요."))

    def render(self, value, obj=None, **kwargs):
        return str(Case.Status(value).label) if value else ""


class CodeWidget(widgets.ForeignKeyWidget):
    """A related record by its code, with a Korean error naming the missing code."""

    def __init__(self, model, label):
        super().__init__(model, field="code")
        self.label = label

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(str(value).strip() if value is not None else value, row, **kwargs)
        except self.model.DoesNotExist:
            raise ValueError(
                _("%(label)s 코드 '%(code)s'이(가) 없습니다.") % {"label": self.label, "code": value}
            ) from None


class AreaCodesWidget(widgets.ManyToManyWidget):
    """Comma-separated vocabulary codes (guidance areas by default), with a Korean error naming unknown ones."""

    label = _("지도 분야")

    def clean(self, value, row=None, **kwargs):
        codes = [code.strip() for code in str(value or "").replace("，", ",").split(",") if code.strip()]
        found = list(self.model.objects.filter(code__in=codes))
        missing = sorted(set(codes) - {item.code for item in found})
        if missing:
            raise ValueError(
                _("%(label)s 코드가 없습니다: %(codes)s") % {"label": self.label, "codes": ", ".join(missing)}
            )
        return found


class IndustryCodesWidget(AreaCodesWidget):
    label = _("업종")


class ChoiceWidget(widgets.Widget):
    """A TextChoices field by its Korean label or its code; empty is allowed when the field allows it, and means
    `default` when one is given."""

    def __init__(self, choices, label, allow_blank=False, default=None):
        super().__init__()
        self.choices, self.label, self.allow_blank, self.default = choices, label, allow_blank, default

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip()
        if not text and self.default is not None:
            return self.default
        if not text and self.allow_blank:
            return ""
        for choice in self.choices:
            if text in (choice.value, str(choice.label)):
                return choice.value
        labels = ", ".join(str(choice.label) for choice in self.choices)
        raise ValueError(
            _("%(label)s은(는) 다음 중 하나로 적어 주세요: %(labels)s") % {"label": self.label, "labels": labels}
        )

    def render(self, value, obj=None, **kwargs):
        return str(self.choices(value).label) if value else ""


class YesNoWidget(widgets.BooleanWidget):
    """예/아니오 in files (1/0 and true/false are accepted too)."""

    TRUE_VALUES = [*widgets.BooleanWidget.TRUE_VALUES, "예", "O", "o"]

    def clean(self, value, row=None, **kwargs):
        return (value.strip() if isinstance(value, str) else value) in self.TRUE_VALUES  # empty: no

    def render(self, value, obj=None, **kwargs):
        return "예" if value else "아니오"


class CaseResource(resources.ModelResource):
    code = fields.Field(attribute="code", column_name="사례 코드")
    firm = fields.Field(attribute="firm", column_name="기업 코드", widget=CodeWidget(Firm, "기업"))
    mentor = fields.Field(attribute="mentor", column_name="퇴직기술자 코드", widget=CodeWidget(Mentor, "퇴직기술자"))
    guidance_areas = fields.Field(
        attribute="guidance_areas", column_name="지도 분야 코드", widget=AreaCodesWidget(GuidanceArea, field="code")
    )
    background = fields.Field(attribute="background", column_name="지도 배경")
    guidance = fields.Field(attribute="guidance", column_name="지도내용")
    guidance_details = fields.Field(attribute="guidance_details", column_name="세부 지도 내용")
    outcomes = fields.Field(attribute="outcomes", column_name="주요 성과")
    outcome_pattern = fields.Field(
        attribute="outcome_pattern", column_name="성과 패턴 코드", widget=CodeWidget(OutcomePattern, "성과 패턴")
    )
    evolution_path = fields.Field(
        attribute="evolution_path", column_name="진화 경로 코드", widget=CodeWidget(EvolutionPath, "진화 경로")
    )
    # 그림11's grid: a file without these columns (or an empty cell) leaves the case general × general.
    product = fields.Field(
        attribute="product",
        column_name="상품 (범용/독자)",
        widget=ChoiceWidget(EvolutionPath.Kind, _("상품"), default=EvolutionPath.Kind.GENERAL),
    )
    technology = fields.Field(
        attribute="technology",
        column_name="기술 (범용/독자)",
        widget=ChoiceWidget(EvolutionPath.Kind, _("기술"), default=EvolutionPath.Kind.GENERAL),
    )
    started_year = fields.Field(attribute="started_year", column_name="지도 시작 연도", widget=widgets.IntegerWidget())
    ended_year = fields.Field(attribute="ended_year", column_name="지도 종료 연도", widget=widgets.IntegerWidget())
    status = fields.Field(attribute="status", column_name="상태", widget=StatusWidget())
    source = fields.Field(attribute="source", column_name="출처")

    class Meta:
        model = Case
        import_id_fields = ("code",)
        fields = (
            "code",
            "firm",
            "mentor",
            "guidance_areas",
            "background",
            "guidance",
            "guidance_details",
            "outcomes",
            "outcome_pattern",
            "evolution_path",
            "product",
            "technology",
            "started_year",
            "ended_year",
            "status",
            "source",
        )
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True  # runs the model's validation, DB constraints included, per row
        use_transactions = True

    def init_instance(self, row=None):
        # A file holds finished guidance (the lifecycle of a new request starts in the admin or at /apply/).
        return Case(stage=Case.Stage.COMPLETED)

    def before_save_instance(self, instance, row, **kwargs):
        if instance.pk:
            instance.version += 1  # an import is an edit: an editor's open form for this case becomes stale
        instance._change_reason = IMPORT_CHANGE_REASON

    @classmethod
    def template_dataset(cls):
        """The downloadable template: the headers and one example row."""
        resource = cls()
        dataset = resource.export(queryset=Case.objects.none())
        dataset.append(
            [
                "2026-X",
                "A",
                "mentor-a",
                "sensor,new-product",
                "기업이 가져온 애로기술",
                "무엇을 지도했는지",
                "구체적인 지도 내용",
                "주요 성과 요약",
                "1",
                "",
                "범용",
                "범용",
                2025,
                2026,
                "작성 중",
                "출처",
            ]
        )
        return dataset


class VisitResource(resources.ModelResource):
    """Visits, one per row; a row with an existing 번호 changes that visit. The model's rules apply per row."""

    id = fields.Field(attribute="id", column_name="번호", widget=widgets.IntegerWidget())
    case = fields.Field(attribute="case", column_name="사례 코드", widget=CodeWidget(Case, "사례"))
    mentor = fields.Field(attribute="mentor", column_name="퇴직기술자 코드", widget=CodeWidget(Mentor, "퇴직기술자"))
    started_on = fields.Field(attribute="started_on", column_name="시작일", widget=widgets.DateWidget("%Y-%m-%d"))
    ended_on = fields.Field(attribute="ended_on", column_name="종료일", widget=widgets.DateWidget("%Y-%m-%d"))
    mode = fields.Field(attribute="mode", column_name="방식", widget=ChoiceWidget(Visit.Mode, _("방식")))
    hours = fields.Field(attribute="hours", column_name="지도 시간", widget=widgets.DecimalWidget())
    interpreter = fields.Field(attribute="interpreter", column_name="통역 동석", widget=YesNoWidget())
    topics = fields.Field(
        attribute="topics", column_name="지도 분야 코드", widget=AreaCodesWidget(GuidanceArea, field="code")
    )
    summary = fields.Field(attribute="summary", column_name="지도 내용 요약")
    action_items = fields.Field(attribute="action_items", column_name="후속 조치 사항")
    firm_confirmed_on = fields.Field(
        attribute="firm_confirmed_on", column_name="기업 확인일", widget=widgets.DateWidget("%Y-%m-%d")
    )

    class Meta:
        model = Visit
        fields = (
            "id",
            "case",
            "mentor",
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
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True  # Visit.clean(): dates, hours per day, engineer assigned and free
        use_transactions = True

    def before_save_instance(self, instance, row, **kwargs):
        instance._change_reason = IMPORT_CHANGE_REASON


class MentorResource(resources.ModelResource):
    """The engineer registry without its private fields (names and contacts are entered in the admin only)."""

    code = fields.Field(attribute="code", column_name="코드")
    name = fields.Field(attribute="name", column_name="공개 표기")
    background = fields.Field(attribute="background", column_name="경력 (공개)")
    years_of_experience = fields.Field(
        attribute="years_of_experience", column_name="경력 연수", widget=widgets.IntegerWidget()
    )
    former_employer = fields.Field(attribute="former_employer", column_name="이전 소속")
    specialty = fields.Field(attribute="specialty", column_name="전문 분야")
    speaks_japanese = fields.Field(attribute="speaks_japanese", column_name="일본어", widget=YesNoWidget())
    speaks_korean = fields.Field(attribute="speaks_korean", column_name="한국어", widget=YesNoWidget())
    speaks_english = fields.Field(attribute="speaks_english", column_name="영어", widget=YesNoWidget())
    guidance_areas = fields.Field(
        attribute="guidance_areas",
        column_name="지도 가능 분야 코드",
        widget=AreaCodesWidget(GuidanceArea, field="code"),
    )
    industries = fields.Field(
        attribute="industries", column_name="경험 업종 코드", widget=IndustryCodesWidget(Industry, field="code")
    )
    status = fields.Field(
        attribute="status",
        column_name="활동 상태",
        widget=ChoiceWidget(Mentor.Status, _("활동 상태"), allow_blank=True),
    )
    capacity = fields.Field(attribute="capacity", column_name="동시 지도 가능 사례 수", widget=widgets.IntegerWidget())

    class Meta:
        model = Mentor
        import_id_fields = ("code",)
        fields = (
            "code",
            "name",
            "background",
            "years_of_experience",
            "former_employer",
            "specialty",
            "speaks_japanese",
            "speaks_korean",
            "speaks_english",
            "guidance_areas",
            "industries",
            "status",
            "capacity",
        )
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True

    def before_save_instance(self, instance, row, **kwargs):
        instance._change_reason = IMPORT_CHANGE_REASON
