"""The engineer registry and firms in the staff admin (issue 10, part 4): lists, filters, search, forms, files."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Case, Firm, Industry, Mentor
from tests.factories import make_area, make_case, make_case_at, make_firm, make_industry, make_mentor, make_staff_user
from tests.roles import member_of

pytestmark = pytest.mark.django_db

MENTORS = reverse("admin:cases_mentor_changelist")
FIRMS = reverse("admin:cases_firm_changelist")


def rows(response):
    """The change list's objects, by code."""
    return {obj.code: obj for obj in response.context["cl"].result_list}


@pytest.fixture
def registry(db):
    by = make_staff_user()
    weld, mold = make_area(name="용접"), make_area(name="금형")
    metal = make_industry(name="금속")
    busy = make_mentor(
        code="m-busy", name="바쁜 퇴직기술자", specialty="정밀 용접", real_name="佐藤 一郎", email="sato@mentor.example"
    )
    busy.guidance_areas.set([weld])
    busy.industries.set([metal])
    for _n in range(2):
        make_case_at(Case.Stage.IN_GUIDANCE, mentor=busy, by=by)
    make_case(mentor=busy)  # a finished case: counted, but not load
    idle = make_mentor(code="m-idle", name="쉬는 퇴직기술자", specialty="사출 금형", status=Mentor.Status.PAUSED)
    idle.guidance_areas.set([mold])
    return {"busy": busy, "idle": idle, "weld": weld, "mold": mold, "metal": metal}


def test_mentor_list_shows_status_capacity_load_and_cases(editor, registry):
    response = editor.get(MENTORS)
    assert response.status_code == 200
    listed = rows(response)
    assert (listed["m-busy"].load, listed["m-busy"].case_count) == (2, 3)
    assert (listed["m-idle"].load, listed["m-idle"].case_count) == (0, 0)
    html = response.content.decode()
    for header in ("공개 표기", "활동 상태", "동시 지도 가능 사례 수", "현재 담당 (지도 중)", "사례 수"):
        assert header in html, header
    assert "일시 중지" in html


def test_mentor_list_costs_the_same_at_any_size(editor, registry):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert editor.get(MENTORS).status_code == 200
        return len(captured)

    small = queries()
    for n in range(30):
        mentor = make_mentor(code=f"m-extra-{n:02d}")
        mentor.guidance_areas.set([registry["weld"]])
        make_case(mentor=mentor)
    assert queries() == small <= 10


@pytest.mark.parametrize(
    ("parameters", "expected"),
    [
        ({"status__exact": "paused"}, {"m-idle"}),
        ({"status__exact": "active"}, {"m-busy"}),
        ({"guidance_areas__id__exact": "weld"}, {"m-busy"}),
        ({"guidance_areas__id__exact": "mold"}, {"m-idle"}),
        ({"industries__id__exact": "metal"}, {"m-busy"}),
    ],
)
def test_mentor_list_filters(editor, registry, parameters, expected):
    query = {name: registry[value].pk if value in registry else value for name, value in parameters.items()}
    response = editor.get(MENTORS, query)
    assert response.status_code == 200
    assert set(rows(response)) == expected
    if "guidance_areas__id__exact" in query:  # the counts are still right when filtered on a relation
        assert all(mentor.case_count == (3 if mentor.code == "m-busy" else 0) for mentor in rows(response).values())


def test_mentor_search_by_code_name_and_specialty(viewer, registry):
    for term, expected in (("m-idle", {"m-idle"}), ("바쁜", {"m-busy"}), ("용접", {"m-busy"}), ("금형", {"m-idle"})):
        assert set(rows(viewer.get(MENTORS, {"q": term}))) == expected, term


def test_only_staff_who_may_see_personal_data_search_by_it(client, registry):
    client.force_login(member_of("열람자", "viewer"))
    assert set(rows(client.get(MENTORS, {"q": "佐藤"}))) == set()
    assert set(rows(client.get(MENTORS, {"q": "sato@mentor"}))) == set()
    client.force_login(member_of("편집자", "editor"))
    assert set(rows(client.get(MENTORS, {"q": "佐藤"}))) == {"m-busy"}
    assert set(rows(client.get(MENTORS, {"q": "sato@mentor"}))) == {"m-busy"}


def test_mentor_form_groups_public_private_and_registry_fields(client, registry):
    url = reverse("admin:cases_mentor_change", args=[registry["busy"].pk])
    labels = (
        "이전 소속",
        "전문 분야",
        "경력 연수",
        "일본어",
        "한국어",
        "영어",
        "지도 가능 분야",
        "경험 업종",
        "활동 상태",
    )
    client.force_login(member_of("편집자", "editor"))
    html = client.get(url).content.decode()
    for label in ("개인정보 (비공개)", "실명 (비공개)", "퇴직기술자 명부", "佐藤 一郎", *labels):
        assert label in html, label
    assert 'id="id_guidance_areas"' in html and "selectfilter" in html  # filter_horizontal
    client.force_login(member_of("열람자", "viewer"))
    html = client.get(url).content.decode()
    for label in ("퇴직기술자 명부", *labels):
        assert label in html, label
    for hidden in ("개인정보 (비공개)", "실명 (비공개)", "佐藤", "sato@mentor.example", "개인정보 파기일시"):
        assert hidden not in html, hidden


def test_editor_adds_an_engineer_with_the_registry(editor, registry):
    data = {
        "code": "m-new",
        "name": "새 퇴직기술자",
        "background": "",
        "years_of_experience": "35",
        "real_name": "鈴木 花子",
        "email": "suzuki@mentor.example",
        "phone": "+81-90-0000-0000",
        "former_employer": "일본 금형 회사",
        "specialty": "프레스 금형",
        "speaks_japanese": "on",
        "speaks_korean": "on",
        "guidance_areas": [registry["weld"].pk, registry["mold"].pk],
        "industries": [registry["metal"].pk],
        "status": "active",
        "capacity": "3",
    }
    response = editor.post(reverse("admin:cases_mentor_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    mentor = Mentor.objects.get(code="m-new")
    assert (mentor.real_name, mentor.specialty, mentor.capacity, mentor.languages_display) == (
        "鈴木 花子",
        "프레스 금형",
        3,
        "일본어, 한국어",
    )
    assert set(mentor.guidance_areas.all()) == {registry["weld"], registry["mold"]}
    assert list(mentor.industries.all()) == [registry["metal"]]


def test_registry_export_has_the_registry_columns_and_no_private_ones(editor, registry):
    url = reverse("admin:cases_mentor_export")
    form = editor.get(url).context["form"]
    data = {"format": "0", "resource": "0"}
    data.update({name: "on" for name in form.fields if name.startswith("mentorresource_")})
    response = editor.post(url, data)
    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")
    exported = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    busy = next(row for row in exported if row["코드"] == "m-busy")
    assert busy["전문 분야"] == "정밀 용접" and busy["활동 상태"] == "활동 중"
    assert "佐藤" not in response.content.decode("utf-8-sig")
    assert "sato@mentor.example" not in response.content.decode("utf-8-sig")


def test_registry_import_is_for_editors(client, registry):
    url = reverse("admin:cases_mentor_import")
    client.force_login(member_of("열람자", "viewer"))
    assert client.get(url).status_code == 403
    client.force_login(member_of("편집자", "editor"))
    assert client.get(url).status_code == 200


# Firms -------------------------------------------------------------------------------------------------------


@pytest.fixture
def firm(db):
    return make_firm(
        code="R",
        name="R기업",
        region="gyeonggi",
        registration_number="1018120364",
        legal_name="주식회사 알",
        contact_email="r@firm.example",
    )


def test_firm_list_shows_the_registration_number_formatted_only_to_those_allowed(client, firm):
    client.force_login(member_of("편집자", "editor"))
    html = client.get(FIRMS).content.decode()
    assert "101-81-20364" in html and "사업자등록번호" in html and "경기도" in html
    client.force_login(member_of("열람자", "viewer"))
    html = client.get(FIRMS).content.decode()
    assert "R기업" in html and "경기도" in html
    assert "101-81-20364" not in html and "1018120364" not in html and "사업자등록번호" not in html


def test_editors_find_a_firm_by_its_registration_number_as_printed(client, firm):
    client.force_login(member_of("편집자", "editor"))
    for term in ("101-81-20364", "1018120364", "주식회사 알"):
        assert set(rows(client.get(FIRMS, {"q": term}))) == {"R"}, term
    client.force_login(member_of("열람자", "viewer"))
    for term in ("101-81-20364", "1018120364", "주식회사 알", "r@firm.example"):
        assert set(rows(client.get(FIRMS, {"q": term}))) == set(), term


def test_firm_list_filters_by_industry_and_region(client, firm):
    client.force_login(member_of("열람자", "viewer"))
    other = make_firm(code="S", name="S기업", region="busan")
    assert set(rows(client.get(FIRMS, {"region__exact": "gyeonggi"}))) == {"R"}
    assert set(rows(client.get(FIRMS, {"industry__id__exact": other.industry_id}))) == {"S"}


def test_firm_form_shows_the_private_section_to_editors_only(client, firm):
    url = reverse("admin:cases_firm_change", args=[firm.pk])
    client.force_login(member_of("편집자", "editor"))
    html = client.get(url).content.decode()
    assert "개인정보 (비공개)" in html and "주식회사 알" in html and "개인정보 파기일시" in html
    client.force_login(member_of("열람자", "viewer"))
    html = client.get(url).content.decode()
    assert "R기업" in html and "경기도" in html
    for hidden in ("개인정보 (비공개)", "주식회사 알", "1018120364", "r@firm.example", "담당자", "상호"):
        assert hidden not in html, hidden


def test_firm_list_costs_the_same_at_any_size(client, firm):
    client.force_login(member_of("편집자", "editor"))

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(FIRMS).status_code == 200
        return len(captured)

    small = queries()
    industry = Industry.objects.first()
    for n in range(30):
        make_firm(code=f"X{n:02d}", name=f"X{n:02d}기업", industry=industry)
    assert queries() == small <= 10
    assert Firm.objects.count() == 31
