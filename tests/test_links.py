"""Links that open a firm's or an engineer's page: long, random, stored hashed, expiring, replaceable, revocable."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import FollowUp, LinkRefusal, Mentor, Stage, hash_token
from tests.factories import make_case_at, make_mentor

pytestmark = pytest.mark.django_db


def token_of(path):
    return path.rstrip("/").rsplit("/", 1)[1]


def test_a_follow_up_link_is_a_256_bit_token_stored_only_as_its_hash():
    followup = make_case_at(Stage.COMPLETED).followups.first()
    path = followup.issue_link()
    token = token_of(path)
    assert path == f"/followup/{token}/"
    assert len(token) >= 43  # 32 random bytes in URL-safe base64
    row = FollowUp.objects.filter(pk=followup.pk).values().get()
    assert row["link_hash"] == hash_token(token) != token
    assert token not in repr(row)
    assert FollowUp.open_link(token) == (followup, None)


def test_a_new_link_replaces_the_old_one_and_a_revoked_link_opens_nothing():
    mentor = make_mentor()
    first = token_of(mentor.issue_link())
    second = token_of(mentor.issue_link())
    assert first != second
    assert Mentor.open_link(first) == (None, LinkRefusal.UNKNOWN)
    assert Mentor.open_link(second) == (mentor, None)
    mentor.revoke_link()
    assert Mentor.open_link(second) == (None, LinkRefusal.UNKNOWN)


def test_an_expired_link_is_refused_as_expired():
    mentor = make_mentor()
    token = token_of(mentor.issue_link())
    Mentor.objects.filter(pk=mentor.pk).update(link_expires_at=timezone.now() - timedelta(seconds=1))
    assert Mentor.open_link(token) == (None, LinkRefusal.EXPIRED)


def test_links_expire_after_30_days():
    mentor = make_mentor()
    mentor.issue_link()
    mentor.refresh_from_db()
    assert mentor.link_expires_at - mentor.link_issued_at == timedelta(days=30)


def test_an_answered_or_closed_follow_up_link_is_used():
    answered, closed, _ = make_case_at(Stage.COMPLETED).followups.order_by("due_on")
    answered_token, closed_token = token_of(answered.issue_link()), token_of(closed.issue_link())
    answered.record_answer(satisfaction=4, recommend=8, attribution=50)
    closed.close_unanswered()
    assert FollowUp.open_link(answered_token) == (None, LinkRefusal.USED)
    assert FollowUp.open_link(closed_token) == (None, LinkRefusal.USED)


@pytest.mark.parametrize("forged", ["", "x", "A" * 43, "a" * 101, "../../etc", None, 42])
def test_forged_tokens_open_nothing(forged):
    make_mentor().issue_link()
    assert Mentor.open_link(forged) == (None, LinkRefusal.UNKNOWN)


def test_one_token_opens_only_its_own_record():
    one, other = make_case_at(Stage.COMPLETED), make_case_at(Stage.COMPLETED)
    token = token_of(one.followups.first().issue_link())
    other.followups.first().issue_link()
    record, _ = FollowUp.open_link(token)
    assert record.case == one
    assert Mentor.open_link(token) == (None, LinkRefusal.UNKNOWN)  # a follow-up's token is no engineer's


def test_an_engineer_who_left_the_program_has_no_page():
    mentor = make_mentor()
    token = token_of(mentor.issue_link())
    Mentor.objects.filter(pk=mentor.pk).update(status=Mentor.Status.LEFT)
    assert Mentor.open_link(token) == (None, LinkRefusal.UNKNOWN)
