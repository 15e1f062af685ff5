"""PublishedCount, and the row-level triggers that keep it: published cases counted by every value the public
filters choose (cases/models/counts.py), so a page after an edit sums a few thousand rows instead of counting
100,000 cases (docs/performance.md).

One text of SQL serves both databases: PostgreSQL runs it in a trigger function, SQLite in the trigger's body.
Each statement says itself whether it applies (a draft counts nowhere), adds with an upsert and subtracts with an
UPDATE that never creates a row. On PostgreSQL each trigger first waits for concurrent writers (SERIALIZE).
Existing published cases are counted when the migration runs.
"""

from django.db import migrations, models

KEY = "area_id, pattern_id, started_year, ended_year, industry_id, product, technology, path_id"


def dims(case, industry):
    """A case's key columns but the area, from a row (`NEW`, `OLD`) or a table alias, with its firm's industry."""
    return (
        f"coalesce({case}.outcome_pattern_id, 0) AS pattern_id, coalesce({case}.started_year, 0) AS started_year, "
        f"coalesce({case}.ended_year, 0) AS ended_year, {industry} AS industry_id, {case}.product AS product, "
        f"{case}.technology AS technology, coalesce({case}.evolution_path_id, 0) AS path_id"
    )


def case_row_keys(row):
    """The keys a case row (`NEW` or `OLD`) counts in when published: any area, and each of its areas."""
    industry = f"(SELECT industry_id FROM cases_firm WHERE id = {row}.firm_id)"
    return (
        f"SELECT {dims(row, industry)}, areas.area_id AS area_id FROM (SELECT 0 AS area_id UNION ALL "
        f"SELECT guidancearea_id FROM cases_case_guidance_areas WHERE case_id = {row}.id) AS areas "
        f"WHERE {row}.status = 'published'"
    )


def area_row_keys(row):
    """The key a case's guidance area (a row of the through table) counts in, if its case is published."""
    return (
        f"SELECT {dims('c', 'f.industry_id')}, {row}.guidancearea_id AS area_id FROM cases_case c "
        f"JOIN cases_firm f ON f.id = c.firm_id WHERE c.id = {row}.case_id AND c.status = 'published'"
    )


def published_keys(industry, where):
    """The keys of every published case matching `where` (on `c`), with `industry` as its industry."""
    return (
        f"SELECT {dims('c', industry)}, 0 AS area_id FROM cases_case c JOIN cases_firm f ON f.id = c.firm_id "
        f"WHERE c.status = 'published' AND {where} UNION ALL "
        f"SELECT {dims('c', industry)}, ga.guidancearea_id AS area_id FROM cases_case c "
        f"JOIN cases_firm f ON f.id = c.firm_id JOIN cases_case_guidance_areas ga ON ga.case_id = c.id "
        f"WHERE c.status = 'published' AND {where}"
    )


def add(keys):
    return (
        f"INSERT INTO cases_publishedcount ({KEY}, cases) SELECT {KEY}, count(*) FROM ({keys}) AS k GROUP BY {KEY} "
        f"ON CONFLICT ({KEY}) DO UPDATE SET cases = cases_publishedcount.cases + excluded.cases"
    )


def subtract(keys):
    matches = " AND ".join(f"cases_publishedcount.{column} = k.{column}" for column in KEY.split(", "))
    return (
        f"UPDATE cases_publishedcount SET cases = cases_publishedcount.cases - k.n "
        f"FROM (SELECT {KEY}, count(*) AS n FROM ({keys}) AS k0 GROUP BY {KEY}) AS k WHERE {matches}"
    )


# PostgreSQL runs writers side by side (READ COMMITTED): a case published in one transaction while another adds an
# area to it or moves its firm to another industry would each read the other's rows as they were before, and the
# counts would drift for good. So each count trigger first takes the lock of the DataVersion row, which every
# tracked write takes anyway (its statement trigger, migration 0007: one lock, so no new deadlock), and its
# statements then see all that the previous holder committed (each statement of a PL/pgSQL function reads a
# fresh snapshot). SQLite has one writer at a time.
SERIALIZE = "PERFORM 1 FROM cases_dataversion WHERE id = 1 FOR UPDATE"

CASE_COLUMNS = "status, outcome_pattern_id, started_year, ended_year, firm_id, product, technology, evolution_path_id"

# name: (table, event, condition or None, statements)
TRIGGERS = {
    "case_insert": ("cases_case", "INSERT", "NEW.status = 'published'", [add(case_row_keys("NEW"))]),
    "case_update": (
        "cases_case",
        f"UPDATE OF {CASE_COLUMNS}",
        "OLD.status = 'published' OR NEW.status = 'published'",
        [subtract(case_row_keys("OLD")), add(case_row_keys("NEW"))],
    ),
    "case_delete": ("cases_case", "DELETE", "OLD.status = 'published'", [subtract(case_row_keys("OLD"))]),
    "area_insert": ("cases_case_guidance_areas", "INSERT", None, [add(area_row_keys("NEW"))]),
    "area_update": (
        "cases_case_guidance_areas",
        "UPDATE",
        None,
        [subtract(area_row_keys("OLD")), add(area_row_keys("NEW"))],
    ),
    "area_delete": ("cases_case_guidance_areas", "DELETE", None, [subtract(area_row_keys("OLD"))]),
    "firm_industry": (
        "cases_firm",
        "UPDATE OF industry_id",
        "OLD.industry_id <> NEW.industry_id",
        [
            subtract(published_keys("OLD.industry_id", "c.firm_id = OLD.id")),
            add(published_keys("NEW.industry_id", "c.firm_id = NEW.id")),
        ],
    ),
}
COUNT_EVERYTHING = add(published_keys("f.industry_id", "1 = 1"))
# PostgreSQL only (SQLite has no TRUNCATE): `flush` truncates the counts with everything else, but a table
# truncated alone leaves them to be counted again.
TRUNCATED_TABLES = ["cases_case", "cases_case_guidance_areas", "cases_firm"]


def create_triggers(apps, schema_editor):
    drop_triggers(apps, schema_editor)
    vendor = schema_editor.connection.vendor
    for name, (table, event, condition, statements) in TRIGGERS.items():
        body = "; ".join(statements)
        if vendor == "postgresql":
            schema_editor.execute(
                f"CREATE FUNCTION tracker_count_{name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN {SERIALIZE}; {body}; RETURN NULL; END $$"
            )
            when = f"WHEN ({condition}) " if condition else ""
            schema_editor.execute(
                f"CREATE TRIGGER {table}_{name}_counts AFTER {event} ON {table} FOR EACH ROW {when}"
                f"EXECUTE FUNCTION tracker_count_{name}()"
            )
        elif vendor == "sqlite":
            when = f"WHEN {condition} " if condition else ""
            schema_editor.execute(
                f"CREATE TRIGGER {table}_{name}_counts AFTER {event} ON {table} FOR EACH ROW {when}BEGIN {body}; END"
            )
    if vendor == "postgresql":
        schema_editor.execute(
            "CREATE FUNCTION tracker_count_everything() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN DELETE FROM cases_publishedcount; {COUNT_EVERYTHING}; RETURN NULL; END $$"
        )
        for table in TRUNCATED_TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_truncate_counts AFTER TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION tracker_count_everything()"
            )
    schema_editor.execute("DELETE FROM cases_publishedcount")
    schema_editor.execute(COUNT_EVERYTHING)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for name, (table, *_rest) in TRIGGERS.items():
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_{name}_counts ON {table}")
            schema_editor.execute(f"DROP FUNCTION IF EXISTS tracker_count_{name}()")
        elif vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_{name}_counts")
    if vendor == "postgresql":
        for table in TRUNCATED_TABLES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_truncate_counts ON {table}")
        schema_editor.execute("DROP FUNCTION IF EXISTS tracker_count_everything()")


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0017_staff_page_indexes'),
    ]

    operations = [
        migrations.CreateModel(
            name='PublishedCount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('pattern_id', models.IntegerField(verbose_name='성과 패턴')),
                ('started_year', models.IntegerField(verbose_name='지도 시작 연도')),
                ('ended_year', models.IntegerField(verbose_name='지도 종료 연도')),
                ('industry_id', models.IntegerField(verbose_name='업종')),
                ('product', models.CharField(max_length=12, verbose_name='상품')),
                ('technology', models.CharField(max_length=12, verbose_name='기술')),
                ('path_id', models.IntegerField(verbose_name='진화 경로')),
                ('area_id', models.IntegerField(verbose_name='지도 분야')),
                ('cases', models.IntegerField(default=0, verbose_name='사례 수')),
            ],
            options={
                'verbose_name': '공개 사례 집계',
                'verbose_name_plural': '공개 사례 집계',
                'constraints': [models.UniqueConstraint(fields=('area_id', 'pattern_id', 'started_year', 'ended_year', 'industry_id', 'product', 'technology', 'path_id'), name='published_count_key')],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
