"""The Atom feed of newly published cases."""

import xml.etree.ElementTree as ET

import pytest

from cases.models import Case
from tests.factories import make_case

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def entries(client):
    response = client.get("/cases/feed.atom")
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content).findall(f"{ATOM}entry")


def test_feed_lists_published_cases_newest_first(client, seeded):
    newest = make_case(guidance="새로 공개한 지도")
    found = entries(client)
    assert len(found) == 13
    assert found[0].find(f"{ATOM}link").get("href").endswith(newest.get_absolute_url())
    assert "새로 공개한 지도" in found[0].find(f"{ATOM}summary").text


def test_publishing_sets_the_date_and_unpublishing_removes_it(db):
    case = make_case(status=Case.Status.DRAFT)
    assert case.published_at is None
    case.status = Case.Status.PUBLISHED
    case.save()
    assert case.published_at is not None
    case.status = Case.Status.DRAFT
    case.save()
    assert case.published_at is None


def test_drafts_are_not_in_the_feed(client, db):
    make_case(status=Case.Status.DRAFT)
    assert entries(client) == []


def test_listing_links_to_the_feed(client, seeded):
    html = client.get("/cases/").content.decode()
    assert 'rel="alternate" type="application/atom+xml"' in html
