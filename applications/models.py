"""A firm's application for guidance (신청서), from the public form at /apply/.

Everything in it is personal or business data (privacy.inventory): it is never shown publicly, only staff with
the personal-data permission open it, and `purge_personal_data` erases it once its purpose has ended.
"""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Case, Firm, GuidanceArea, Industry, Region, validate_registration_number

# Reference numbers: 16 characters from an alphabet without look-alikes (80 random bits), shown in groups of 4.
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
REFERENCE_LENGTH = 16

phone_validator = RegexValidator(
    r"^[0-9+][0-9\- ]{6,18}[0-9]$", _("전화번호는 숫자와 하이픈으로 적어 주세요 (예: 010-1234-5678).")
)


def new_reference():
    raw = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, REFERENCE_LENGTH, 4))


class ApplicationQuerySet(models.QuerySet):
    def waiting(self):
        """New applications, oldest first (the order staff work through them)."""
        return self.filter(state=Application.State.NEW).order_by("submitted_at", "pk")


class Application(models.Model):
    class State(models.TextChoices):
        NEW = "new", _("검토 대기")
        ACCEPTED = "accepted", _("수락")
        DECLINED = "declined", _("반려")

    reference = models.CharField(_("접수번호"), max_length=19, unique=True, default=new_reference, editable=False)
    company_name = models.CharField(_("회사명"), max_length=100)
    registration_number = models.CharField(
        _("사업자등록번호"), max_length=10, validators=[validate_registration_number]
    )
    region = models.CharField(_("지역 (시·도)"), max_length=12, choices=Region)
    industry = models.ForeignKey(
        Industry, on_delete=models.PROTECT, related_name="applications", verbose_name=_("업종")
    )
    products = models.CharField(_("주요 생산제품"), max_length=200)
    employees = models.PositiveIntegerField(
        _("종업원 수"), validators=[MinValueValidator(1), MaxValueValidator(1_000_000)]
    )
    contact_name = models.CharField(_("담당자 이름"), max_length=60)
    contact_email = models.EmailField(_("담당자 이메일"), max_length=254)
    contact_phone = models.CharField(_("담당자 전화"), max_length=30, validators=[phone_validator])
    bottleneck = models.TextField(_("애로기술"), help_text=_("지도받고 싶은 기술 문제를 기업의 말로 적습니다."))
    wished_areas = models.ManyToManyField(
        GuidanceArea, related_name="applications", blank=True, verbose_name=_("희망 지도 분야")
    )
    wished_start = models.DateField(_("희망 시작일"), null=True, blank=True)
    consent_version = models.CharField(_("동의서 판"), max_length=20)
    consented_at = models.DateTimeField(_("동의 일시"))
    # A keyed hash of the sender's address, for the per-address limit only (never the address itself).
    client_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    submitted_at = models.DateTimeField(_("접수일시"), default=timezone.now)
    state = models.CharField(_("처리 상태"), max_length=8, choices=State, default=State.NEW)
    decided_at = models.DateTimeField(_("처리일시"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("처리한 사람"),
    )
    decline_reason = models.TextField(_("반려 사유"), blank=True)
    firm = models.ForeignKey(
        Firm, on_delete=models.SET_NULL, null=True, blank=True, related_name="applications", verbose_name=_("기업")
    )
    case = models.OneToOneField(
        Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="application", verbose_name=_("사례")
    )
    personal_data_purged_at = models.DateTimeField(_("개인정보 파기일시"), null=True, blank=True, editable=False)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("기술지도 신청")
        verbose_name_plural = _("기술지도 신청")
        ordering = ["submitted_at", "pk"]
        indexes = [
            models.Index(fields=["state", "submitted_at"], name="application_state_idx"),
            models.Index(fields=["client_fingerprint", "submitted_at"], name="application_client_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(state="declined") | ~models.Q(decline_reason=""),
                name="declined_application_has_reason",
                violation_error_message=_("반려할 때는 사유를 적어야 합니다."),
            ),
        ]

    def __str__(self):
        return self.reference
