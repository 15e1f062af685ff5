"""DataVersion, the triggers that change its token on every write the listing's counts depend on, and the
indexes of the public queries (docs/performance.md)."""

import random

from django.db import migrations, models


# --- Triggers: every write to a table the public pages read sets a new random DataVersion token ------------

# Everything the cached listing and statistics pages show or count (cases/facets.py).
TRACKED_TABLES = [
    "cases_case",
    "cases_case_guidance_areas",
    "cases_firm",
    "cases_industry",
    "cases_guidancearea",
    "cases_outcomepattern",
]

POSTGRESQL_FUNCTION = """
CREATE OR REPLACE FUNCTION tracker_bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO cases_dataversion (id, token) VALUES (1, floor(random() * 9007199254740991)::bigint)
    ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token;
    RETURN NULL;
END
$$;
"""
# Once per statement: a bulk insert of 2,000 cases bumps the token once.
POSTGRESQL_TRIGGER = """
CREATE TRIGGER {table}_bumps_data_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
FOR EACH STATEMENT EXECUTE FUNCTION tracker_bump_data_version();
"""
# SQLite has row triggers only, one event each.
SQLITE_TRIGGER = """
CREATE TRIGGER {table}_{event}_bumps_data_version AFTER {event} ON {table}
BEGIN INSERT OR REPLACE INTO cases_dataversion (id, token) VALUES (1, random()); END;
"""
SQLITE_EVENTS = ["insert", "update", "delete"]


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_FUNCTION)
        for table in TRACKED_TABLES:
            schema_editor.execute(POSTGRESQL_TRIGGER.format(table=table))
    elif vendor == "sqlite":
        for table in TRACKED_TABLES:
            for event in SQLITE_EVENTS:
                schema_editor.execute(SQLITE_TRIGGER.format(table=table, event=event))
    # Random from the start too: two databases must never share a token (caches may be shared on one machine).
    token = random.getrandbits(52)
    apps.get_model("cases", "DataVersion").objects.update_or_create(pk=1, defaults={"token": token})


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TRACKED_TABLES:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_bumps_data_version ON {table};")
        elif vendor == "sqlite":
            for event in SQLITE_EVENTS:
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_{event}_bumps_data_version;")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS tracker_bump_data_version();")


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0006_case_published_at'),
    ]

    operations = [
        migrations.CreateModel(
            name='DataVersion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('token', models.BigIntegerField(verbose_name='토큰')),
            ],
            options={
                'verbose_name': '데이터 버전',
                'verbose_name_plural': '데이터 버전',
            },
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('status', 'published')), fields=['code'], name='case_published_code_idx'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('status', 'published')), fields=['outcome_pattern', 'code'], name='case_published_pattern_idx'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('status', 'published')), fields=['started_year', 'ended_year'], name='case_published_year_idx'),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
