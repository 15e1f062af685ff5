"""What every staff admin page shares."""

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
