from datetime import datetime
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand

# Rebuilt by migrations, or transient: not part of a backup.
EXCLUDED = ["contenttypes", "auth.permission", "sessions", "axes", "cases.dataversion", "cases.publishedcount"]


class Command(BaseCommand):
    help = (
        "Write a portable JSON backup of all the tracker's data (cases, vocabularies, users, groups and the full "
        "change history), with natural foreign keys so it loads into SQLite or PostgreSQL. Restore with `restore`."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="File to write (default: backups/tracker-<time>.json).")

    def handle(self, *args, output=None, **options):
        path = Path(output or f"backups/tracker-{datetime.now():%Y%m%d-%H%M%S}.json")
        path.parent.mkdir(parents=True, exist_ok=True)
        call_command("dumpdata", exclude=EXCLUDED, natural_foreign=True, output=str(path), verbosity=0)
        self.stdout.write(self.style.SUCCESS(f"백업을 저장했습니다: {path}"))
