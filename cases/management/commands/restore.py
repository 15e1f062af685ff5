from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings


class Command(BaseCommand):
    help = (
        "Replace ALL data in this database with a backup written by `backup` (same or other database engine). "
        "Run `migrate` first. Everything happens in one transaction: on any error nothing changes."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The backup file.")
        parser.add_argument("--yes", action="store_true", help="Do not ask: the database's current data is replaced.")

    def handle(self, *args, path, yes=False, **options):
        if not yes:
            answer = input("현재 데이터베이스의 모든 데이터가 백업 내용으로 바뀝니다. 계속할까요? [yes/no] ")
            if answer.strip().lower() != "yes":
                raise CommandError("복원을 취소했습니다.")
        # The backup carries the history: loading it must not write new history entries (m2m loads would).
        with transaction.atomic(), override_settings(SIMPLE_HISTORY_ENABLED=False):
            call_command("flush", interactive=False, verbosity=0)
            call_command("loaddata", path, verbosity=0)
        self.stdout.write(self.style.SUCCESS(f"복원했습니다: {path}"))
