"""`manage.py purge_personal_data`: erases exactly the personal data whose purpose has ended, nothing else."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from applications.models import Application
from cases.models import Case, Firm, FollowUp, Mentor, Visit
from privacy.inventory import DECLINED_APPLICATION_GRACE_DAYS, PERSONAL_DATA_RETENTION_DAYS
from privacy.models import ACCESS_LOG_RETENTION_DAYS, PersonalDataAccess
from staff.management.commands import purge_personal_data as purge_command
from tests.factories import make_case, make_case_at, make_firm, make_industry, make_mentor, make_staff_user

pytestmark = pytest.mark.django_db

NOW = timezone.now()
LONG_AGO = NOW - timedelta(days=PERSONAL_DATA_RETENTION_DAYS + 30)
RECENTLY = NOW - timedelta(days=30)
FIRM_PRIVATE = ("legal_name", "registration_number", "contact_name", "contact_email", "contact_phone")
MENTOR_PRIVATE = ("real_name", "email", "phone")
APPLICATION_ERASED = (
    "company_name",
    "registration_number",
    "products",
    "contact_name",
    "contact_email",
    "contact_phone",
    "bottleneck",
    "client_fingerprint",
)


def firm_with_contacts(tag, **fields):
    firm = make_firm(
        legal_name=f"주식회사 {tag}",
        registration_number=f"{abs(hash(tag)) % 10**10:010d}",
        contact_name=f"담당 {tag}",
        contact_email=f"{tag}@firm.example",
        contact_phone="010-1111-2222",
        region="seoul",
        employees=40,
        **fields,
    )
    firm.contact_phone = "010-3333-4444"  # a second history row holding personal data
    firm.save()
    return firm


def mentor_with_contacts(tag, **fields):
    mentor = make_mentor(real_name=f"山田 {tag}", email=f"{tag}@mentor.example", phone="+81-90-1234-5678", **fields)
    mentor.specialty = "금형 설계"
    mentor.save()
    return mentor


def application(tag, state, *, decided_at=None, **fields):
    return Application.objects.create(
        company_name=f"신청 회사 {tag}",
        registration_number="1234567891",
        region="busan",
        industry=fields.pop("industry", None) or make_industry(),
        products=f"제품 {tag}",
        employees=25,
        contact_name=f"신청 담당 {tag}",
        contact_email=f"apply-{tag}@example.com",
        contact_phone="010-5555-6666",
        bottleneck=f"애로기술 {tag}",
        consent_version="test",
        consented_at=decided_at or NOW,
        client_fingerprint=f"fingerprint-{tag}",
        state=state,
        decided_at=decided_at,
        decline_reason="지원 대상이 아닙니다." if state == Application.State.DECLINED else "",
        **fields,
    )


def age_firm(firm, when):
    """Make every trace of activity of `firm` (cases, visits, its own history) as old as `when`."""
    Case.objects.filter(firm=firm).update(updated_at=when, stage_changed_at=when)
    Visit.objects.filter(case__firm=firm).update(updated_at=when)
    Firm.history.model.objects.filter(id=firm.pk).update(history_date=when)


def age_mentor(mentor, when):
    Case.objects.filter(mentor=mentor).update(updated_at=when, stage_changed_at=when)
    Visit.objects.filter(mentor=mentor).update(updated_at=when)
    Mentor.history.model.objects.filter(id=mentor.pk).update(history_date=when)


def snapshot():
    """Every row the command may touch, as plain values."""
    models = (Firm, Mentor, Case, Application, Visit, PersonalDataAccess)
    tables = {model._meta.label: list(model.objects.order_by("pk").values()) for model in models}
    for model in (Firm, Mentor, Case, Visit):
        history = model.history.model
        tables[history._meta.label] = list(history.objects.order_by("pk").values())
    return tables


def run(*args, verbosity=1):
    out = StringIO()
    call_command("purge_personal_data", *args, stdout=out, verbosity=verbosity)
    return out.getvalue()


@pytest.fixture
def world(db):
    """One record of every kind the purge must tell apart."""
    by = make_staff_user()
    w = {}
    # (c) a firm inactive for longer than the retention period, with its accepted application and case: erased.
    w["old_firm"] = firm_with_contacts("old")
    w["old_case"] = make_case(firm=w["old_firm"], request_text="오래된 애로기술 원문")
    w["old_case"].request_text = "오래된 애로기술 원문 (고침)"
    w["old_case"].save()
    w["old_accepted"] = application(
        "old-accepted", Application.State.ACCEPTED, decided_at=LONG_AGO, firm=w["old_firm"], case=w["old_case"]
    )
    # (c) not erased: an equally old firm with a case still in guidance …
    w["open_firm"] = firm_with_contacts("open")
    make_case(firm=w["open_firm"])
    w["open_case"] = make_case_at(Case.Stage.IN_GUIDANCE, firm=w["open_firm"], by=by, request_text="진행 중 애로기술")
    # … and a firm whose guidance ended recently (with its accepted application).
    w["recent_firm"] = firm_with_contacts("recent")
    w["recent_case"] = make_case(firm=w["recent_firm"], request_text="최근 애로기술")
    w["recent_accepted"] = application(
        "recent-accepted", Application.State.ACCEPTED, decided_at=RECENTLY, firm=w["recent_firm"], case=w["recent_case"]
    )
    # (d) an engineer who left the program long ago: erased; one who left recently and an active one: kept.
    w["left_mentor"] = mentor_with_contacts("left", status=Mentor.Status.LEFT)
    make_case(firm=w["old_firm"], mentor=w["left_mentor"])
    w["recently_left_mentor"] = mentor_with_contacts("recently-left", status=Mentor.Status.LEFT)
    make_case(mentor=w["recently_left_mentor"])
    w["active_mentor"] = mentor_with_contacts("active", status=Mentor.Status.ACTIVE)
    make_case(mentor=w["active_mentor"])
    for firm in (w["old_firm"], w["open_firm"]):
        age_firm(firm, LONG_AGO)
    for mentor in (w["left_mentor"], w["active_mentor"]):
        age_mentor(mentor, LONG_AGO)
    age_mentor(w["recently_left_mentor"], LONG_AGO)
    Mentor.history.model.objects.filter(id=w["recently_left_mentor"].pk).order_by("-history_date").filter(
        history_id=Mentor.history.model.objects.filter(id=w["recently_left_mentor"].pk).latest().history_id
    ).update(history_date=RECENTLY)  # it left the program (its last change) recently
    # (a) applications: declined past the grace period (erased), declined yesterday and still waiting (kept).
    w["old_declined"] = application(
        "old-declined", Application.State.DECLINED, decided_at=NOW - timedelta(days=DECLINED_APPLICATION_GRACE_DAYS + 1)
    )
    w["fresh_declined"] = application("fresh-declined", Application.State.DECLINED, decided_at=NOW - timedelta(days=1))
    w["waiting"] = application("waiting", Application.State.NEW)
    Application.objects.filter(pk=w["waiting"].pk).update(submitted_at=LONG_AGO)
    # The access log: a row past its retention (deleted) and a recent one (kept).
    access = {"username": "someone", "model": "cases.firm", "object_id": "1", "object_label": "A기업"}
    w["old_access"] = PersonalDataAccess.objects.create(
        **access, at=NOW - timedelta(days=ACCESS_LOG_RETENTION_DAYS + 1)
    )
    w["recent_access"] = PersonalDataAccess.objects.create(**access, at=RECENTLY)
    return w


def personal_values(w):
    """Every personal value planted in `world`, to check that no output prints one."""
    values = set()
    for key in ("old_firm", "open_firm", "recent_firm"):
        values |= {getattr(w[key], name) for name in FIRM_PRIVATE}
    for key in ("left_mentor", "recently_left_mentor", "active_mentor"):
        values |= {getattr(w[key], name) for name in MENTOR_PRIVATE}
    for key in ("old_accepted", "recent_accepted", "old_declined", "fresh_declined", "waiting"):
        values |= {getattr(w[key], name) for name in APPLICATION_ERASED}
    return {value for value in values if value}


def test_dry_run_lists_counts_and_identifiers_and_changes_nothing(world):
    before = snapshot()
    output = run("--dry-run")
    assert snapshot() == before
    assert "시험 실행" in output
    assert world["old_firm"].code in output and world["left_mentor"].code in output
    assert world["old_declined"].reference in output and world["old_accepted"].reference in output
    for kept in ("open_firm", "recent_firm"):
        assert f"{world[kept].code}," not in output and not output.rstrip().endswith(world[kept].code)
    assert world["fresh_declined"].reference not in output and world["waiting"].reference not in output
    leaked = [value for value in personal_values(world) if value in output]
    assert not leaked, f"the dry run printed personal values: {leaked}"


def test_purge_erases_exactly_what_has_ended(world):
    w = world
    before = snapshot()
    output = run()
    assert "5건의 개인정보를 파기하고 접근 기록 1건을 삭제했습니다" in output
    assert not [value for value in personal_values(w) if value in output]

    # (c) the old firm: private fields blank, in the record and in every history row; nothing else changed.
    firm = Firm.objects.get(pk=w["old_firm"].pk)
    assert all(getattr(firm, name) == "" for name in FIRM_PRIVATE)
    assert firm.personal_data_purged_at is not None
    assert (firm.code, firm.name, firm.products, firm.region, firm.employees, firm.industry_id) == (
        w["old_firm"].code,
        w["old_firm"].name,
        w["old_firm"].products,
        "seoul",
        40,
        w["old_firm"].industry_id,
    )
    history = Firm.history.model.objects.filter(id=firm.pk)
    assert history.count() == 2
    assert all(getattr(row, name) == "" for row in history for name in FIRM_PRIVATE)
    assert {row.name for row in history} == {firm.name}
    # … and its cases' request text (the firm's own words), in the case and its history; the cases otherwise stay.
    case = Case.objects.get(pk=w["old_case"].pk)
    assert case.request_text == ""
    assert all(row.request_text == "" for row in Case.history.model.objects.filter(id=case.pk))
    old_case_before = next(row for row in before["cases.Case"] if row["id"] == case.pk)
    old_case_after = Case.objects.filter(pk=case.pk).values().get()
    assert {**old_case_before, "request_text": ""} == old_case_after  # not even updated_at moved

    # (b) its accepted application; (a) the declined one past the grace period.
    for key in ("old_accepted", "old_declined"):
        app = Application.objects.get(pk=w[key].pk)
        assert all(getattr(app, name) == "" for name in APPLICATION_ERASED), key
        assert app.employees == 0 and app.personal_data_purged_at is not None
        assert (app.reference, app.region, app.industry_id, app.state, app.consent_version) == (
            w[key].reference,
            "busan",
            w[key].industry_id,
            w[key].state,
            "test",
        )
    assert Application.objects.get(pk=w["old_accepted"].pk).case_id == w["old_case"].pk

    # (d) the engineer who left long ago.
    mentor = Mentor.objects.get(pk=w["left_mentor"].pk)
    assert all(getattr(mentor, name) == "" for name in MENTOR_PRIVATE)
    assert mentor.personal_data_purged_at is not None
    assert (mentor.name, mentor.specialty, mentor.status) == (w["left_mentor"].name, "금형 설계", "left")
    assert all(getattr(row, name) == "" for row in mentor.history.all() for name in MENTOR_PRIVATE)

    # Everything else is exactly as it was.
    erased = {
        ("cases.Firm", w["old_firm"].pk),
        ("cases.Case", w["old_case"].pk),
        ("cases.Mentor", w["left_mentor"].pk),
        ("applications.Application", w["old_accepted"].pk),
        ("applications.Application", w["old_declined"].pk),
    }
    after = snapshot()
    for table in ("cases.Firm", "cases.Mentor", "cases.Case", "applications.Application", "cases.Visit"):
        kept_before = [row for row in before[table] if (table, row["id"]) not in erased]
        kept_after = [row for row in after[table] if (table, row["id"]) not in erased]
        assert kept_before == kept_after, table
    for table, owners in (
        ("cases.HistoricalFirm", {w["old_firm"].pk}),
        ("cases.HistoricalMentor", {w["left_mentor"].pk}),
        ("cases.HistoricalCase", {w["old_case"].pk}),
        ("cases.HistoricalVisit", set()),
    ):
        assert [r for r in before[table] if r["id"] not in owners] == [r for r in after[table] if r["id"] not in owners]
    assert len(after["cases.HistoricalCase"]) == len(before["cases.HistoricalCase"])

    # The access log: the old row is gone, each erasure is recorded by the system.
    assert not PersonalDataAccess.objects.filter(pk=w["old_access"].pk).exists()
    assert PersonalDataAccess.objects.filter(pk=w["recent_access"].pk).exists()
    purges = PersonalDataAccess.objects.filter(action=PersonalDataAccess.Action.PURGE)
    assert {(row.model, row.object_id) for row in purges} == {
        ("cases.firm", str(w["old_firm"].pk)),
        ("cases.case", str(w["old_case"].pk)),
        ("cases.mentor", str(w["left_mentor"].pk)),
        ("applications.application", str(w["old_accepted"].pk)),
        ("applications.application", str(w["old_declined"].pk)),
    }
    assert {(row.username, row.user_id) for row in purges} == {("(system)", None)}
    assert w["old_firm"].legal_name not in {row.object_label for row in purges}


def test_a_second_run_purges_nothing_new(world):
    run()
    after_first = snapshot()
    output = run()
    assert snapshot() == after_first
    assert "파기할 개인정보가 없습니다" in output


def answered_followup(case, comment, answered_at):
    followup = FollowUp.objects.schedule_for(case)[0]
    followup.record_answer(satisfaction=4, recommend=8, attribution=50, comment=comment)
    FollowUp.objects.filter(pk=followup.pk).update(answered_at=answered_at)
    return followup


def test_followup_comments_are_erased_with_their_firm_and_kept_otherwise(world):
    old = answered_followup(world["old_case"], "오래된 조사 의견: 김과장 덕분", LONG_AGO)
    recent = answered_followup(world["recent_case"], "최근 조사 의견", RECENTLY)
    age_firm(world["old_firm"], LONG_AGO)  # answering moved the case on: age it again

    output = run("--dry-run")
    assert "그 기업 사후 조사의 의견: 1건" in output and "김과장" not in output
    run()

    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.comment == "" and old.satisfaction == 4  # the answer's numbers stay for the statistics
    assert recent.comment == "최근 조사 의견"
    assert PersonalDataAccess.objects.filter(
        model="cases.followup", object_id=str(old.pk), action=PersonalDataAccess.Action.PURGE
    ).exists()


def test_a_recently_answered_followup_keeps_its_firm(world):
    answered_followup(world["old_case"], "의견", RECENTLY)
    age_firm(world["old_firm"], LONG_AGO)
    run()
    firm = Firm.objects.get(pk=world["old_firm"].pk)
    assert firm.contact_name and firm.personal_data_purged_at is None


def test_an_engineer_with_recent_visits_is_kept(world):
    """Visits count as activity even on a case that has another engineer now (the engineer was replaced)."""
    mentor = world["left_mentor"]
    visit_case = make_case(firm=make_firm(), mentor=mentor)
    Visit.objects.bulk_create(
        [Visit(case=visit_case, mentor=mentor, started_on=NOW.date(), ended_on=NOW.date(), days=1, hours=3)]
    )
    age_mentor(mentor, LONG_AGO)
    Visit.objects.filter(mentor=mentor).update(updated_at=RECENTLY)
    run()
    mentor.refresh_from_db()
    assert mentor.real_name and mentor.personal_data_purged_at is None


def test_a_firm_edited_after_its_last_case_counts_from_the_edit(world):
    firm = world["old_firm"]
    Firm.history.model.objects.filter(id=firm.pk).order_by("-history_date").filter(
        history_id=Firm.history.model.objects.filter(id=firm.pk).latest().history_id
    ).update(history_date=RECENTLY)
    run()
    firm.refresh_from_db()
    assert firm.legal_name and firm.personal_data_purged_at is None


def test_verbosity_zero_is_silent_and_verbosity_two_lists_identifiers(world):
    assert run(verbosity=0) == ""
    world_firm = Firm.objects.create(
        code="ZZ", name="ZZ기업", industry=world["old_firm"].industry, contact_name="다른 담당자"
    )
    age_firm(world_firm, LONG_AGO)
    output = run(verbosity=2)
    assert "ZZ" in output and "다른 담당자" not in output


def test_batches_of_any_size_erase_the_same(world, monkeypatch):
    monkeypatch.setattr(purge_command, "BATCH", 1)
    extra = [firm_with_contacts(f"batch-{n}") for n in range(3)]
    for firm in extra:
        age_firm(firm, LONG_AGO)
    run()
    for firm in [world["old_firm"], *extra]:
        firm.refresh_from_db()
        assert firm.legal_name == "" and firm.personal_data_purged_at is not None
        assert not Firm.history.model.objects.filter(id=firm.pk).exclude(legal_name="").exists()
    assert PersonalDataAccess.objects.filter(action=PersonalDataAccess.Action.PURGE).count() == 8
    assert run().endswith("파기할 개인정보가 없습니다.\n")
