"""Private data stays private (issue 10, part 3).

A unique string is planted in every private field of the inventory (privacy.inventory.PRIVATE_FIELDS) and in every
text field of an application, for a seeded published case (firm J, its engineer) and a new one; then every public
page, the API, both exports and the feed are read whole, and the staff admin is read as a viewer (열람자): none of
the strings may appear. Editors (편집자) see them, and each opening is logged.
"""

import datetime
import io
from dataclasses import dataclass, field
from uuid import uuid4

import openpyxl
import pytest
from django.contrib.auth.models import Group, User
from django.db import models
from django.urls import reverse
from django.utils import timezone

from applications.models import Application
from cases.exports import XLSX_CONTENT_TYPE
from cases.models import (
    Case,
    Firm,
    FollowUp,
    Mentor,
    Visit,
    format_registration_number,
    registration_number_is_valid,
)
from privacy.inventory import PRIVATE_FIELDS, private_fields
from privacy.models import PersonalDataAccess
from tests.factories import make_case, make_firm, make_mentor

pytestmark = pytest.mark.django_db


@dataclass
class Planted:
    """value -> where it was planted ('cases.firm.legal_name of J기업'), and the records holding them."""

    where: dict = field(default_factory=dict)
    cases: list = field(default_factory=list)
    firms: list = field(default_factory=list)
    mentors: list = field(default_factory=list)
    applications: list = field(default_factory=list)
    followups: list = field(default_factory=list)

    def plant(self, obj, model_field, owner):
        value = planted_value(model_field, len(self.where))
        setattr(obj, model_field.name, value)
        self.where[value] = f"{obj._meta.label_lower}.{model_field.name} of {owner}"
        if model_field.name == "registration_number":
            self.where[format_registration_number(value)] = f"{self.where[value]} (formatted)"

    def leaks(self, text, ignore=()):
        """Where each planted value found in `text` came from (empty: nothing leaked)."""
        lowered = text.lower()
        return sorted(where for value, where in self.where.items() if value not in ignore and value in lowered)


def planted_value(model_field, serial):
    """A value nobody could write by chance, fitting the field (lower case, as the search text is)."""
    if model_field.name == "registration_number":  # ten digits with a valid check digit, as the form demands
        first_nine = f"{uuid4().int % 10**9:09d}"
        return next(first_nine + d for d in "0123456789" if registration_number_is_valid(first_nine + d))
    unique = f"pv{serial:02d}{uuid4().hex}"
    if isinstance(model_field, models.EmailField):
        return f"{unique[:40]}@private.example"
    return unique[: min(model_field.max_length or 40, 40)]


def text_fields(model):
    """Every free-text field of `model` (choices are codes, not text anyone typed)."""
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField) and not f.choices and not f.is_relation
    ]


def plant_firm(planted, firm):
    for name in private_fields(Firm):
        planted.plant(firm, Firm._meta.get_field(name), firm.name)
    firm.save()  # a normal save: history, signals and the search text all see the values
    planted.firms.append(firm)


def plant_mentor(planted, mentor):
    for name in private_fields(Mentor):
        planted.plant(mentor, Mentor._meta.get_field(name), mentor.name)
    mentor.save()
    planted.mentors.append(mentor)


def plant_case(planted, case):
    for name in private_fields(Case):
        planted.plant(case, Case._meta.get_field(name), case.code)
    case.save()
    planted.cases.append(case)


def plant_followup(planted, case):
    """An answered follow-up whose comment (private) holds a planted value."""
    followup = FollowUp.objects.schedule_for(case)[0]
    for name in private_fields(FollowUp):
        planted.plant(followup, FollowUp._meta.get_field(name), case.code)
    followup.record_answer(satisfaction=5, recommend=9, attribution=60, comment=followup.comment)
    planted.followups.append(followup)


def plant_application(planted, case):
    application = Application(
        region="seoul",
        industry=case.firm.industry,
        employees=12,
        consented_at=timezone.now(),
        state=Application.State.ACCEPTED,
        decided_at=timezone.now(),
        firm=case.firm,
        case=case,
    )
    for model_field in text_fields(Application):
        planted.plant(application, model_field, f"the application of {case.firm.name}")
    application.save()
    planted.applications.append(application)


@pytest.fixture
def planted(seeded):
    """Planted values in every private field of a seeded published case (J) and of a new published case."""
    assert set(PRIVATE_FIELDS) == {
        "cases.firm",
        "cases.mentor",
        "cases.case",
        "cases.followup",
        "applications.application",
    }, "the inventory changed: plant values in the new private fields here too"
    planted = Planted()
    study_case = Case.objects.select_related("firm", "mentor").get(firm__code="J")
    new_case = make_case(firm=make_firm(products="정밀 가공 부품"), mentor=make_mentor(background="가공 30년"))
    for case in (study_case, new_case):
        assert case.status == Case.Status.PUBLISHED and case.stage == Case.Stage.COMPLETED
        plant_firm(planted, case.firm)
        plant_mentor(planted, case.mentor)
        plant_case(planted, Case.objects.get(pk=case.pk))
        plant_application(planted, case)
    plant_followup(planted, new_case)
    # Every private field of every kind holds a planted value.
    for model in (Firm, Mentor, Case, FollowUp):
        for name in private_fields(model):
            assert any(f".{name} of" in where for where in planted.where.values()), (model, name)
    return planted


def read(response):
    """The whole body as text: streamed or not; an XLSX workbook cell by cell."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Type", "").startswith(XLSX_CONTENT_TYPE):
        workbook = openpyxl.load_workbook(io.BytesIO(content))
        cells = [
            str(value)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        ]
        assert cells, "the workbook is empty"
        return "\n".join(cells)
    return content.decode("utf-8-sig")


def public_urls(planted):
    industry = planted.firms[0].industry.code
    urls = [
        "/",
        "/cases/",
        f"/cases/?industry={industry}",
        "/stats/",
        f"/stats/?industry={industry}",
        "/api/cases/",
        "/cases/export.csv",
        "/cases/export.xlsx",
        "/cases/feed.atom",
    ]
    for case in planted.cases:
        urls += [case.get_absolute_url(), f"/api/cases/{case.pk}/"]
        for word in case.firm.products.split():  # the public words find the case: its page holds nothing private
            urls += [f"/cases/?q={word}", f"/api/cases/?q={word}", f"/cases/export.csv?q={word}"]
    return urls


# Public pages ------------------------------------------------------------------------------------------------


def test_no_private_value_on_any_public_page(client, planted):
    leaks = []
    for url in public_urls(planted):
        response = client.get(url)
        assert response.status_code == 200, url
        leaks += [f"{where} leaked on {url}" for where in planted.leaks(read(response))]
    response = client.get("/apply/")  # being built at the same time: a form, and nothing private on it
    assert response.status_code in (200, 404)
    leaks += [f"{where} leaked on /apply/" for where in planted.leaks(read(response))]
    assert not leaks, "\n".join(leaks)


def test_no_visit_report_reaches_a_public_page(client, planted):
    """The API carries each case's confirmed visit totals, and nothing any visit says: not a confirmed visit's
    summary, and no sign of a report awaiting review or returned to the engineer."""
    reports = Planted()
    for case in planted.cases:
        for n, state in enumerate(Visit.ReportState, start=1):
            day = datetime.date(2031, 3, n)
            visit = Visit(case=case, started_on=day, ended_on=day, hours=3, report_state=state)
            for name in ("summary", "action_items", "returned_reason"):
                reports.plant(visit, Visit._meta.get_field(name), f"a {state} visit of {case.code}")
            visit.save()
    leaks = []
    for url in public_urls(planted):
        response = client.get(url)
        assert response.status_code == 200, url
        leaks += [f"{where} leaked on {url}" for where in reports.leaks(read(response))]
    assert not leaks, "\n".join(leaks)
    for case in planted.cases:
        assert client.get(f"/api/cases/{case.pk}/").json()["visits"] == {"count": 1, "days": 1, "hours": "3.0"}


def test_every_published_case_page_and_api_result_was_read(client, planted):
    """The pages above really show the planted cases (so reading them proved something)."""
    listing = client.get("/api/cases/", {"page_size": 100}).json()
    urls = {result["url"] for result in listing["results"]}
    for case in planted.cases:
        assert any(url.endswith(case.get_absolute_url()) for url in urls), case.code
        word = case.firm.products.split()[0]
        found = client.get("/api/cases/", {"q": word}).json()
        assert any(result["code"] == case.code for result in found["results"]), (case.code, word)
        assert case.firm.name in read(client.get(case.get_absolute_url()))


def test_search_text_holds_no_private_value(planted):
    for case in Case.objects.filter(pk__in=[case.pk for case in planted.cases]):
        assert case.search_text, case.code
        assert not planted.leaks(case.search_text), case.code


def test_searching_for_a_private_value_finds_nothing(client, planted):
    case_urls = [case.get_absolute_url() for case in planted.cases]
    failures = []
    for value, where in planted.where.items():
        api = client.get("/api/cases/", {"q": value})
        assert api.status_code == 200, where
        if api.json()["count"]:
            failures.append(f"the API search for {where} found {api.json()['count']} case(s)")
        page = read(client.get("/cases/", {"q": value}))
        # The page repeats the query in its search box: only the other values must be absent.
        failures += [f"{leak} leaked on the listing searched for {where}" for leak in planted.leaks(page, {value})]
        if any(url in page for url in case_urls):
            failures.append(f"the listing search for {where} lists a planted case")
    assert not failures, "\n".join(failures)


# The staff admin ---------------------------------------------------------------------------------------------


def member_of(group_name):
    user = User.objects.create_user(f"{group_name}-{uuid4().hex[:6]}", password="a-long-staff-password", is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    return user


def admin_pages(planted):
    """Every admin page of the planted firms and engineers: lists, change pages, history, each past version."""
    urls = [
        reverse("admin:index"),
        reverse("admin:cases_firm_changelist"),
        reverse("admin:cases_mentor_changelist"),
        reverse("admin:cases_case_changelist"),
        reverse("admin:cases_mentor_export"),
        reverse("admin:cases_followup_changelist"),
    ]
    for followup in planted.followups:
        urls += [
            reverse("admin:cases_followup_change", args=[followup.pk]),
            reverse("admin:cases_followup_history", args=[followup.pk]),
        ]
    for model, objects in ((Firm, planted.firms), (Mentor, planted.mentors)):
        name = model._meta.model_name
        for obj in objects:
            urls += [
                reverse(f"admin:cases_{name}_change", args=[obj.pk]),
                reverse(f"admin:cases_{name}_history", args=[obj.pk]),
            ]
            for version in obj.history.all():
                urls.append(reverse(f"admin:cases_{name}_simple_history", args=[obj.pk, version.history_id]))
    for case in planted.cases:
        urls.append(reverse("admin:cases_case_change", args=[case.pk]))
    return urls


def exported_mentors(client, file_format):
    """The engineer registry as the admin's export gives it (all columns)."""
    url = reverse("admin:cases_mentor_export")
    form = client.get(url).context["form"]
    data = {"format": file_format, "resource": "0"}
    data.update({name: "on" for name in form.fields if name.startswith("mentorresource_")})
    response = client.post(url, data)
    assert response.status_code == 200
    return read(response)


def test_viewer_sees_no_private_value_anywhere_in_the_admin(client, planted):
    client.force_login(member_of("열람자"))
    leaks = []
    for url in admin_pages(planted):
        response = client.get(url)
        assert response.status_code == 200, url
        leaks += [f"{where} leaked on {url}" for where in planted.leaks(read(response))]
    for file_format in ("0", "1"):  # CSV, XLSX
        leaks += [f"{where} leaked in the export" for where in planted.leaks(exported_mentors(client, file_format))]
    assert not leaks, "\n".join(leaks)
    assert not PersonalDataAccess.objects.exists()  # viewers open nothing personal, so nothing is logged


def test_viewer_cannot_find_records_by_private_values(client, planted):
    client.force_login(member_of("열람자"))
    failures = []
    for value, where in planted.where.items():
        for model in ("firm", "mentor"):
            response = client.get(reverse(f"admin:cases_{model}_changelist"), {"q": value})
            if response.context["cl"].result_count:
                failures.append(f"the {model} list searched for {where} found something")
            failures += [f"{leak} on the {model} list" for leak in planted.leaks(read(response), {value})]
            autocomplete = client.get(
                reverse("admin:autocomplete"),
                {"app_label": "cases", "model_name": "case", "field_name": model, "term": value},
            )
            assert autocomplete.status_code == 200
            if autocomplete.json()["results"]:
                failures.append(f"the {model} autocomplete for {where} found something")
    assert not failures, "\n".join(failures)


def test_viewer_history_says_that_something_private_changed_but_not_what(client, planted):
    client.force_login(member_of("열람자"))
    firm = planted.firms[0]
    html = read(client.get(reverse("admin:cases_firm_history", args=[firm.pk])))
    assert "비공개 항목" in html
    assert not planted.leaks(html)


def test_viewer_history_of_a_case_hides_its_request_text(client, planted):
    """The case's history page too: `request_text` is in the inventory (its change shows the firm's words).

    Needs `PersonalDataAdminMixin` on `CaseAdmin` (cases/admin/case.py), as on the firm and engineer admins."""
    client.force_login(member_of("열람자"))
    leaks = []
    for case in planted.cases:
        url = reverse("admin:cases_case_history", args=[case.pk])
        leaks += [f"{where} leaked on {url}" for where in planted.leaks(read(client.get(url)))]
    assert not leaks, "\n".join(leaks)


def test_editors_see_a_followup_comment_and_the_opening_is_logged(client, planted):
    editor = member_of("편집자")
    client.force_login(editor)
    followup = planted.followups[0]
    html = read(client.get(reverse("admin:cases_followup_change", args=[followup.pk])))
    assert followup.comment in html
    assert PersonalDataAccess.objects.filter(
        user=editor, model="cases.followup", object_id=str(followup.pk), action=PersonalDataAccess.Action.VIEW
    ).exists()


def test_viewer_cannot_open_applications(client, planted):
    client.force_login(member_of("열람자"))
    application = planted.applications[0]
    for url in (
        reverse("admin:applications_application_changelist"),
        reverse("admin:applications_application_change", args=[application.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        assert not planted.leaks(read(response))


def test_editor_sees_private_values_and_every_opening_is_logged(client, planted):
    editor = member_of("편집자")
    client.force_login(editor)
    before = timezone.now()
    expected = []
    for model, objects in ((Firm, planted.firms), (Mentor, planted.mentors)):
        name = model._meta.model_name
        for obj in objects:
            html = read(client.get(reverse(f"admin:cases_{name}_change", args=[obj.pk])))
            for field_name in private_fields(model):
                assert getattr(obj, field_name) in html, (obj, field_name)
            expected.append((model._meta.label_lower, str(obj.pk)))
            history = read(client.get(reverse(f"admin:cases_{name}_history", args=[obj.pk])))
            assert getattr(obj, private_fields(model)[0]) in history  # the diff shows the values to editors
            expected.append((model._meta.label_lower, str(obj.pk)))
            version = obj.history.first()
            client.get(reverse(f"admin:cases_{name}_simple_history", args=[obj.pk, version.history_id]))
            expected.append((model._meta.label_lower, str(obj.pk)))
    log = list(PersonalDataAccess.objects.order_by("pk"))
    assert [(row.model, row.object_id) for row in log] == expected
    for row in log:
        assert (row.user, row.username, row.action) == (editor, editor.get_username(), PersonalDataAccess.Action.VIEW)
        assert before <= row.at <= timezone.now()
        assert not planted.leaks(row.object_label)  # the log names the record by its public name only


def test_editor_saving_a_firm_is_logged_as_a_change(client, planted):
    editor = member_of("편집자")
    client.force_login(editor)
    firm = planted.firms[1]
    url = reverse("admin:cases_firm_change", args=[firm.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data["contact_phone"] = "010-2222-3333"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    actions = list(PersonalDataAccess.objects.filter(object_id=str(firm.pk)).values_list("action", flat=True))
    assert actions == [PersonalDataAccess.Action.CHANGE, PersonalDataAccess.Action.VIEW]  # newest first


def test_the_access_log_is_for_superusers_only(client, planted):
    client.force_login(member_of("편집자"))
    assert client.get(reverse("admin:privacy_personaldataaccess_changelist")).status_code == 403


def test_adding_a_firm_and_deleting_one_are_logged(client, planted):
    editor = member_of("편집자")
    client.force_login(editor)
    data = {"code": "Q", "name": "Q기업", "products": "제품", "industry": planted.firms[0].industry_id}
    data.update({"contact_name": "새 담당자", "region": "", "employees": ""})
    response = client.post(reverse("admin:cases_firm_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    firm = Firm.objects.get(code="Q")
    added = PersonalDataAccess.objects.get(object_id=str(firm.pk), model="cases.firm")
    assert (added.user, added.action, added.object_label) == (editor, PersonalDataAccess.Action.CHANGE, "Q기업")

    superuser = User.objects.create_superuser("root", password="a-long-staff-password")
    client.force_login(superuser)
    response = client.post(reverse("admin:cases_firm_delete", args=[firm.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Firm.objects.filter(pk=firm.pk).exists()
    erased = PersonalDataAccess.objects.filter(object_id=str(firm.pk), action=PersonalDataAccess.Action.PURGE)
    assert [(row.user, row.object_label) for row in erased] == [(superuser, "Q기업")]
