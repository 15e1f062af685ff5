"""Firms: the public, anonymous name (A기업 …) and the business and contact data only staff see.

The private fields are in the data-protection inventory (SECURITY.md, `privacy.inventory`): they never reach a
public page, the API, an export, the feed or the search text.
"""

import re
import string

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .vocabulary import CodedModel, Industry

REGISTRATION_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)


class Region(models.TextChoices):
    """The 17 시·도 (first-level divisions)."""

    SEOUL = "seoul", _("서울특별시")
    BUSAN = "busan", _("부산광역시")
    DAEGU = "daegu", _("대구광역시")
    INCHEON = "incheon", _("인천광역시")
    GWANGJU = "gwangju", _("광주광역시")
    DAEJEON = "daejeon", _("대전광역시")
    ULSAN = "ulsan", _("울산광역시")
    SEJONG = "sejong", _("세종특별자치시")
    GYEONGGI = "gyeonggi", _("경기도")
    GANGWON = "gangwon", _("강원특별자치도")
    CHUNGBUK = "chungbuk", _("충청북도")
    CHUNGNAM = "chungnam", _("충청남도")
    JEONBUK = "jeonbuk", _("전북특별자치도")
    JEONNAM = "jeonnam", _("전라남도")
    GYEONGBUK = "gyeongbuk", _("경상북도")
    GYEONGNAM = "gyeongnam", _("경상남도")
    JEJU = "jeju", _("제주특별자치도")


def normalize_registration_number(value):
    """'123-45-67890' or '123 45 67890' -> '1234567890' (anything else is left for the validator to refuse)."""
    return re.sub(r"[\s\-‐–—]", "", str(value or ""))


def registration_number_is_valid(digits):
    """The national tax service's check digit: weights 1,3,7,1,3,7,1,3,5, plus the carry of the ninth digit."""
    if len(digits) != 10 or not all(ch in string.digits for ch in digits):
        return False
    numbers = [int(ch) for ch in digits]
    total = sum(d * w for d, w in zip(numbers, REGISTRATION_WEIGHTS, strict=False)) + numbers[8] * 5 // 10
    return (10 - total % 10) % 10 == numbers[9]


def validate_registration_number(value):
    digits = normalize_registration_number(value)
    if not digits:
        return
    if len(digits) != 10 or not digits.isdigit():
        raise ValidationError(
            _("사업자등록번호는 숫자 10자리입니다 (예: 123-45-67890)."), code="registration_number_format"
        )
    if not registration_number_is_valid(digits):
        raise ValidationError(
            _("사업자등록번호가 올바르지 않습니다. 번호를 다시 확인해 주세요 (검증 숫자가 맞지 않습니다)."),
            code="registration_number_check_digit",
        )


def format_registration_number(digits):
    return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}" if len(digits or "") == 10 else (digits or "")


def next_free_firm_code(taken):
    """The next letter code after the study's A–L: M … Z, then AA, AB, … (the first one not in `taken`)."""
    letters = string.ascii_uppercase
    width = 1
    while True:
        for number in range(len(letters) ** width):
            code, n = "", number
            for _position in range(width):
                code = letters[n % 26] + code
                n //= 26
            if code not in taken:
                return code
        width += 1


class FirmQuerySet(models.QuerySet):
    def next_public_identity(self):
        """(code, public name) for a new firm: the next free letter code and '<code>기업'."""
        taken = set(self.values_list("code", flat=True)) | {
            name.removesuffix("기업") for name in self.values_list("name", flat=True)
        }
        code = next_free_firm_code(taken)
        return code, f"{code}기업"


class FirmManager(models.Manager.from_queryset(FirmQuerySet)):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class Firm(CodedModel):
    name = models.CharField(
        _("공개 이름"), max_length=60, unique=True, help_text=_("공개 페이지에 쓰는 익명 이름. 예: A기업")
    )
    products = models.CharField(
        _("생산제품"),
        max_length=200,
        blank=True,
        help_text=_("공개 페이지에 나옵니다. 기업을 알아볼 수 없게 일반적인 말로 적습니다."),
    )
    industry = models.ForeignKey(Industry, on_delete=models.PROTECT, related_name="firms", verbose_name=_("업종"))
    profile = models.TextField(_("기업 개요"), blank=True, help_text=_("자료에 나온 기업 설명만 적습니다."))
    # Business and contact data: staff only (privacy.inventory).
    legal_name = models.CharField(_("상호 (비공개)"), max_length=100, blank=True)
    registration_number = models.CharField(
        _("사업자등록번호 (비공개)"),
        max_length=10,
        blank=True,
        validators=[validate_registration_number],
        help_text=_("숫자 10자리. 같은 번호의 기업은 같은 기업입니다."),
    )
    region = models.CharField(_("지역 (시·도)"), max_length=12, choices=Region, blank=True)
    employees = models.PositiveIntegerField(_("종업원 수"), null=True, blank=True)
    contact_name = models.CharField(_("담당자 이름 (비공개)"), max_length=60, blank=True)
    contact_email = models.EmailField(_("담당자 이메일 (비공개)"), max_length=254, blank=True)
    contact_phone = models.CharField(_("담당자 전화 (비공개)"), max_length=30, blank=True)
    personal_data_purged_at = models.DateTimeField(_("개인정보 파기일시"), null=True, blank=True, editable=False)

    objects = FirmManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("기업")
        verbose_name_plural = _("기업")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration_number"],
                condition=~Q(registration_number=""),
                name="firm_unique_registration_number",
                violation_error_message=_("같은 사업자등록번호의 기업이 이미 있습니다."),
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        self.registration_number = normalize_registration_number(self.registration_number)

    @property
    def registration_number_display(self):
        return format_registration_number(self.registration_number)
