from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cases.casebook import CasebookError, build_pdf, check_renderer, select_cases


class Command(BaseCommand):
    help = (
        "Write the casebook (사례집): the published cases as a print-ready A4 PDF with a cover, contents with page "
        "numbers, one section per outcome pattern and each case on its own page(s). --pattern and --year filter "
        "like the public listing's `pattern` and `year`. --dry-run lists the cases it would include and writes "
        "nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", help="The PDF file to write (required unless --dry-run).")
        parser.add_argument("--pattern", help="Only the cases of this outcome pattern (its code, e.g. 1).")
        # A string, so a bad year gets our Korean message rather than argparse's English one.
        parser.add_argument("--year", help="Only the cases whose guidance period includes this year (YYYY).")
        parser.add_argument("--dry-run", action="store_true", help="List the cases; write nothing.")

    def handle(self, *args, output, pattern, year, dry_run, **options):
        if not dry_run and not output:
            raise CommandError("PDF 파일 이름을 -o FILE.pdf 로 지정하세요 (목록만 보려면 --dry-run).")
        filters = {name: value for name, value in (("pattern", pattern), ("year", year)) if value is not None}
        try:
            if not dry_run:
                check_renderer()  # before any query: say at once when this machine cannot make the PDF
            queryset, selection = select_cases(filters)
            cases = list(queryset)
            if not cases:
                raise CommandError(
                    "사례집에 넣을 공개 사례가 없습니다"
                    + (f" (조건: {selection})" if selection else "")
                    + ". 공개 상태인 사례만 사례집에 들어갑니다."
                )
            if dry_run or options["verbosity"] >= 2:
                for case in cases:
                    self.stdout.write(
                        f"{case.code}\t{case.firm.name}\t{case.firm.products}\t{case.outcome_pattern.name}"
                        f"\t{case.period_display}"
                    )
            if dry_run:
                self.stdout.write(f"사례 {len(cases)}건이 사례집에 들어갑니다 (--dry-run: 파일을 쓰지 않았습니다).")
                return
            content = build_pdf(cases, selection=selection)
        except CasebookError as error:
            raise CommandError(str(error)) from error
        path = Path(output)
        try:
            path.write_bytes(content)
        except OSError as error:
            raise CommandError(f"{path}에 쓸 수 없습니다: {error.strerror or error}") from error
        written = f"사례 {len(cases)}건의 사례집을 {path}에 썼습니다 ({len(content):,} 바이트)."
        self.stdout.write(self.style.SUCCESS(written))
