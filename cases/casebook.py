"""The casebook (사례집): published cases as a print-ready A4 PDF, for staff.

Used by `manage.py casebook`, the case changelist's action and /admin/casebook/ (tracker/admin_site.py), which all
go through `select_cases` (the public listing's filters, CaseFilter) or `published_among` and then `build_pdf`, so
the same cases give the same document. Only public fields reach the template (SECURITY.md's inventory).

The renderer is WeasyPrint (docs/casebook.md says why), imported only when a PDF is made: a machine without it
or without Pango, or without the Nanum font, gets `CasebookUnavailable` with a Korean message, and every other
part of the app works.
"""

import logging
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .filters import CaseFilter
from .models import Case

TITLE = "일본 우수퇴직기술자 기술지도 사례집"
FONT_FILES = {"regular": "NanumGothic.ttf", "bold": "NanumGothicBold.ttf"}
DEFAULT_FONT_DIR = "/usr/share/fonts/truetype/nanum"  # Debian's fonts-nanum
FILENAME = "casebook.pdf"
BOOK_LANGUAGE = "ko"
VIEW_PERMISSION = "cases.view_case"


class CasebookError(Exception):
    """A casebook cannot be made; the message (Korean) says why and is meant for staff."""


class CasebookUnavailable(CasebookError):
    """The renderer or its font is missing on this machine."""


class BadSelection(CasebookError):
    """A filter value that selects nothing sensible (unknown pattern code, a year that is not a year)."""


class NothingToPrint(CasebookError):
    """The selection holds no published case."""


def casebook_queryset(queryset=None):
    """Published cases with everything the casebook prints, in its order: by pattern, then case code.

    A fixed number of queries whatever the number of cases: the cases with their firm, industry and pattern,
    then their areas, outcome lines and metrics.
    """
    queryset = Case.objects.all() if queryset is None else queryset
    return (
        queryset.published()
        .select_related("firm__industry", "outcome_pattern", "evolution_path")
        .prefetch_related("guidance_areas", "outcome_items", "metrics")
        .order_by("outcome_pattern__position", "outcome_pattern__code", "code")
    )


def select_cases(data):
    """The published cases a public listing filter selects (`pattern`, `industry`, `area`, `year`, `q`).

    `data` is a dict or a QueryDict, as the listing's query string. Raises BadSelection, in Korean, for values the
    listing would refuse. The listing's `sort` and `page` do not apply: a casebook is ordered by pattern.
    """
    data = data.copy()
    for ignored in ("sort", "page"):
        data.pop(ignored, None)
    filterset = CaseFilter(data, queryset=Case.objects.published())
    if not filterset.is_valid():
        raise BadSelection(selection_errors(filterset))
    return casebook_queryset(filterset.qs), describe_selection(filterset)


def selection_errors(filterset):
    """The filter form's errors as one Korean sentence per field, naming the field."""
    messages = []
    for name, errors in filterset.form.errors.items():
        label = filterset.form.fields[name].label if name in filterset.form.fields else name
        value = filterset.form.data.get(name, "")
        if name == "pattern":
            codes = ", ".join(pattern.code for pattern in filterset.vocabulary.pattern)
            messages.append(
                _("성과 패턴 코드 '%(value)s'가 없습니다. 있는 코드: %(codes)s") % {"value": value, "codes": codes}
            )
        elif name == "year":
            messages.append(_("지도 연도 '%(value)s'는 1900–2100 사이의 연도가 아닙니다.") % {"value": value})
        else:
            messages.append(f"{label}: {' '.join(errors)}")
    return " ".join(messages)


def describe_selection(filterset):
    """'성과 패턴 1 · 2013년' for the cover: what the chosen filters were (empty when none)."""
    active = filterset.active_values()
    parts = [active[kind].name for kind in ("pattern", "industry", "area") if active[kind] is not None]
    if active["year"]:
        parts.append(f"{active['year']}년 지도")  # printed on the cover, which is Korean (casebook_html)
    if filterset.form.cleaned_data.get("q"):
        parts.append(f"검색어 '{filterset.form.cleaned_data['q']}'")
    return " · ".join(parts)


def published_among(queryset):
    """(the published cases of `queryset`, how many of it were left out as not published): the admin action's."""
    cases = list(casebook_queryset(queryset))
    return cases, queryset.order_by().count() - len(cases)


@dataclass
class Section:
    """One outcome pattern's part of the book: its description, then its cases."""

    pattern: object
    cases: list = field(default_factory=list)

    @property
    def anchor(self):
        return f"pattern-{self.pattern.pk}"


def sections_of(cases):
    """The cases (already in pattern order) grouped by their outcome pattern."""
    sections = []
    for case in cases:
        if not sections or sections[-1].pattern.pk != case.outcome_pattern_id:
            sections.append(Section(case.outcome_pattern))
        sections[-1].cases.append(case)
    return sections


def font_paths():
    """The Nanum Gothic files to embed (settings.CASEBOOK_FONT_DIR); CasebookUnavailable if they are missing."""
    font_dir = Path(getattr(settings, "CASEBOOK_FONT_DIR", DEFAULT_FONT_DIR))
    paths = {weight: font_dir / name for weight, name in FONT_FILES.items()}
    missing = [str(path) for path in paths.values() if not path.is_file()]
    if missing:
        raise CasebookUnavailable(
            _(
                "사례집에 넣을 한글 글꼴(나눔고딕)이 없습니다: %(files)s. "
                "서버에 글꼴을 설치하세요 (Debian: apt-get install fonts-nanum)."
            )
            % {"files": ", ".join(missing)}
        )
    return paths


def load_renderer():
    """The weasyprint module, imported only now (it loads Pango through cffi, which may be missing)."""
    # WeasyPrint logs every layout step at INFO (one line per page), which would drown the JSON logs.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    try:
        import weasyprint
    except (ImportError, OSError) as error:  # OSError: the package is there but Pango's libraries are not
        raise CasebookUnavailable(
            _(
                "이 서버에는 사례집 PDF를 만드는 프로그램(WeasyPrint와 Pango)이 없어 PDF를 만들 수 없습니다. "
                "관리자에게 설치를 요청하세요 (pip install -r requirements.txt, apt-get install libpango-1.0-0 "
                "libpangoft2-1.0-0 fonts-nanum). (%(error)s)"
            )
            % {"error": error}
        ) from error
    return weasyprint


def check_renderer():
    """Raise CasebookUnavailable, before any work, when this machine cannot make the PDF."""
    load_renderer()
    font_paths()


def casebook_html(cases, *, selection="", year=None):
    """The book as one HTML document (templates/casebook/casebook.html): cover, contents, sections, cases."""
    cases = list(cases)
    if not cases:
        raise NothingToPrint(_("사례집에 넣을 공개 사례가 없습니다. 공개 상태인 사례만 사례집에 들어갑니다."))
    fonts = {weight: path.as_uri() for weight, path in font_paths().items()}
    context = {
        "title": TITLE,
        "year": year or timezone.localdate().year,
        "selection": selection,
        "sections": sections_of(cases),
        "case_count": len(cases),
        "fonts": fonts,
    }
    # A Korean publication of Korean case text, whatever language the staff member's admin is in (labels such as
    # an outcome line's kind would otherwise follow it), so every way of making it gives the same book.
    with translation.override(BOOK_LANGUAGE):
        return render_to_string("casebook/casebook.html", context)


def build_pdf(cases, *, selection="", year=None):
    """The casebook PDF (bytes) of these cases (from `casebook_queryset`, in its order)."""
    weasyprint = load_renderer()
    html = casebook_html(cases, selection=selection, year=year)
    fonts = {path.as_uri() for path in font_paths().values()}

    class FontsOnly(weasyprint.URLFetcher):
        """The book needs its two font files and nothing else: no other file and never the network."""

        def fetch(self, url, headers=None):
            if url not in fonts:
                raise ValueError(f"the casebook loads nothing but its fonts, not {url}")
            return super().fetch(url, headers)

    return weasyprint.HTML(string=html, base_url=None, url_fetcher=FontsOnly(allowed_protocols=["file"])).write_pdf()


def pdf_response(content):
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{FILENAME}"'
    return response


def action_response(model_admin, request, queryset):
    """The changelist action: the selected published cases' casebook; drafts are left out and said so.

    Returns None (back to the changelist, with the message) when nothing can be printed.
    """
    try:
        check_renderer()
        cases, skipped = published_among(queryset)
        content = build_pdf(cases)
    except CasebookError as error:
        if isinstance(error, NothingToPrint):
            error = _("선택한 사례 중 공개된 사례가 없어 사례집을 만들지 않았습니다. 공개 상태인 사례만 들어갑니다.")
        model_admin.message_user(request, str(error), messages.ERROR)
        return None
    if skipped:
        model_admin.message_user(
            request,
            _("공개되지 않은 %(skipped)d건은 빼고 %(count)d건으로 사례집을 만들었습니다.")
            % {"skipped": skipped, "count": len(cases)},
            messages.WARNING,
        )
    return pdf_response(content)


def casebook_view(request, site):
    """/admin/casebook/?pattern=…&year=…: the casebook of any public listing filter, for staff who may view cases.

    Behind `site.admin_view` (staff login). A bad filter value is a 400 page, an empty selection a 404 page and a
    machine without the renderer a 503 page, each saying why in Korean.
    """
    if not request.user.has_perm(VIEW_PERMISSION):
        raise PermissionDenied
    try:
        check_renderer()
        queryset, selection = select_cases(request.GET)
        return pdf_response(build_pdf(queryset, selection=selection))
    except CasebookError as error:
        status = {BadSelection: 400, NothingToPrint: 404}.get(type(error), 503)
        context = {**site.each_context(request), "title": _("사례집 PDF"), "error": str(error)}
        return TemplateResponse(request, "casebook/error.html", context, status=status)
