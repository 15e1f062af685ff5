"""Bulk import and export of cases (django-import-export), with the Korean column headers staff use."""

from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets

from .models import Case, EvolutionPath, Firm, GuidanceArea, Mentor, OutcomePattern

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
    def clean(self, value, row=None, **kwargs):
        codes = [code.strip() for code in str(value or "").replace("，", ",").split(",") if code.strip()]
        areas = list(GuidanceArea.objects.filter(code__in=codes))
        missing = sorted(set(codes) - {area.code for area in areas})
        if missing:
            raise ValueError(_("지도 분야 코드가 없습니다: %(codes)s") % {"codes": ", ".join(missing)})
        return areas


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
                2025,
                2026,
                "작성 중",
                "출처",
            ]
        )
        return dataset
