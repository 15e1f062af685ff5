"""Look at the site as people and tools do: `screenshots` and `audit` (Lighthouse).

Both start a throw-away server on a fresh SQLite database with the study's 12 cases, so they never touch your
data. Screenshots go to screenshots/ (not committed); Lighthouse scores go to docs/audit.md.

    python scripts/site_check.py screenshots
    python scripts/site_check.py audit
"""

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORT = int(os.environ.get("SITE_CHECK_PORT", "8097"))
BASE = f"http://127.0.0.1:{PORT}"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
LIGHTHOUSE_VERSION = "13.5.0"
AUDIT_RUNS = 3  # per page; the median is reported
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update"


@contextmanager
def demo_server():
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": "site-check-only",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": f"sqlite:///{tmp}/site-check.sqlite3",
            "DJANGO_STATIC_ROOT": f"{tmp}/static",
            # Plain HTTP on 127.0.0.1: production's redirect to HTTPS would leave the tools nothing to load.
            "DJANGO_SECURE_SSL_REDIRECT": "false",
        }
        manage = [sys.executable, str(ROOT / "manage.py")]
        for command in (["migrate", "-v0"], ["seed", "-v0"], ["collectstatic", "--noinput", "-v0"]):
            subprocess.run(manage + command, env=env, check=True, cwd=ROOT)
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "tracker.wsgi", "--bind", f"127.0.0.1:{PORT}", "-w", "2"],
            env=env,
            cwd=ROOT,
        )
        try:
            for _ in range(50):
                try:
                    urllib.request.urlopen(BASE + "/", timeout=2)
                    break
                except OSError:
                    time.sleep(0.2)
            yield env
        finally:
            server.terminate()
            server.wait(timeout=10)


def pages(env):
    detail = (
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "manage.py"),
                "shell",
                "-c",
                "from cases.models import Case; print(Case.objects.get(code='2017-J').get_absolute_url())",
            ],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    return {"home": "/", "listing": "/cases/?pattern=1&area=quality", "detail": detail, "stats": "/stats/"}


def screenshots():
    from playwright.sync_api import sync_playwright

    out = ROOT / "screenshots"
    out.mkdir(exist_ok=True)
    with demo_server(), sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
        )
        for name, path in (("listing", "/cases/?pattern=1"), ("stats", "/stats/")):
            for label, width in (("phone", 390), ("desktop", 1280)):
                page = browser.new_page(viewport={"width": width, "height": 900})
                page.goto(BASE + path)
                target = out / f"{name}-{label}.png"
                page.screenshot(path=str(target), full_page=True)
                page.close()
                print(target.relative_to(ROOT))
        browser.close()


def audit():
    tools = ROOT / ".audit-tools"
    lighthouse = tools / "node_modules" / ".bin" / "lighthouse"
    if not lighthouse.exists():
        subprocess.run(
            ["npm", "install", "--prefix", str(tools), "--no-audit", "--no-fund", f"lighthouse@{LIGHTHOUSE_VERSION}"],
            check=True,
        )
    categories = ["performance", "accessibility", "best-practices", "seo"]
    rows = []
    with demo_server() as env:
        for name, path in pages(env).items():
            runs = []
            for _run in range(AUDIT_RUNS):
                report = subprocess.run(
                    [
                        str(lighthouse),
                        BASE + path,
                        "--output=json",
                        "--quiet",
                        f"--chrome-flags={CHROME_FLAGS}",
                        f"--only-categories={','.join(categories)}",
                    ],
                    env={**os.environ, "CHROME_PATH": CHROMIUM},
                    capture_output=True,
                    text=True,
                    check=True,
                )
                scores = json.loads(report.stdout)["categories"]
                runs.append([round(scores[c]["score"] * 100) for c in categories])
            medians = [statistics.median_low(column) for column in zip(*runs, strict=True)]
            rows.append((name, path, medians))
            print(name, medians, "runs:", runs)
    lines = [
        "# Lighthouse audit",
        "",
        f"`make audit` on {date.today().isoformat()}, Lighthouse {LIGHTHOUSE_VERSION}, Debian's Chromium, "
        f"{os.cpu_count()} cores, gunicorn with DEBUG off, SQLite with the 12 study cases. Each score is the median of "
        f"{AUDIT_RUNS} runs (Lighthouse's own advice: one run's performance score varies by several points). "
        "Target: 95 or more.",
        "",
        "| page | path | performance | accessibility | best practices | SEO |",
        "|---|---|---|---|---|---|",
        *(f"| {name} | `{path}` | " + " | ".join(map(str, scores)) + " |" for name, path, scores in rows),
        "",
    ]
    (ROOT / "docs").mkdir(exist_ok=True)
    (ROOT / "docs" / "audit.md").write_text("\n".join(lines), encoding="utf-8")
    print("docs/audit.md written")


if __name__ == "__main__":
    {"screenshots": screenshots, "audit": audit}[sys.argv[1] if len(sys.argv) > 1 else "screenshots"]()
