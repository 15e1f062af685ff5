"""`manage.py send_reminders [--dry-run]`: the daily reminders (staff/reminders.py). Safe to run again."""

from django.core.management.base import BaseCommand

from staff.reminders import send_reminders


class Command(BaseCommand):
    help = (
        "예정일이 7일 안으로 다가왔거나 지난 사후 조사를 기업 담당자에게 새 링크와 함께 알리고, 60일 넘게 확인된 "
        "방문이 없는 지도 중 사례를 담당자에게 한 통의 메일로 알립니다. 보낸 알림은 다시 보내지 않습니다. "
        "매일 실행하세요."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="보낼 알림을 보여 주기만 하고 아무것도 보내거나 기록하지 않습니다."
        )

    def handle(self, *args, dry_run=False, verbosity=1, **options):
        run = send_reminders(dry_run=dry_run)
        if verbosity < 1:
            return
        if dry_run:
            for label in run.planned:
                self.stdout.write(f"  {label}")
            self.stdout.write(
                self.style.WARNING(
                    f"시험 실행: 알림 {len(run.planned)}건을 보낼 수 있습니다. 보내거나 기록한 것은 없습니다."
                )
            )
            return
        if verbosity >= 2:
            for label in run.sent:
                self.stdout.write(f"  보냄: {label}")
        for label in run.skipped:
            self.stdout.write(f"  건너뜀: {label}")
        for label in run.failed:
            self.stderr.write(f"  실패: {label}")
        summary = f"알림 {len(run.sent)}건 보냄, {len(run.skipped)}건 건너뜀, {len(run.failed)}건 실패."
        self.stdout.write(self.style.ERROR(summary) if run.failed else self.style.SUCCESS(summary))
