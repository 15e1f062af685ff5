"""Staff work through applications in the admin: the waiting queue, read-only submissions, accept and decline."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from applications import consent, services
from applications.models import Application
from cases.models import Case, Firm, StageChange
from privacy.models import PersonalDataAccess
from tests.factories import make_area, make_firm, make_industry
from tests.test_applications import registration_number

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:applications_application_changelist")


def change_url(application):
    return reverse("admin:applications_application_change", args=[application.pk])


def make_application(*, days_ago=0, areas=(), **fields):
    """An application as the form stores it (normalised registration number, consent recorded)."""
    now = timezone.now()
    defaults = {
        "company_name": "주식회사 신청기업",
        "registration_number": registration_number().replace("-", ""),
        "region": "gyeongnam",
        "products": "선박용 밸브",
        "employees": 80,
        "contact_name": "김담당",
        "contact_email": "kim@example.invalid",
        "contact_phone": "055-123-4567",
        "bottleneck": "주조 밸브 바디의 기공 불량",
        "consent_version": consent.CONSENT_VERSION,
        "consented_at": now,
        "submitted_at": now - timedelta(days=days_ago),
    }
    if "industry" not in fields:
        fields["industry"] = make_industry()
    application = Application.objects.create(**{**defaults, **fields})
    application.wished_areas.set(areas)
    return application


def member_of(group_name, username, **fields):
    user = User.objects.create_user(username, is_staff=True, **fields)
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def editor_user(db):
    return member_of("편집자", "editor")


@pytest.fixture
def editor(client, editor_user):
    client.force_login(editor_user)
    return client


def run_action(client, action, applications, **extra):
    data = {"action": action, "_selected_action": [a.pk for a in applications], **extra}
    return client.post(CHANGELIST, data, follow=True)


# Who sees applications ---------------------------------------------------------------------------------


def test_viewers_cannot_see_applications_at_all(client):
    application = make_application()
    client.force_login(member_of("열람자", "viewer"))
    assert client.get(CHANGELIST).status_code == 403
    assert client.get(change_url(application)).status_code == 403
    assert "기술지도 신청" not in client.get(reverse("admin:index")).content.decode()


def test_waiting_applications_come_first_oldest_first_with_days_waited(editor, editor_user):
    recent = make_application(days_ago=1, company_name="최근신청기업")
    old = make_application(days_ago=9, company_name="오래된신청기업")
    decided = make_application(days_ago=30, company_name="처리된신청기업")
    services.decline_application(decided, by=editor_user, reason="대상 업종 아님")

    response = editor.get(CHANGELIST)
    html = response.content.decode()
    assert response.status_code == 200
    rows = list(response.context["cl"].result_list)
    assert rows == [old, recent, decided]
    assert "9일" in html and "1일" in html
    assert "오래된신청기업" in html  # editors see the company name
    assert "기다린 날수" in html


def test_filter_by_state(editor, editor_user):
    waiting = make_application()
    declined = make_application()
    services.decline_application(declined, by=editor_user, reason="중복 신청")
    rows = editor.get(CHANGELIST, {"state__exact": "new"}).context["cl"].result_list
    assert list(rows) == [waiting]
    rows = editor.get(CHANGELIST, {"state__exact": "declined"}).context["cl"].result_list
    assert list(rows) == [declined]


def test_search_by_reference_however_written_and_by_company_name(editor):
    wanted = make_application(company_name="찾는상호")
    make_application(company_name="다른상호")
    written = wanted.reference.lower().replace("-", " ")
    assert list(editor.get(CHANGELIST, {"q": written}).context["cl"].result_list) == [wanted]
    assert list(editor.get(CHANGELIST, {"q": "찾는상호"}).context["cl"].result_list) == [wanted]


def test_staff_without_the_personal_data_permission_see_references_only(client):
    application = make_application(company_name="숨길상호")
    user = User.objects.create_user("clerk", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_application"))
    client.force_login(user)
    response = client.get(CHANGELIST)
    html = response.content.decode()
    assert response.status_code == 200
    assert application.reference in html and "숨길상호" not in html
    assert list(client.get(CHANGELIST, {"q": "숨길상호"}).context["cl"].result_list) == []
    page = client.get(change_url(application)).content.decode()
    assert "숨길상호" not in page and "kim@example.invalid" not in page


def test_an_application_opens_read_only_and_the_opening_is_logged(editor, editor_user):
    application = make_application(areas=[make_area(name="금형 설계")])
    response = editor.get(change_url(application))
    html = response.content.decode()
    assert response.status_code == 200
    for text in (
        "주식회사 신청기업",
        "kim@example.invalid",
        "주조 밸브 바디의 기공 불량",
        "금형 설계",
        application.reference,
    ):
        assert text in html, text
    assert 'name="company_name"' not in html and 'name="_save"' not in html
    assert PersonalDataAccess.objects.filter(
        user=editor_user, model="applications.application", object_id=str(application.pk)
    ).exists()

    editor.post(change_url(application), {"company_name": "바꾼 상호", "state": "accepted"})
    application.refresh_from_db()
    assert application.company_name == "주식회사 신청기업" and application.state == Application.State.NEW


def test_applications_are_not_added_or_deleted_in_the_admin(editor):
    application = make_application()
    assert editor.get(reverse("admin:applications_application_add")).status_code == 403
    assert editor.post(reverse("admin:applications_application_delete", args=[application.pk])).status_code == 403


# Accepting ---------------------------------------------------------------------------------------------


def test_accepting_creates_the_firm_and_a_case_in_matching(editor, editor_user):
    areas = [make_area(), make_area()]
    application = make_application(areas=areas)
    response = run_action(editor, "accept_applications", [application])
    assert "1건을 수락해 매칭 중인 사례를 만들었습니다" in response.content.decode()

    application.refresh_from_db()
    assert application.state == Application.State.ACCEPTED
    assert application.decided_by == editor_user and application.decided_at is not None
    firm = application.firm
    assert firm.legal_name == "주식회사 신청기업"
    assert firm.registration_number == application.registration_number
    assert (firm.region, firm.employees, firm.industry) == ("gyeongnam", 80, application.industry)
    assert (firm.contact_name, firm.contact_email, firm.contact_phone) == (
        "김담당",
        "kim@example.invalid",
        "055-123-4567",
    )
    # The firm's own words stay private: public products and profile are for staff to write, anonymously.
    assert firm.products == "" and firm.profile == ""
    assert firm.name == f"{firm.code}기업"

    case = application.case
    assert case.firm == firm
    assert case.code == f"{timezone.localdate().year}-{firm.code}"
    assert case.status == Case.Status.DRAFT and case.stage == Case.Stage.MATCHING
    assert case.request_text == "주조 밸브 바디의 기공 불량"
    assert set(case.guidance_areas.all()) == set(areas)
    change = StageChange.objects.get(case=case)
    assert (change.source, change.target, change.by) == ("received", "matching", editor_user)
    assert change.note == f"신청 {application.reference} 수락"


def test_new_firms_get_the_next_free_letter_after_the_study(editor, seeded):
    application = make_application()
    run_action(editor, "accept_applications", [application])
    application.refresh_from_db()
    assert (application.firm.code, application.firm.name) == ("M", "M기업")


def test_the_same_registration_number_is_the_same_firm(editor):
    first = make_application()
    second = make_application(company_name="같은 회사 (상호 변경)")
    run_action(editor, "accept_applications", [first])
    run_action(editor, "accept_applications", [second])
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.firm == first.firm
    assert Firm.objects.filter(registration_number=first.registration_number).count() == 1
    assert second.case != first.case
    assert second.case.code == f"{first.case.code}-2"
    assert first.firm.legal_name == "주식회사 신청기업"  # the firm's record is not rewritten


def test_an_application_links_to_a_firm_staff_already_have(editor):
    number = registration_number("220811234").replace("-", "")
    firm = make_firm(registration_number=number, legal_name="기존 상호", products="공개용 제품 설명")
    application = make_application(registration_number=number)
    run_action(editor, "accept_applications", [application])
    application.refresh_from_db()
    firm.refresh_from_db()
    assert application.firm == firm
    assert (firm.legal_name, firm.products) == ("기존 상호", "공개용 제품 설명")


def test_accepting_needs_the_stage_permission(client):
    application = make_application()
    user = User.objects.create_user("clerk", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_application", "change_application", "view_personal_data"])
    )
    client.force_login(user)
    response = run_action(client, "accept_applications", [application])
    assert "사례의 진행 단계를 바꿀 권한이 필요합니다" in response.content.decode()
    application.refresh_from_db()
    assert application.state == Application.State.NEW and application.case is None
    assert not Case.objects.exists() and not Firm.objects.exists()
    with pytest.raises(PermissionDenied):
        services.accept_application(application, by=user)


def test_decided_applications_are_skipped(editor, editor_user):
    waiting = make_application()
    declined = make_application()
    services.decline_application(declined, by=editor_user, reason="중복")
    html = run_action(editor, "accept_applications", [waiting, declined]).content.decode()
    assert "1건을 수락해" in html and "이미 처리된 신청 1건은 건너뛰었습니다" in html
    declined.refresh_from_db()
    assert declined.state == Application.State.DECLINED and declined.case is None
    with pytest.raises(ValidationError):
        services.accept_application(waiting, by=editor_user)
    assert Case.objects.count() == 1


# Declining ---------------------------------------------------------------------------------------------


def test_declining_asks_for_a_reason_first(editor, editor_user):
    application = make_application()
    page = run_action(editor, "decline_applications", [application])
    html = page.content.decode()
    assert page.status_code == 200 and "반려 사유" in html and application.reference in html
    assert "다음 신청을 반려합니다." in html
    assert '<input type="hidden" name="action" value="decline_applications">' in html
    assert f'<input type="hidden" name="_selected_action" value="{application.pk}">' in html
    application.refresh_from_db()
    assert application.state == Application.State.NEW

    empty = run_action(editor, "decline_applications", [application], post="yes", reason="   ")
    assert "반려 사유를 적어 주세요" in empty.content.decode()
    application.refresh_from_db()
    assert application.state == Application.State.NEW

    done = run_action(editor, "decline_applications", [application], post="yes", reason="지원 대상 업종이 아닙니다")
    assert "1건을 반려했습니다" in done.content.decode()
    application.refresh_from_db()
    assert application.state == Application.State.DECLINED
    assert application.decline_reason == "지원 대상 업종이 아닙니다"
    assert application.decided_by == editor_user and application.decided_at is not None
    assert application.case is None and application.firm is None


def test_declining_only_decided_applications_just_says_so(editor, editor_user):
    accepted = make_application()
    services.accept_application(accepted, by=editor_user)
    html = run_action(editor, "decline_applications", [accepted]).content.decode()
    assert "이미 처리된 신청 1건은 건너뛰었습니다" in html and 'name="reason"' not in html


def test_the_decline_service_requires_a_reason_and_a_waiting_application(editor_user):
    application = make_application()
    with pytest.raises(ValidationError):
        services.decline_application(application, by=editor_user, reason="")
    services.decline_application(application, by=editor_user, reason="중복")
    with pytest.raises(ValidationError):
        services.decline_application(application, by=editor_user, reason="또")


def test_an_application_from_the_form_goes_all_the_way_to_matching(client, editor_user):
    """The form's output is what the accept action takes: the public form, then staff accept."""
    from tests.test_applications import submission

    vocabulary = {"industry": make_industry(), "areas": [make_area(), make_area()]}
    assert client.post(reverse("applications:apply"), submission(vocabulary)).status_code == 302
    case = services.accept_application(Application.objects.get(), by=editor_user)
    assert case.stage == Case.Stage.MATCHING
    assert set(case.guidance_areas.all()) == set(vocabulary["areas"][:2])
    assert case.firm.products == ""
