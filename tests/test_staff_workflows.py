"""Issue 3: roles, review and publishing, change history, concurrent edits, bulk import and export."""

import csv
import io
from html import unescape

import openpyxl
import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases.models import Case, Firm
from tests.factories import make_case, make_firm

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:cases_case_changelist")
IMPORT = reverse("admin:cases_case_import")
PROCESS_IMPORT = reverse("admin:cases_case_process_import")


def change_url(case):
    return reverse("admin:cases_case_change", args=[case.pk])


def form_data(client, case):
    """The case's change form exactly as the browser would submit it unchanged."""
    form = client.get(change_url(case)).context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        data[name] = [str(v) for v in value] if isinstance(value, list | tuple) else str(value)
    for formset in client.get(change_url(case)).context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = str(management[name].value())
        for subform in formset.formset.forms:
            for name in subform.fields:
                value = subform[name].value()
                if value not in (None, ""):
                    data[subform.add_prefix(name)] = str(value)
    return data


# Roles ---------------------------------------------------------------------------------------------


def test_roles_are_created_by_migration(db):
    editors = set(Group.objects.get(name="편집자").permissions.values_list("codename", flat=True))
    viewers = set(Group.objects.get(name="열람자").permissions.values_list("codename", flat=True))
    assert {"add_case", "change_case", "publish_case", "view_case", "add_firm", "view_historicalcase"} <= editors
    assert not any(code.startswith("delete_") for code in editors | viewers)
    assert viewers and all(code.startswith("view_") for code in viewers)


def test_viewer_reads_but_cannot_change_anything(viewer, seeded):
    case = Case.objects.get(code="2017-J")
    page = viewer.get(change_url(case))
    assert page.status_code == 200
    assert "금형 설계 기술지도" in page.content.decode()
    assert 'name="_save"' not in page.content.decode()

    response = viewer.post(change_url(case), {"code": "2017-J", "guidance": "바꿈", "outcomes": "바꿈"})
    assert response.status_code == 403
    assert viewer.get(reverse("admin:cases_case_add")).status_code == 403
    assert viewer.post(reverse("admin:cases_firm_add"), {"code": "Z", "name": "Z기업"}).status_code == 403
    assert viewer.get(IMPORT).status_code == 403
    case.refresh_from_db()
    assert case.guidance.startswith("금형 설계 기술지도")
    # No bulk publish either.
    actions = viewer.get(CHANGELIST).context["action_form"].fields["action"].choices
    assert "publish" not in dict(actions)


def test_only_superusers_delete(client, editor, seeded):
    case = Case.objects.get(code="2017-J")
    delete_url = reverse("admin:cases_case_delete", args=[case.pk])
    assert editor.get(delete_url).status_code == 403
    assert editor.post(delete_url, {"post": "yes"}).status_code == 403
    assert Case.objects.filter(pk=case.pk).exists()

    root = User.objects.create_superuser("root", password="a-long-root-password")
    client.force_login(root)
    assert client.post(delete_url, {"post": "yes"}).status_code == 302
    assert not Case.objects.filter(pk=case.pk).exists()


# Review and publishing -----------------------------------------------------------------------------


def test_editor_publishes_and_unpublishes_from_the_change_list(editor, seeded):
    draft = make_case(status=Case.Status.DRAFT, outcome_pattern=Case.objects.get(code="2017-J").outcome_pattern)
    listing = editor.get(CHANGELIST).content.decode()
    assert "검토를 기다리는 작성 중 사례" in listing and "1건" in listing

    response = editor.post(CHANGELIST, {"action": "publish", "_selected_action": [draft.pk]}, follow=True)
    draft.refresh_from_db()
    assert draft.status == Case.Status.PUBLISHED
    assert "1건을 공개했습니다" in response.content.decode()
    assert editor.get(draft.get_absolute_url()).status_code == 200

    editor.post(CHANGELIST, {"action": "unpublish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == Case.Status.DRAFT
    assert editor.get(draft.get_absolute_url()).status_code == 404


def test_publishing_a_case_without_pattern_is_refused_with_a_message(editor, seeded):
    draft = make_case(status=Case.Status.DRAFT, outcome_pattern=None)
    response = editor.post(CHANGELIST, {"action": "publish", "_selected_action": [draft.pk]}, follow=True)
    assert response.status_code == 200
    assert "공개하지 못했습니다" in response.content.decode()
    assert "공개하는 사례에는 성과 패턴이 있어야 합니다" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Case.Status.DRAFT


# History -------------------------------------------------------------------------------------------


def test_seeding_records_its_inserts_in_history(seeded):
    history = Case.history.filter(code="2017-J")
    assert history.count() == 1
    assert history.get().history_type == "+"
    assert history.get().history_change_reason == "초기 데이터 입력"


def test_an_admin_edit_shows_who_changed_what_with_old_and_new_values(editor, seeded):
    case = Case.objects.get(code="2017-J")
    old = case.outcomes
    data = form_data(editor, case)
    data["outcomes"] = "담당자가 고친 주요 성과"
    response = editor.post(change_url(case), data)
    assert response.status_code == 302, response.content.decode()[:3000]

    latest = case.history.first()
    assert latest.history_user.username == "editor"
    delta = latest.diff_against(latest.prev_record)
    assert [(c.field, c.old, c.new) for c in delta.changes] == [("outcomes", old, "담당자가 고친 주요 성과")]

    history_page = editor.get(reverse("admin:cases_case_history", args=[case.pk])).content.decode()
    assert "담당자가 고친 주요 성과" in history_page
    assert old in history_page
    assert "editor" in history_page


def test_last_changed_by_column(editor, seeded):
    case = Case.objects.get(code="2017-J")
    data = form_data(editor, case)
    data["guidance"] = "고친 지도내용"
    editor.post(change_url(case), data)
    response = editor.get(CHANGELIST, {"q": "2017-J"})
    assert "최근 수정자" in response.content.decode()
    assert "editor" in response.content.decode()


# Concurrent edits ----------------------------------------------------------------------------------


def test_a_stale_concurrent_save_is_refused_and_the_first_edit_survives(client, editor, seeded):
    case = Case.objects.get(code="2017-J")
    first = form_data(editor, case)  # editor opens the form
    other = User.objects.create_user("second", password="a-long-staff-password", is_staff=True)
    other.groups.add(Group.objects.get(name="편집자"))
    second_client = type(client)()
    second_client.force_login(other)
    second = form_data(second_client, case)  # a second editor opens the same version

    first["outcomes"] = "첫 번째 담당자의 수정"
    assert editor.post(change_url(case), first).status_code == 302

    second["outcomes"] = "두 번째 담당자의 수정"
    response = second_client.post(change_url(case), second)
    assert response.status_code == 200
    assert "다른 담당자가 이 사례를 먼저 수정해 저장했습니다" in response.content.decode()
    case.refresh_from_db()
    assert case.outcomes == "첫 번째 담당자의 수정"
    assert case.metrics.count() == 2  # the inlines were not touched either


# Duplicates ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("code", "name"), [("a", "새 기업"), ("Z9", "J 기업"), ("Z9", "j기업")])
def test_a_firm_entered_twice_points_to_the_existing_one(editor, code, name, seeded):
    industry = Firm.objects.get(code="A").industry_id
    response = editor.post(
        reverse("admin:cases_firm_add"), {"code": code, "name": name, "products": "제품", "industry": industry}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "이미 등록된 기업과 코드나 이름이 같습니다" in html
    existing = Firm.objects.get(code="A" if code == "a" else "J")
    assert reverse("admin:cases_firm_change", args=[existing.pk]) in html
    assert not Firm.objects.filter(code=code).exists()


# Import --------------------------------------------------------------------------------------------

HEADERS = [
    "사례 코드",
    "기업 코드",
    "퇴직기술자 코드",
    "지도 분야 코드",
    "지도내용",
    "주요 성과",
    "성과 패턴 코드",
    "상태",
]


def csv_file(rows, name="cases.csv"):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode("utf-8-sig"), content_type="text/csv")


def upload(client, file, file_format="0"):
    return client.post(IMPORT, {"resource": "0", "format": file_format, "import_file": file})


def confirm(client, preview):
    form = preview.context["confirm_form"]
    data = {name: form[name].value() for name in form.fields}
    return client.post(PROCESS_IMPORT, data)


def test_an_import_with_one_bad_row_writes_nothing_and_names_the_row(editor, seeded):
    before = Case.objects.count()
    file = csv_file(
        [
            ["2026-G1", "A", "mentor-a", "sensor", "센서 지도", "성과", "1", "공개"],
            ["2026-G2", "NOPE", "", "welding", "용접 지도", "성과", "2", "작성 중"],
        ]
    )
    response = upload(editor, file)
    html = unescape(response.content.decode())
    assert response.status_code == 200
    assert "유효성 검증에 실패한 행이 있습니다" in html
    assert "기업 코드 'NOPE'이(가) 없습니다" in html
    (bad_row,) = response.context["result"].invalid_rows
    assert bad_row.number == 2  # the second data row
    assert list(bad_row.field_specific_errors) == ["firm"]
    assert Case.objects.count() == before
    assert not Case.objects.filter(code="2026-G1").exists()


def test_an_import_reports_constraint_errors_per_row(editor, seeded):
    file = csv_file([["2026-G3", "A", "", "", "지도", "성과", "", "공개"]])
    html = unescape(upload(editor, file).content.decode())
    assert "공개하는 사례에는 성과 패턴이 있어야 합니다" in html
    assert not Case.objects.filter(code="2026-G3").exists()


def test_a_good_import_previews_then_creates_cases_with_history(editor, seeded):
    file = csv_file(
        [
            ["2026-G4", "A", "mentor-a", "sensor,quality", "센서 지도", "불량률 감소", "2", "공개"],
            ["2017-J", "J", "mentor-j", "injection-mold", "금형 설계 지도(개정)", "원가 절감", "1", "공개"],
        ]
    )
    preview = upload(editor, file)
    assert preview.context["confirm_form"] is not None
    # The preview says what will be created and what will change.
    assert [row.import_type for row in preview.context["result"].rows] == ["new", "update"]
    assert "2026-G4" in unescape(preview.content.decode())
    assert not Case.objects.filter(code="2026-G4").exists()  # nothing written before confirming

    response = confirm(editor, preview)
    assert response.status_code == 302
    new = Case.objects.get(code="2026-G4")
    assert sorted(new.guidance_areas.values_list("code", flat=True)) == ["quality", "sensor"]
    assert new.status == "published"
    assert new.history.first().history_change_reason == "파일 가져오기"
    assert new.history.first().history_user.username == "editor"
    j = Case.objects.get(code="2017-J")
    assert j.guidance == "금형 설계 지도(개정)"
    assert j.history.first().history_type == "~"
    assert j.version == 2


def test_xlsx_import(editor, seeded):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    sheet.append(["2026-X1", "B", "", "fluoropolymer-coating", "도료 지도", "매출 증가", "2", "작성 중"])
    buffer = io.BytesIO()
    book.save(buffer)
    file = SimpleUploadedFile("cases.xlsx", buffer.getvalue())
    preview = upload(editor, file, file_format="1")
    assert preview.context["confirm_form"] is not None, preview.content.decode()[:3000]
    confirm(editor, preview)
    assert Case.objects.get(code="2026-X1").firm.code == "B"


def test_import_template_has_the_korean_headers(editor, seeded):
    response = editor.get(reverse("admin:cases_case_import_template", args=["csv"]))
    assert response.content.startswith(b"\xef\xbb\xbf")
    header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header[:4] == ["사례 코드", "기업 코드", "퇴직기술자 코드", "지도 분야 코드"]
    xlsx = editor.get(reverse("admin:cases_case_import_template", args=["xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.cell(1, 1).value == "사례 코드"


# Export --------------------------------------------------------------------------------------------


def export_selected(client, codes, file_format):
    ids = list(Case.objects.filter(code__in=codes).values_list("pk", flat=True))
    data = {"action": "export_admin_action", "_selected_action": ids, "format": file_format, "resource": "0"}
    response = client.post(CHANGELIST, data)
    if response.status_code == 200 and "form" in (response.context or {}):
        # The export form asks which fields to include: take them all.
        form = response.context["form"]
        data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
        data.update({"format": file_format, "resource": "0", "export_items": ids})
        for name in form.fields:
            if name.startswith("caseresource_"):
                data[name] = "on"
        response = client.post(reverse("admin:cases_case_export"), data)
    return response


def test_selected_cases_export_to_csv_with_bom_and_korean_intact(editor, seeded):
    response = export_selected(editor, ["2017-J", "2017-A"], "0")
    assert response.status_code == 200, response.content[:500]
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert sorted(row["사례 코드"] for row in rows) == ["2017-A", "2017-J"]
    j = next(row for row in rows if row["사례 코드"] == "2017-J")
    assert j["지도내용"] == Case.objects.get(code="2017-J").guidance
    assert j["상태"] == "공개"


def test_selected_cases_export_to_xlsx(editor, seeded):
    response = export_selected(editor, ["2017-F"], "1")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "사례 코드"
    assert rows[1][0] == "2017-F"
    assert "애자" in " ".join(str(value) for value in rows[1] if value)


def test_firm_factory_is_unaffected(db):
    # Guards the duplicate check against false positives: distinct names and codes save fine.
    assert make_firm(code="Q1", name="큐원기업").pk


def test_history_page_is_in_korean(editor, seeded):
    case = Case.objects.get(code="2017-J")
    html = editor.get(reverse("admin:cases_case_history", args=[case.pk])).content.decode()
    for label in ("변경 이력", "변경한 사람", "변경 사유", "바뀐 내용", "초기 데이터 입력"):
        assert label in html, label
