"""PostgreSQL only: keep each case's search bigrams in its row, not in the TOAST table.

A case row is wider than PostgreSQL's 2 kB TOAST threshold, and the bigrams (about 1.2 kB a case, compressed)
were its widest column, so PostgreSQL moved them out of the row. A search that matches a large share of the
cases tests them on every row (the planner prefers that to the GIN index's bitmap there), and each test fetched
them back from the TOAST table: 250,000 buffer reads at 100,000 cases. With STORAGE MAIN the long text columns
leave the row first and the bigrams stay in it: the same scan took 100–110 ms instead of 305–380
(docs/performance.md, "After an edit").

SET STORAGE applies to rows written later, so `VACUUM FULL` rewrites the table once (it takes the table's lock
for that time: seconds at 100,000 cases). VACUUM cannot run in a transaction, hence `atomic = False`; the
migration has nothing else to roll back.
"""

from django.db import migrations


def keep_in_row(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE cases_case ALTER COLUMN search_bigrams SET STORAGE MAIN")
        schema_editor.execute("VACUUM FULL cases_case")


def back_to_toast(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE cases_case ALTER COLUMN search_bigrams SET STORAGE EXTENDED")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("cases", "0018_published_counts")]

    operations = [migrations.RunPython(keep_in_row, back_to_toast, elidable=False)]
