"""SQLite rebuilds a table to add a column with constraints (0008), and the rebuild drops the table's triggers.
Recreate the data-version triggers of 0007 (idempotent; on PostgreSQL they survived and are simply recreated)."""

import importlib

from django.db import migrations

triggers = importlib.import_module("cases.migrations.0007_data_version_and_listing_indexes")


def recreate(apps, schema_editor):
    triggers.drop_triggers(apps, schema_editor)
    triggers.create_triggers(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("cases", "0009_roles_for_lifecycle_and_visits")]

    operations = [migrations.RunPython(recreate, migrations.RunPython.noop)]
