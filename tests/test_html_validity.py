"""The public pages are valid HTML according to the Nu Html Checker (the vnu-jar npm package)."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from cases.models import Case

VNU = Path(__file__).resolve().parent.parent / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

pytestmark = pytest.mark.django_db


def test_public_pages_are_valid_html(client, seeded, tmp_path):
    if not (VNU.exists() and shutil.which("java")):
        missing = "Nu Html Checker needs `npm ci` and Java: HTML validity check skipped."
        if os.environ.get("TRACKER_REQUIRE_BROWSER") == "1":  # CI installs the tools: never skip there
            pytest.fail(missing)
        pytest.skip(missing)
    detail = Case.objects.get(code="2017-J").get_absolute_url()
    pages = {
        "home": "/",
        "listing": "/cases/?pattern=1&area=quality&q=품질",
        "detail": detail,
        "stats": "/stats/?industry=chemicals",
        "bad-filter": "/cases/?year=abc",
        "not-found": "/cases/0/",
        "apply": "/apply/",
    }
    files = []
    for name, path in pages.items():
        file = tmp_path / f"{name}.html"
        file.write_bytes(client.get(path).content)
        files.append(str(file))
    refused = tmp_path / "apply-errors.html"  # the form after a mistake: error summary and field errors
    refused.write_bytes(client.post("/apply/", {"company_name": "x" * 500}).content)
    files.append(str(refused))
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *files],
        capture_output=True,
        text=True,
        timeout=120,
    )
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    errors = [(Path(m["url"]).name, m.get("lastLine"), m["message"]) for m in messages]
    assert errors == []
