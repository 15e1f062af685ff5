"""What the staff app stores: the reminders already sent, so `send_reminders` sends each one once."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SentReminder(models.Model):
    """One reminder that went out. `key` names what it was about and when, e.g. `followup:12:due`,
    `followup:12:overdue`, `idle:7:2026-03-02` (a case idle since that day: a new visit starts a new key)."""

    class Kind(models.TextChoices):
        FOLLOWUP_DUE = "followup_due", _("사후 조사 예정일 안내")
        FOLLOWUP_OVERDUE = "followup_overdue", _("사후 조사 미응답 안내")
        IDLE_CASES = "idle_case", _("방문 없는 지도 중 사례")

    kind = models.CharField(_("구분"), max_length=20, choices=Kind)
    key = models.CharField(_("대상"), max_length=100)
    sent_at = models.DateTimeField(_("발송일시"), auto_now_add=True)

    class Meta:
        verbose_name = _("보낸 알림")
        verbose_name_plural = _("보낸 알림")
        ordering = ["-sent_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="sent_reminder_unique_key")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.key}"
