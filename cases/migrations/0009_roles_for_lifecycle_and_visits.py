"""The two roles for what 0008 added: editors run the lifecycle and record visits; viewers read visits and stage
changes. (Deleting stays with superusers.)"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS, VIEWERS = "편집자", "열람자"
EDITOR_CODENAMES = [
    "manage_stage",
    "add_visit",
    "change_visit",
    "view_visit",
    "view_stagechange",
    "view_historicalvisit",
]
VIEWER_CODENAMES = ["view_visit", "view_stagechange", "view_historicalvisit"]


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations (post_migrate): create them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    assign(apps)


def assign(apps):
    """Give the groups these permissions (idempotent; the permissions must exist)."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ((EDITORS, EDITOR_CODENAMES), (VIEWERS, VIEWER_CODENAMES)):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*Permission.objects.filter(content_type__app_label="cases", codename__in=codenames))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name__in=[EDITORS, VIEWERS]):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="cases", codename__in=EDITOR_CODENAMES))


class Migration(migrations.Migration):
    dependencies = [("cases", "0008_lifecycle_registry_visits")]

    operations = [migrations.RunPython(grant, revoke)]
