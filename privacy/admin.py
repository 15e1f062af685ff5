"""Personal data in the admin: hidden from staff without the permission, and every opening logged."""

from django.contrib import admin

from .inventory import VIEW_PERMISSION, private_fields
from .models import PersonalDataAccess


def log_access(request, obj, action=PersonalDataAccess.Action.VIEW, label=None):
    """Record that `request.user` opened (or changed, exported, purged) `obj`, a record holding personal data."""
    user = request.user if request is not None else None
    return PersonalDataAccess.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        username=user.get_username() if user is not None and user.is_authenticated else "(system)",
        action=action,
        model=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_label=str(label if label is not None else obj)[:200],
    )


class PersonalDataAdminMixin:
    """For a ModelAdmin of a model in privacy.inventory.

    Staff without `privacy.view_personal_data` (the 열람자 role) do not see the private fields at all; for staff
    who do, opening a record's page is logged (and saving it too).
    """

    def may_see_personal_data(self, request):
        return request.user.has_perm(VIEW_PERMISSION)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if self.may_see_personal_data(request):
            return fieldsets
        hidden = set(private_fields(self.model))
        visible = []
        for name, options in fieldsets:
            fields = [_without(field, hidden) for field in options["fields"]]
            fields = [field for field in fields if field]
            if fields:
                visible.append((name, {**options, "fields": fields}))
        return visible

    def get_exclude(self, request, obj=None):
        excluded = super().get_exclude(request, obj) or ()
        if self.may_see_personal_data(request):
            return excluded
        return (*excluded, *private_fields(self.model))

    def get_search_fields(self, request):
        fields = super().get_search_fields(request)
        if self.may_see_personal_data(request):
            return fields
        hidden = set(private_fields(self.model))
        return [field for field in fields if field.split("__")[0] not in hidden]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        obj = getattr(response, "context_data", {}).get("original") if hasattr(response, "context_data") else None
        if obj is None and request.method == "POST" and object_id:
            obj = self.get_object(request, object_id)
        if obj is not None and self.may_see_personal_data(request):
            action = PersonalDataAccess.Action.CHANGE if request.method == "POST" else PersonalDataAccess.Action.VIEW
            log_access(request, obj, action)
        return response


def _without(field, hidden):
    if isinstance(field, list | tuple):
        kept = tuple(name for name in field if name not in hidden)
        return kept if len(kept) > 1 else (kept[0] if kept else None)
    return None if field in hidden else field


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(admin.ModelAdmin):
    """The access log: read-only, for superusers (it is evidence; nobody edits it)."""

    list_display = ("at", "username", "action", "model", "object_label")
    list_filter = ("action", "model")
    search_fields = ("username", "object_label", "object_id")
    date_hierarchy = "at"

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
