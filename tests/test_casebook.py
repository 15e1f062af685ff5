"""The casebook (사례집) PDF: `manage.py casebook`, the changelist action and /admin/casebook/.

The PDFs are read back with pypdf, as a reader's PDF viewer would: the text must be there (real, selectable Korean
with the font embedded), every case from its own page and on one or two pages, nothing private, and the same
document whichever way staff made it. Without the renderer, staff get a Korean message and the rest works.
"""

import io
import os
import re
import subprocess
import sys
from html import unescape
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission, User
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from pypdf import PdfReader

from cases.casebook import CasebookUnavailable, build_pdf, check_renderer, select_cases
from cases.models import Case, Mentor, OutcomePattern
from tests.factories import make_case, make_firm

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:cases_case_changelist")
CASEBOOK_URL = reverse("admin:casebook")
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def renderer():
    """The PDF tests need WeasyPrint, Pango and fonts-nanum: skipped with a notice without them, failed in CI."""
    try:
        check_renderer()
    except CasebookUnavailable as error:
        if os.environ.get("TRACKER_REQUIRE_CASEBOOK") == "1":
            pytest.fail(f"TRACKER_REQUIRE_CASEBOOK=1 but the casebook cannot be rendered: {error}")
        pytest.skip(f"casebook PDF tests skipped (see README, Casebook): {error}")


needs_renderer = pytest.mark.usefixtures("renderer")


class Book:
    """A casebook PDF as pypdf reads it: its pages' text and where each case (a level-2 bookmark) starts."""

    def __init__(self, content):
        assert content.startswith(b"%PDF-")
        self.reader = PdfReader(io.BytesIO(content))
        self.pages = [page.extract_text() for page in self.reader.pages]
        self.text = "\n".join(self.pages)
        marks = []

        def walk(items, level):
            for item in items:
                if isinstance(item, list):
                    walk(item, level + 1)
                else:
                    marks.append((self.reader.get_destination_page_number(item), level, item.title))

        walk(self.reader.outline, 1)
        self.marks = sorted(marks)

    def contains(self, text, within=None):
        """`text` is in the book (or in `within`), whitespace aside (a line may break anywhere in Korean)."""
        return squeeze(text) in squeeze(self.text if within is None else within)

    def case_pages(self):
        """{bookmark title: its pages' text} for each case, up to the next case or section (or the end)."""
        cases = {}
        for index, (page, level, title) in enumerate(self.marks):
            if level != 2:
                continue
            end = self.marks[index + 1][0] if index + 1 < len(self.marks) else len(self.pages)
            cases[title] = self.pages[page:end]
        return cases

    def fonts(self):
        """Base font name → whether its file is embedded, for every font the pages use."""
        fonts = {}
        for page in self.reader.pages:
            for font in page["/Resources"]["/Font"].values():
                font = font.get_object()
                descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
                descriptor = descendant["/FontDescriptor"].get_object()
                fonts[str(font["/BaseFont"])] = any(
                    key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")
                )
        return fonts


def squeeze(text):
    return re.sub(r"\s+", "", text)


def command_pdf(tmp_path, *args):
    output = tmp_path / "cases.pdf"
    out = io.StringIO()
    call_command("casebook", "-o", str(output), *args, stdout=out)
    assert "사례집을" in out.getvalue()
    return Book(output.read_bytes())


def dry_run(*args):
    out = io.StringIO()
    call_command("casebook", "--dry-run", *args, stdout=out)
    return [line.split("\t")[0] for line in out.getvalue().splitlines() if "\t" in line]


# The document ---------------------------------------------------------------------------------------


@needs_renderer
def test_the_studys_casebook_has_every_case_on_one_or_two_pages_of_its_own(seeded, tmp_path):
    book = command_pdf(tmp_path)
    cases = list(Case.objects.published().select_related("firm__industry", "outcome_pattern"))
    assert len(cases) == 12

    first = book.reader.pages[0].mediabox
    assert (round(float(first.width) / 72 * 25.4), round(float(first.height) / 72 * 25.4)) == (210, 297)  # A4
    assert book.contains("일본 우수퇴직기술자 기술지도 사례집", within=book.pages[0])
    assert book.contains("차례", within=book.pages[1])

    pages_of = book.case_pages()
    assert sorted(pages_of) == sorted(case.firm.name for case in cases)
    for case in cases:
        own = "\n".join(pages_of[case.firm.name])
        assert 1 <= len(pages_of[case.firm.name]) <= 2, case.firm.name
        for public in (case.firm.name, case.firm.products, case.firm.industry.name, case.outcome_pattern.name):
            assert book.contains(public, within=own), (case.firm.name, public)
        assert book.contains(case.guidance, within=own)
        assert book.contains(case.source, within=own)
        assert book.contains("범용 상품 × 범용 기술", within=own)  # 그림11's cell (section 4: all 12)
    # The contents give each case's page number (bookmark pages are 0-based, printed numbers 1-based).
    for page, level, title in book.marks:
        if level == 2:
            assert re.search(rf"{re.escape(title)}.*?\.{{3,}}\s*{page + 1}\b", book.pages[1]), title


@needs_renderer
def test_each_pattern_has_a_section_with_its_description_before_its_cases(seeded, tmp_path):
    book = command_pdf(tmp_path)
    sections = [(page, title) for page, level, title in book.marks if level == 1]
    patterns = list(OutcomePattern.objects.order_by("position"))
    assert [title for _page, title in sections] == [pattern.name for pattern in patterns]
    for (page, _title), pattern in zip(sections, patterns, strict=True):
        for text in (pattern.title, pattern.korean_side, pattern.japanese_side, pattern.description):
            assert book.contains(text, within=book.pages[page])
    j = Case.objects.get(code="2017-J")  # pattern 1, with a metric
    own = "\n".join(book.case_pages()[j.firm.name])
    for metric in j.metrics.all():
        assert book.contains(metric.name, within=own) and book.contains(metric.value_display, within=own)
    second_section = sections[1][0]
    assert all(page < second_section for page, level, title in book.marks if title == j.firm.name)


@needs_renderer
def test_the_korean_text_is_real_text_in_an_embedded_font(seeded, tmp_path):
    book = command_pdf(tmp_path)
    fonts = book.fonts()
    assert any("Nanum" in name for name in fonts), fonts
    assert all(fonts.values()), fonts  # every font's file is in the PDF
    assert book.contains("성과 패턴 1") and book.contains("J기업")
    assert re.search(r"\b4 / \d+\b", book.pages[3])  # page numbers in the footer


@needs_renderer
def test_nothing_private_and_no_draft_reaches_the_casebook(seeded, tmp_path):
    secret_mentor = Mentor.objects.create(
        code="mentor-secret", name="공개 기술자명", real_name="야마다비밀타로", email="secret-mentor@example.invalid"
    )
    firm = make_firm(
        legal_name="주식회사비밀상호",
        registration_number="1234567891",
        contact_name="김비밀담당",
        contact_email="secret@example.invalid",
        contact_phone="055-999-1234",
    )
    make_case(firm=firm, mentor=secret_mentor, request_text="비공개애로기술내용", source="출처 시험")
    draft = make_case(status=Case.Status.DRAFT, firm=make_firm(name="작성중인기업"))
    book = command_pdf(tmp_path)
    assert book.contains(firm.name) and book.contains(firm.products)
    for private in (
        "주식회사비밀상호",
        "1234567891",
        "123-45-67891",
        "김비밀담당",
        "secret@example.invalid",
        "055-999-1234",
        "비공개애로기술내용",
        "야마다비밀타로",
        "secret-mentor@example.invalid",
        draft.firm.name,
    ):
        assert not book.contains(private), private


# The command's filters ---------------------------------------------------------------------------------


def test_pattern_and_year_select_what_the_public_listing_selects(seeded, client):
    pattern_1 = OutcomePattern.objects.get(code="1")
    in_2013 = make_case(outcome_pattern=pattern_1, started_year=2012, ended_year=2014)
    make_case(outcome_pattern=pattern_1, started_year=2015)
    published_1 = set(Case.objects.published().filter(outcome_pattern=pattern_1).values_list("code", flat=True))
    assert set(dry_run("--pattern", "1")) == published_1
    assert set(dry_run("--year", "2013")) == {"2017-A", in_2013.code}  # 2017-A: pattern 2, 2012–2014
    both = set(dry_run("--pattern", "1", "--year", "2013"))
    listing = client.get(reverse("cases:list"), {"pattern": "1", "year": "2013"})
    assert both == {case.code for case in listing.context["page"].object_list} == {in_2013.code}


def test_dry_run_lists_the_cases_and_writes_nothing(seeded, tmp_path):
    output = tmp_path / "nothing.pdf"
    out = io.StringIO()
    call_command("casebook", "--dry-run", "-o", str(output), stdout=out)
    assert "사례 12건" in out.getvalue() and "J기업" in out.getvalue()
    assert not output.exists()


@needs_renderer
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--pattern", "9"], "성과 패턴 코드 '9'가 없습니다. 있는 코드: 1, 2"),
        (["--year", "20x3"], "지도 연도 '20x3'는 1900–2100 사이의 연도가 아닙니다."),
        (["--year", "1800"], "지도 연도 '1800'는 1900–2100 사이의 연도가 아닙니다."),
        (["--year", "2030"], "사례집에 넣을 공개 사례가 없습니다 (조건: 2030년 지도)."),
    ],
)
def test_bad_or_empty_selections_are_korean_errors(seeded, tmp_path, args, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("casebook", "-o", str(tmp_path / "x.pdf"), *args, stdout=io.StringIO())
    assert not (tmp_path / "x.pdf").exists()


@needs_renderer
def test_no_published_case_is_a_clear_error(db, tmp_path):
    make_case(status=Case.Status.DRAFT)
    with pytest.raises(CommandError, match="사례집에 넣을 공개 사례가 없습니다"):
        call_command("casebook", "-o", str(tmp_path / "x.pdf"), stdout=io.StringIO())


def test_the_output_file_is_required_unless_dry_run(db):
    with pytest.raises(CommandError, match="-o FILE.pdf"):
        call_command("casebook", stdout=io.StringIO())


# The admin ----------------------------------------------------------------------------------------------


@needs_renderer
def test_the_action_gives_the_commands_document_and_says_drafts_were_left_out(editor, tmp_path, seeded):
    draft = make_case(status=Case.Status.DRAFT, firm=make_firm(name="작성중인기업"))
    selected = [*Case.objects.published().values_list("pk", flat=True), draft.pk]
    response = editor.post(CHANGELIST, {"action": "casebook_pdf", "_selected_action": selected})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="casebook.pdf"' in response["Content-Disposition"]
    from_action = Book(response.content)
    assert from_action.text == command_pdf(tmp_path).text
    assert not from_action.contains(draft.firm.name)
    page = editor.get(CHANGELIST)
    assert "공개되지 않은 1건은 빼고 12건으로 사례집을 만들었습니다." in page.content.decode()
    # A staff member whose admin is in Japanese gets the same (Korean) book.
    editor.cookies[settings.LANGUAGE_COOKIE_NAME] = "ja"
    assert '<html lang="ja"' in editor.get(CHANGELIST).content.decode()
    in_japanese = editor.post(CHANGELIST, {"action": "casebook_pdf", "_selected_action": selected})
    assert Book(in_japanese.content).text == from_action.text


@needs_renderer
def test_the_action_refuses_a_selection_without_a_published_case(editor, seeded):
    draft = make_case(status=Case.Status.DRAFT)
    response = editor.post(CHANGELIST, {"action": "casebook_pdf", "_selected_action": [draft.pk]}, follow=True)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "선택한 사례 중 공개된 사례가 없어 사례집을 만들지 않았습니다." in response.content.decode()


@needs_renderer
def test_the_staff_view_builds_the_casebook_of_a_listing_filter(viewer, seeded):
    response = viewer.get(CASEBOOK_URL, {"pattern": "2", "year": "2013", "sort": "-year", "page": "3"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    book = Book(response.content)
    assert list(book.case_pages()) == ["A기업"]  # the study's only pattern-2 case in guidance in 2013
    others = Case.objects.published().exclude(code="2017-A").select_related("firm")
    assert all(not book.contains(case.firm.products) for case in others)
    assert book.contains("성과 패턴 2 · 2013년 지도", within=book.pages[0])
    industry = viewer.get(CASEBOOK_URL, {"industry": "instruments"})
    assert industry.status_code == 200 and "A기업" in Book(industry.content).case_pages()


@needs_renderer
def test_the_staff_view_explains_bad_and_empty_filters_in_korean(viewer, seeded):
    bad = viewer.get(CASEBOOK_URL, {"pattern": "nope"})
    assert bad.status_code == 400
    assert "성과 패턴 코드 'nope'가 없습니다. 있는 코드: 1, 2" in unescape(bad.content.decode())
    empty = viewer.get(CASEBOOK_URL, {"q": "존재하지않는검색어"})
    assert empty.status_code == 404
    assert "사례집에 넣을 공개 사례가 없습니다" in empty.content.decode()


def test_the_staff_view_is_for_staff_who_may_view_cases(client, seeded):
    assert client.get(CASEBOOK_URL).status_code == 302  # to the admin login
    outsider = User.objects.create_user("outsider", password="a-long-staff-password", is_staff=True)
    outsider.user_permissions.add(Permission.objects.get(codename="view_visit"))
    client.force_login(outsider)
    assert client.get(CASEBOOK_URL).status_code == 403


# Without the renderer ----------------------------------------------------------------------------------

MISSING_RENDERER = "사례집 PDF를 만드는 프로그램(WeasyPrint와 Pango)이 없어"


def test_without_weasyprint_the_command_says_so_and_the_app_still_works(tmp_path):
    """In a fresh interpreter where `import weasyprint` fails (as on a machine without it)."""
    script = f"""
import sys
sys.modules["weasyprint"] = None  # import weasyprint -> ImportError
import django
django.setup()
from django.core.management import call_command, CommandError
from django.test import Client
from django.urls import reverse
call_command("check")
print("admin changelist url", reverse("admin:cases_case_changelist"))
try:
    call_command("casebook", "-o", {str(tmp_path / "x.pdf")!r})
except CommandError as error:
    print("COMMAND ERROR:", error)
"""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tracker.settings", "DATABASE_URL": f"sqlite:///{tmp_path}/db"}
    env.update(
        DJANGO_SECRET_KEY="test-only-secret-key-not-for-production", DJANGO_ALLOWED_HOSTS="testserver", DJANGO_DEBUG="0"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
    assert "admin changelist url /admin/cases/case/" in result.stdout
    assert "COMMAND ERROR: 이 서버에는 " + MISSING_RENDERER in result.stdout
    assert not (tmp_path / "x.pdf").exists()


def test_without_weasyprint_the_admin_says_so_without_an_error_page(editor, monkeypatch, seeded):
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # the casebook imports it lazily: now that fails
    selected = list(Case.objects.published().values_list("pk", flat=True))
    action = editor.post(CHANGELIST, {"action": "casebook_pdf", "_selected_action": selected}, follow=True)
    assert action.status_code == 200 and MISSING_RENDERER in action.content.decode()
    view = editor.get(CASEBOOK_URL)
    assert view.status_code == 503 and MISSING_RENDERER in view.content.decode()
    assert editor.get(CHANGELIST).status_code == 200
    assert editor.get(reverse("cases:list")).status_code == 200


@needs_renderer
@override_settings(CASEBOOK_FONT_DIR="/nonexistent/nanum")
def test_without_the_korean_font_the_admin_says_which_package_to_install(viewer, seeded):
    response = viewer.get(CASEBOOK_URL)
    assert response.status_code == 503
    assert "apt-get install fonts-nanum" in response.content.decode()


# Queries ------------------------------------------------------------------------------------------------


def casebook_queries(data):
    with CaptureQueriesContext(connection) as queries:
        queryset, selection = select_cases(data)
        content = build_pdf(queryset, selection=selection)
    return len(queries), content


@needs_renderer
def test_the_casebook_costs_the_same_queries_at_12_and_at_60_cases(seeded):
    at_12, _content = casebook_queries({"pattern": "1"})
    patterns = list(OutcomePattern.objects.all())
    for n in range(48):
        make_case(outcome_pattern=patterns[n % 2], areas=[], source="출처 시험")
    assert Case.objects.published().count() == 60
    at_60, content = casebook_queries({"pattern": "1"})
    assert at_12 == at_60 == 5  # vocabulary (the pattern code), cases, areas, outcome lines, metrics
    assert len(Book(content).case_pages()) == 30


def test_the_case_list_links_to_the_whole_casebook(admin_client, seeded):
    html = admin_client.get("/admin/cases/case/").content.decode()
    assert '<a href="/admin/casebook/">사례집 PDF (공개 사례 전체)</a>' in html
