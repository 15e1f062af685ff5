from django.core.management.base import BaseCommand

from cases.seeding import seed


class Command(BaseCommand):
    help = (
        "Load the study's 12 cases and vocabularies from fixtures/, insert-only: creates what is missing, "
        "never overwrites or duplicates existing records, and does not bring back seeded records staff deleted."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Report what would be inserted; write nothing.")

    def handle(self, *args, dry_run=False, **options):
        report = seed(dry_run=dry_run)
        if options["verbosity"] >= 2:
            for label, count in sorted(report.created.items()):
                self.stdout.write(f"  {label}: {count}건 추가")
        for label, count in sorted(report.skipped_deleted.items()):
            self.stdout.write(self.style.WARNING(f"  {label}: 관리자가 삭제한 {count}건은 다시 넣지 않았습니다."))
        orphans = sum(report.skipped_orphans.values())
        if orphans:
            self.stdout.write(self.style.WARNING(f"  참조하는 기록이 삭제되어 {orphans}건은 넣지 않았습니다."))
        prefix = "[시험 실행, 저장하지 않음] " if dry_run else ""
        kept = sum(report.kept.values())
        message = f"{prefix}초기 데이터: {report.total_created}건 추가, 기존 {kept}건 유지."
        self.stdout.write(self.style.SUCCESS(message))
