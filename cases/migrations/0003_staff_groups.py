"""The two staff roles, created here so every environment has them without manual set-up.

편집자 (editors) add, change and publish; 열람자 (viewers) only read. Neither deletes: only superusers do.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS = "편집자"
VIEWERS = "열람자"


def cases_permissions(apps, actions):
    Permission = apps.get_model("auth", "Permission")
    codenames = [
        p
        for p in Permission.objects.filter(content_type__app_label="cases").values_list("codename", flat=True)
        if p.split("_", 1)[0] in actions and not p.startswith(("add_historical", "change_historical"))
    ]
    return Permission.objects.filter(content_type__app_label="cases", codename__in=codenames)


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations (post_migrate): create them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    assign_groups(apps)


def assign_groups(apps):
    """Create the two groups with their permissions (idempotent; the permissions must exist)."""
    Group = apps.get_model("auth", "Group")
    editors, _ = Group.objects.get_or_create(name=EDITORS)
    editors.permissions.add(*cases_permissions(apps, {"add", "change", "view", "publish"}))
    editors.permissions.remove(*cases_permissions(apps, {"add", "change"}).filter(codename__endswith="seedrecord"))
    viewers, _ = Group.objects.get_or_create(name=VIEWERS)
    viewers.permissions.add(*cases_permissions(apps, {"view"}))


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[EDITORS, VIEWERS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0002_history_and_version"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
