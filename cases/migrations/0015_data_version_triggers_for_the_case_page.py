"""Data-version triggers on what the case page and the API show besides the tables of 0007: metrics, outcome
items, evolution paths, and the engineer's public name and background. The case page's ETag (cases/views.py)
is the token, so a write there must change it too; a link issued to an engineer (an update of other columns)
does not."""

import importlib

from django.db import migrations

base = importlib.import_module("cases.migrations.0007_data_version_and_listing_indexes")

TABLES = ["cases_metric", "cases_outcome", "cases_evolutionpath"]
MENTOR_COLUMNS = ["name", "background"]

POSTGRESQL_MENTOR_TRIGGER = """
CREATE TRIGGER cases_mentor_bumps_data_version AFTER UPDATE OF {columns} ON cases_mentor
FOR EACH STATEMENT EXECUTE FUNCTION tracker_bump_data_version();
"""
SQLITE_MENTOR_TRIGGER = """
CREATE TRIGGER cases_mentor_update_bumps_data_version AFTER UPDATE OF {columns} ON cases_mentor
BEGIN INSERT OR REPLACE INTO cases_dataversion (id, token) VALUES (1, random()); END;
"""


def create_triggers(apps, schema_editor):
    drop_triggers(apps, schema_editor)
    vendor, columns = schema_editor.connection.vendor, ", ".join(MENTOR_COLUMNS)
    if vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(base.POSTGRESQL_TRIGGER.format(table=table))
        schema_editor.execute(POSTGRESQL_MENTOR_TRIGGER.format(columns=columns))
    elif vendor == "sqlite":
        for table in TABLES:
            for event in base.SQLITE_EVENTS:
                schema_editor.execute(base.SQLITE_TRIGGER.format(table=table, event=event))
        schema_editor.execute(SQLITE_MENTOR_TRIGGER.format(columns=columns))


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in [*TABLES, "cases_mentor"]:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_bumps_data_version ON {table};")
        elif vendor == "sqlite":
            for event in base.SQLITE_EVENTS:
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_{event}_bumps_data_version;")


class Migration(migrations.Migration):
    dependencies = [("cases", "0014_case_grid_position")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
