"""The engineer registry: retired Japanese engineers, what they cover, and how many cases they can take.

`name` is the public label ('A기업 지도 퇴직기술자'); the real name and contacts are private (privacy.inventory).
Unknown facts stay empty: the study names no one.
"""

from django.db import models
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .links import LinkHolder, LinkRefusal
from .vocabulary import CodedModel, GuidanceArea, Industry


class MentorQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Mentor.Status.ACTIVE)

    def with_load(self):
        """Each engineer's `load`: the cases they are guiding now (stage in_guidance)."""
        from .case import Case
        from .lifecycle import Stage

        # A count per engineer from the (mentor, stage) index, rather than joining every case to every engineer.
        current = (
            Case.objects.filter(mentor=OuterRef("pk"), stage=Stage.IN_GUIDANCE)
            .order_by()
            .values("mentor")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return self.annotate(load=Coalesce(Subquery(current, output_field=IntegerField()), 0))


class MentorManager(models.Manager.from_queryset(MentorQuerySet)):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class Mentor(LinkHolder, CodedModel):
    """An engineer of the registry. `issue_link()` (links.py) gives them their page for reporting visits."""

    link_url_name = "portal:mentor"

    class Status(models.TextChoices):
        ACTIVE = "active", _("활동 중")
        PAUSED = "paused", _("일시 중지")
        LEFT = "left", _("사업 종료")

    name = models.CharField(
        _("공개 표기"),
        max_length=80,
        help_text=_("공개 페이지에 쓰는 표기. 예: 'A기업 지도 퇴직기술자'. 실명은 아래 비공개 칸에 적습니다."),
    )
    background = models.TextField(
        _("경력 (공개)"),
        blank=True,
        help_text=_("공개 페이지에 나옵니다. 자료에 나온 경력만 적고, 모르면 비워 둡니다."),
    )
    years_of_experience = models.PositiveSmallIntegerField(
        _("경력 연수"), null=True, blank=True, help_text=_("자료에 나온 경우에만. 예: 50")
    )
    # Private: staff only (privacy.inventory).
    real_name = models.CharField(_("실명 (비공개)"), max_length=80, blank=True)
    email = models.EmailField(_("이메일 (비공개)"), max_length=254, blank=True)
    phone = models.CharField(_("전화 (비공개)"), max_length=30, blank=True)
    # The registry: what matching reads.
    former_employer = models.CharField(_("이전 소속"), max_length=120, blank=True)
    specialty = models.CharField(_("전문 분야"), max_length=200, blank=True)
    speaks_japanese = models.BooleanField(_("일본어"), default=False)
    speaks_korean = models.BooleanField(_("한국어"), default=False)
    speaks_english = models.BooleanField(_("영어"), default=False)
    guidance_areas = models.ManyToManyField(
        GuidanceArea, related_name="mentors", blank=True, verbose_name=_("지도 가능 분야")
    )
    industries = models.ManyToManyField(Industry, related_name="mentors", blank=True, verbose_name=_("경험 업종"))
    status = models.CharField(
        _("활동 상태"),
        max_length=8,
        choices=Status,
        blank=True,
        default=Status.ACTIVE,
        help_text=_("비워 두면 '모름'. 매칭 후보에는 활동 중인 사람만 나옵니다."),
    )
    capacity = models.PositiveSmallIntegerField(
        _("동시 지도 가능 사례 수"), null=True, blank=True, default=2, help_text=_("비워 두면 '모름'.")
    )
    personal_data_purged_at = models.DateTimeField(_("개인정보 파기일시"), null=True, blank=True, editable=False)

    objects = MentorManager()
    history = HistoricalRecords(
        m2m_fields=[guidance_areas, industries], excluded_fields=["link_hash", "link_issued_at", "link_expires_at"]
    )

    class Meta:
        verbose_name = _("퇴직기술자")
        verbose_name_plural = _("퇴직기술자")
        ordering = ["code"]
        indexes = [models.Index(fields=["status"], name="mentor_status_idx")]

    def __str__(self):
        return self.name

    def link_refusal(self):
        # An engineer who has left the program has no page, whatever links they still hold.
        if self.status == self.Status.LEFT:
            return LinkRefusal.UNKNOWN
        return super().link_refusal()

    def open_cases(self):
        """The cases this engineer is guiding now: all their link's page may show."""
        from .lifecycle import Stage

        return self.cases.filter(stage=Stage.IN_GUIDANCE)

    @property
    def languages_display(self):
        spoken = [
            label
            for spoken, label in (
                (self.speaks_japanese, _("일본어")),
                (self.speaks_korean, _("한국어")),
                (self.speaks_english, _("영어")),
            )
            if spoken
        ]
        return ", ".join(str(label) for label in spoken)
