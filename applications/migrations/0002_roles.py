"""Editors handle applications and see personal data; viewers see neither (개인정보 최소 열람)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS = "편집자"
EDITOR_PERMISSIONS = [
    ("applications", "view_application"),
    ("applications", "change_application"),
    ("privacy", "view_personal_data"),
]


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
    editors, _ = Group.objects.get_or_create(name=EDITORS)
    for app_label, codename in EDITOR_PERMISSIONS:
        editors.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for app_label, codename in EDITOR_PERMISSIONS:
        for group in Group.objects.filter(name=EDITORS):
            group.permissions.remove(*Permission.objects.filter(content_type__app_label=app_label, codename=codename))


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0001_initial"),
        ("privacy", "0001_initial"),
        ("cases", "0010_restore_data_version_triggers"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
