"""What every staff admin page shares."""

from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin


class StaffAdmin(SimpleHistoryAdmin):
    """Every model's admin: change history for all, deletion for superusers only."""

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


def once_per_request(request, name, compute):
    """`compute()`, remembered on the request: several list filters and the page itself ask for it."""
    attribute = f"_cases_{name}"
    if not hasattr(request, attribute):
        setattr(request, attribute, compute())
    return getattr(request, attribute)


def report_sending(model_admin, request, sent_message, *, sent, skipped, failed):
    """The messages after an action that mails links: how many went out, what was skipped, what failed."""
    if sent:
        model_admin.message_user(request, sent_message % {"count": sent}, messages.SUCCESS)
    if skipped:
        model_admin.message_user(
            request, _("보내지 않았습니다: %(list)s") % {"list": "; ".join(skipped)}, messages.WARNING
        )
    if failed:
        model_admin.message_user(
            request, _("보내지 못했습니다: %(list)s") % {"list": "; ".join(failed)}, messages.ERROR
        )


@admin.action(description=gettext_lazy("링크 폐기"), permissions=["change"])
def revoke_links(model_admin, request, queryset):
    """Revoke the selected LinkHolders' links (a follow-up's or an engineer's): a leaked link stops working now."""
    count = 0
    for holder in queryset.exclude(link_hash=None):
        holder.revoke_link()
        count += 1
    model_admin.message_user(request, _("링크 %(count)d개를 폐기했습니다.") % {"count": count}, messages.SUCCESS)
