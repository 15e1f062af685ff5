"""Time the casebook PDF for N published cases (default 100) on a scratch SQLite database: `make casebook-timing`.

Migrates a temporary database, seeds the study, adds synthetic cases (`generate_cases`) until N are published,
then times what `manage.py casebook` and the admin do (query + HTML + WeasyPrint) for the first N published cases,
and, with --chromium, Debian's Chromium printing the same HTML (the renderer we compared; docs/casebook.md).
Prints one line per measurement; nothing is written to the repository.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100, help="How many published cases go into the book.")
    parser.add_argument("--runs", type=int, default=3, help="How many times to build it (the best and worst count).")
    parser.add_argument("--chromium", action="store_true", help="Also print the same HTML with /usr/bin/chromium.")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="casebook-timing-"))
    os.environ.update(
        DATABASE_URL=f"sqlite:///{scratch / 'db.sqlite3'}",
        DJANGO_SETTINGS_MODULE="tracker.settings",
        DJANGO_DEBUG="true",
        DJANGO_CACHE_DIR=str(scratch / "cache"),
    )
    import django

    django.setup()
    from django.core.management import call_command
    from pypdf import PdfReader

    from cases.casebook import build_pdf, casebook_html, casebook_queryset
    from cases.models import Case

    call_command("migrate", verbosity=0)
    call_command("seed", verbosity=0)
    synthetic = args.cases
    while Case.objects.published().count() < args.cases:
        call_command("generate_cases", synthetic, verbosity=0)
        synthetic *= 2
    ids = list(Case.objects.published().order_by("code").values_list("pk", flat=True)[: args.cases])
    print(f"{len(ids)} published cases (the study's 12 and synthetic ones), {os.cpu_count()} cores")

    timings = []
    for _run in range(args.runs):
        started = time.perf_counter()
        content = build_pdf(casebook_queryset(Case.objects.filter(pk__in=ids)))
        timings.append(time.perf_counter() - started)
    book = scratch / "book.pdf"
    book.write_bytes(content)
    pages = len(PdfReader(book).pages)
    print(
        f"WeasyPrint: {pages} pages, {len(content) / 1024:,.0f} KiB, "
        f"best {min(timings):.1f} s, worst {max(timings):.1f} s of {args.runs} runs"
    )

    if args.chromium:
        html = scratch / "book.html"
        html.write_text(casebook_html(casebook_queryset(Case.objects.filter(pk__in=ids))), encoding="utf-8")
        output = scratch / "chromium.pdf"
        command = [
            "/usr/bin/chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={scratch / 'chromium-profile'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={output}",
            html.as_uri(),
        ]
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, timeout=300)
        elapsed = time.perf_counter() - started
        print(
            f"Chromium (same HTML, no page numbers in the contents): {len(PdfReader(output).pages)} pages, "
            f"{output.stat().st_size / 1024:,.0f} KiB, {elapsed:.1f} s"
        )
    print(f"scratch files in {scratch}")


if __name__ == "__main__":
    main()
