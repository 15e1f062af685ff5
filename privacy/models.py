from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

ACCESS_LOG_RETENTION_DAYS = 2 * 365  # the law asks for at least a year


class PersonalDataAccess(models.Model):
    """Who opened, changed or exported which record holding personal data, and when (개인정보 접근 기록)."""

    class Action(models.TextChoices):
        VIEW = "view", _("열람")
        CHANGE = "change", _("수정")
        EXPORT = "export", _("내보내기")
        PURGE = "purge", _("파기")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("사용자")
    )
    username = models.CharField(_("사용자 이름"), max_length=150, help_text=_("계정이 지워져도 남습니다."))
    at = models.DateTimeField(_("일시"), default=timezone.now, db_index=True)
    action = models.CharField(_("행위"), max_length=8, choices=Action, default=Action.VIEW)
    model = models.CharField(_("대상 종류"), max_length=100)
    object_id = models.CharField(_("대상 번호"), max_length=64)
    object_label = models.CharField(_("대상"), max_length=200, help_text=_("공개 이름이나 접수번호 (개인정보 아님)"))

    class Meta:
        verbose_name = _("개인정보 접근 기록")
        verbose_name_plural = _("개인정보 접근 기록")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["model", "object_id", "at"], name="pd_access_object_idx")]
        permissions = [("view_personal_data", _("기업·퇴직기술자의 개인정보와 신청서를 볼 수 있음"))]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.get_action_display()} {self.object_label}"
