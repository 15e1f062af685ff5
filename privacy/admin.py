"""Personal data in the admin: hidden from staff without the permission, and every opening logged."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.utils.translation import gettext as _

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
    """For a ModelAdmin (a SimpleHistoryAdmin) of a model in privacy.inventory.

    Staff without `privacy.view_personal_data` (the 열람자 role) do not see the private fields anywhere: not in
    the change form, the change list, the search (nor autocomplete, which uses it), nor the change history, whose
    field diffs leave them out. Staff who may see them are logged each time they open a record's page, its
    history or one of its past versions, and when they add, save or revert it; deleting one (superusers) is logged
    as its erasure.

    `personal_data_only` names further fields or list columns shown only to staff who may see personal data
    (e.g. a formatted registration number, the time the data was purged).
    """

    personal_data_only = ()

    def may_see_personal_data(self, request):
        return request.user.has_perm(VIEW_PERMISSION)

    def hidden_fields(self):
        """What staff without the permission never see: the model's private fields and `personal_data_only`."""
        return (*private_fields(self.model), *self.personal_data_only)

    # --- the change form ----------------------------------------------------------------------------------------

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if self.may_see_personal_data(request):
            return fieldsets
        hidden = set(self.hidden_fields())
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
        model_fields = {field.name for field in self.model._meta.get_fields()}
        return (*excluded, *(name for name in self.hidden_fields() if name in model_fields))

    # --- the change list ----------------------------------------------------------------------------------------

    def get_list_display(self, request):
        display = super().get_list_display(request)
        if self.may_see_personal_data(request):
            return display
        hidden = set(self.hidden_fields())
        return [name for name in display if not (isinstance(name, str) and name in hidden)]

    def get_search_fields(self, request):
        fields = super().get_search_fields(request)
        if self.may_see_personal_data(request):
            return fields
        hidden = set(self.hidden_fields())
        return [field for field in fields if field.lstrip("^=@").split("__")[0] not in hidden]

    # --- openings, logged ---------------------------------------------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        obj = getattr(response, "context_data", {}).get("original") if hasattr(response, "context_data") else None
        if obj is None and request.method == "POST" and object_id:
            obj = self.get_object(request, object_id)
        if obj is not None and self.may_see_personal_data(request):
            action = PersonalDataAccess.Action.CHANGE if request.method == "POST" else PersonalDataAccess.Action.VIEW
            log_access(request, obj, action)
        return response

    def response_add(self, request, obj, post_url_continue=None):
        if self.may_see_personal_data(request):
            log_access(request, obj, PersonalDataAccess.Action.CHANGE)  # entering personal data is processing it
        return super().response_add(request, obj, post_url_continue)

    def delete_model(self, request, obj):
        log_access(request, obj, PersonalDataAccess.Action.PURGE)  # before: the label needs the record
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            log_access(request, obj, PersonalDataAccess.Action.PURGE)
        super().delete_queryset(request, queryset)

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        if response.status_code == 200 and self.may_see_personal_data(request):
            obj = self._object_or_last_version(request, object_id)
            if obj is not None:
                log_access(request, obj, label=_("%(object)s · 변경 이력") % {"object": obj})
        return response

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        response = super().history_form_view(request, object_id, version_id, extra_context)
        if response.status_code in (200, 302) and self.may_see_personal_data(request):
            obj = self._object_or_last_version(request, object_id)
            if obj is not None:
                reverted = request.method == "POST" and response.status_code == 302
                action = PersonalDataAccess.Action.CHANGE if reverted else PersonalDataAccess.Action.VIEW
                log_access(request, obj, action, label=_("%(object)s · 이전 버전") % {"object": obj})
        return response

    def _object_or_last_version(self, request, object_id):
        """The record, or (deleted) its last historical version, so opening a deleted record's history is logged."""
        obj = self.get_object(request, unquote(object_id))
        if obj is not None:
            return obj
        manager = getattr(self.model._meta, "simple_history_manager_attribute", None)
        if manager is None:
            return None
        history = getattr(self.model, manager)
        last = history.filter(**{self.model._meta.pk.attname: unquote(object_id)}).order_by("-history_date").first()
        return last.instance if last is not None else None

    # --- the change history: no private values for staff who may not see them ---------------------------------

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        if self.may_see_personal_data(request):
            return super().set_history_delta_changes(request, historical_records, foreign_keys_are_objs)
        hidden = set(self.hidden_fields())
        previous = None
        for current in historical_records:
            if previous is not None:
                delta = previous.diff_against(
                    current, excluded_fields=hidden, foreign_keys_are_objs=foreign_keys_are_objs
                )
                changes = self.get_historical_record_context_helper(request, previous).context_for_delta_changes(delta)
                tracked_private = hidden.intersection(f.name for f in previous.tracked_fields if f.editable)
                if previous.diff_against(current, included_fields=tracked_private).changed_fields:
                    # That something private changed is no secret; what it was and became is.
                    changes.append({"field": _("비공개 항목"), "old": "…", "new": _("변경됨 (볼 권한 없음)")})
                previous.history_delta_changes = changes
            previous = current


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
