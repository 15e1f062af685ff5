"""What 0011 added, made usable:

- the six metric kinds (issue: 불량률, 원가, 생산성, 매출, 수출, 고용), also in fixtures/09_metric_kinds.json for a
  flushed database; the study's three metrics are mapped to the kind they measure (values and units unchanged);
- the roles: editors keep follow-ups, costs, metric kinds and engineers' visit reports; viewers read them;
- the data-version triggers on the follow-up tables (the public statistics show what follow-ups measured), and
  those of 0007 again, since SQLite's table rebuild for 0011's new constraints dropped them.
"""

import importlib

from django.contrib.auth.management import create_permissions
from django.db import migrations

base = importlib.import_module("cases.migrations.0007_data_version_and_listing_indexes")

METRIC_KINDS = [
    # code, name, unit, lower is better
    ("defect-rate", "불량률", "%", True),
    ("cost", "원가", "%", True),
    ("productivity", "생산성", "%", False),
    ("sales", "매출", "백만 원", False),
    ("exports", "수출", "백만 원", False),
    ("employment", "고용", "명", False),
]
# The study's metrics (natural keys) and the kind each measures.
STUDY_METRIC_KINDS = [
    ("2017-J", "금형 1개당 비용 절감률", "cost"),
    ("2017-J", "연간 매출 증가율", "sales"),
    ("2017-D", "월 제품 수출량", "exports"),
]

FOLLOWUP_TABLES = ["cases_followup", "cases_followupmeasurement", "cases_followupadoption", "cases_metrickind"]

EDITORS, VIEWERS = "편집자", "열람자"
EDITOR_CODENAMES = [
    *(f"{action}_{model}" for action in ("add", "change", "view") for model in ("followup", "costline", "metrickind")),
    "view_followupmeasurement",
    "view_followupadoption",
    "view_historicalcostline",
    "view_historicalmetrickind",
]
VIEWER_CODENAMES = [
    "view_followup",
    "view_costline",
    "view_metrickind",
    "view_followupmeasurement",
    "view_followupadoption",
    "view_historicalcostline",
    "view_historicalmetrickind",
]


def create_kinds(apps, schema_editor):
    MetricKind = apps.get_model("cases", "MetricKind")
    Metric = apps.get_model("cases", "Metric")
    for position, (code, name, unit, lower_is_better) in enumerate(METRIC_KINDS, start=1):
        MetricKind.objects.get_or_create(
            code=code, defaults={"name": name, "unit": unit, "lower_is_better": lower_is_better, "position": position}
        )
    for case_code, name, kind_code in STUDY_METRIC_KINDS:
        Metric.objects.filter(case__code=case_code, name=name, kind__isnull=True).update(
            kind=MetricKind.objects.filter(code=kind_code).first()
        )


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
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="cases", codename__in=EDITOR_CODENAMES)
        )


def create_triggers(apps, schema_editor):
    base.drop_triggers(apps, schema_editor)
    base.create_triggers(apps, schema_editor)
    vendor = schema_editor.connection.vendor
    for table in FOLLOWUP_TABLES:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_bumps_data_version ON {table};")
            schema_editor.execute(base.POSTGRESQL_TRIGGER.format(table=table))
        elif vendor == "sqlite":
            for event in base.SQLITE_EVENTS:
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_{event}_bumps_data_version;")
                schema_editor.execute(base.SQLITE_TRIGGER.format(table=table, event=event))


def drop_followup_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in FOLLOWUP_TABLES:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_bumps_data_version ON {table};")
        elif vendor == "sqlite":
            for event in base.SQLITE_EVENTS:
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_{event}_bumps_data_version;")


class Migration(migrations.Migration):
    dependencies = [("cases", "0011_followups_costs_links_visit_reports")]

    operations = [
        migrations.RunPython(create_kinds, migrations.RunPython.noop),
        migrations.RunPython(grant, revoke),
        migrations.RunPython(create_triggers, drop_followup_triggers),
    ]
