"""After an edit every cached public page is retired at once (the data version changes). The first requests for a
page that arrive together must compute it once: one request builds it, the others wait and get what it built."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cases.models import Case
from cases.seeding import seed
from cases.synthetic import generate_cases

REQUESTS = 6


def requests_at_once(url):
    """`REQUESTS` visitors ask for `url` at the same moment, each on its own database connection, as gunicorn's
    workers would. Returns (status, content, queries run) per visitor."""
    start = threading.Barrier(REQUESTS)
    answers = [None] * REQUESTS

    def visitor(index):
        try:
            with CaptureQueriesContext(connection) as queries:
                start.wait()
                response = Client().get(url)
            answers[index] = (response.status_code, response.content, len(queries))
        finally:
            connection.close()

    threads = [threading.Thread(target=visitor, args=(index,)) for index in range(REQUESTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


@pytest.fixture
def many_cases(transactional_db):
    """Enough cases that building a page takes a while: committed, so every visitor's connection sees them."""
    seed()
    generate_cases(300, seed=5)


PAGES = ["/cases/", "/cases/?q=금형", "/stats/", "/ja/cases/?pattern=1", "/api/cases/?pattern=1"]


@pytest.mark.parametrize("url", PAGES)
def test_concurrent_first_requests_for_a_page_compute_it_once(many_cases, url):
    Case.objects.filter(code="2017-J").update(outcomes="방금 고친 성과")  # an edit: nothing cached is current now

    answers = requests_at_once(url)

    assert all(answer is not None for answer in answers), "a visitor never got an answer"
    assert {status for status, _content, _queries in answers} == {200}
    assert len({content for _status, content, _queries in answers}) == 1  # everyone got the same page
    builders = [queries for _status, _content, queries in answers if queries > 1]
    # One visitor counted and rendered; the others ran the one query that reads the data version, waited for the
    # page and read it from the cache.
    assert len(builders) == 1, [queries for *_answer, queries in answers]


def test_a_write_while_visitors_wait_reaches_the_next_visitor(many_cases):
    """Waiting never serves the data of before a write to a request that came after it."""
    first = Client().get("/cases/?q=방금")
    assert "J기업" not in first.content.decode()
    case = Case.objects.get(code="2017-J")
    case.outcomes = "방금 고친 성과"
    case.save()
    answers = requests_at_once("/cases/?q=방금")
    assert all(status == 200 and "J기업" in content.decode() for status, content, _queries in answers)
