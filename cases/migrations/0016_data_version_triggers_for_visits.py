"""A data-version trigger on visits: the API carries each case's confirmed visit totals and its list is cached
under the token (cases/api.py), so adding, deleting or confirming a visit, or changing its days, hours or case,
must change the token. An update that sets only other columns (an engineer's link, a summary) does not; the
function the trigger calls is 0007's."""

from django.db import migrations

TOTALS_COLUMNS = "report_state, days, hours, case_id"

POSTGRESQL_TRIGGER = """
CREATE TRIGGER cases_visit_bumps_data_version
AFTER INSERT OR DELETE OR TRUNCATE OR UPDATE OF {columns} ON cases_visit
FOR EACH STATEMENT EXECUTE FUNCTION tracker_bump_data_version();
"""
SQLITE_TRIGGERS = {
    "insert": "INSERT",
    "delete": "DELETE",
    "update": f"UPDATE OF {TOTALS_COLUMNS}",
}


def create_triggers(apps, schema_editor):
    drop_triggers(apps, schema_editor)
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_TRIGGER.format(columns=TOTALS_COLUMNS))
    elif vendor == "sqlite":
        for event, clause in SQLITE_TRIGGERS.items():
            schema_editor.execute(
                f"CREATE TRIGGER cases_visit_{event}_bumps_data_version AFTER {clause} ON cases_visit "
                "BEGIN INSERT OR REPLACE INTO cases_dataversion (id, token) VALUES (1, random()); END;"
            )


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS cases_visit_bumps_data_version ON cases_visit;")
    elif vendor == "sqlite":
        for event in SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS cases_visit_{event}_bumps_data_version;")


class Migration(migrations.Migration):
    dependencies = [("cases", "0015_data_version_triggers_for_the_case_page")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
