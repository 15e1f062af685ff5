"""The benchmark's L1 floor: a listing page with a total, without facets, and without Django.

A bare WSGI callable that `scripts/bench.py` serves with the production gunicorn config:

    DATABASE_URL=postgres://... gunicorn scripts.bench_floor:application -c gunicorn.conf.py

Each worker process opens ONE database connection on its first request and keeps it (psycopg 3 in autocommit for
PostgreSQL, the stdlib sqlite3 for a `sqlite:///` URL). Each request runs the published-case count and fetches the
first page of 20 published cases with their firm, industry and outcome pattern, then joins escaped strings into
HTML. Anything the real listing does beyond this (facets, filters, templates, middleware) is what L4 adds.
"""

import html
import os

PAGE_SIZE = 20
COUNT_SQL = "SELECT count(*) FROM cases_case WHERE status = 'published'"
PAGE_SQL = f"""
SELECT c.id, c.code, c.guidance, c.outcomes, f.name, f.products, i.name, p.name
FROM cases_case c
JOIN cases_firm f ON f.id = c.firm_id
JOIN cases_industry i ON i.id = f.industry_id
JOIN cases_outcomepattern p ON p.id = c.outcome_pattern_id
WHERE c.status = 'published'
ORDER BY c.code
LIMIT {PAGE_SIZE}
"""

_connection = None


def _connect():
    url = os.environ["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        import sqlite3

        return sqlite3.connect(url.removeprefix("sqlite:///"))
    import psycopg

    return psycopg.connect(url, autocommit=True)


def _query():
    global _connection
    if _connection is None:
        _connection = _connect()
    cursor = _connection.cursor()
    try:
        cursor.execute(COUNT_SQL)
        (total,) = cursor.fetchone()
        cursor.execute(PAGE_SQL)
        rows = cursor.fetchall()
    finally:
        cursor.close()
    return total, rows


def render(total, rows):
    esc = html.escape
    parts = [
        '<!doctype html><html lang="ko"><head><meta charset="utf-8"><title>사례</title></head><body>',
        f"<h1>공개 사례 {total:,}건</h1><ol>",
    ]
    for case_id, code, guidance, outcomes, firm, products, industry, pattern in rows:
        parts += [
            f'<li><a href="/cases/{case_id}/">',
            esc(firm),
            " — ",
            esc(products),
            "</a><p>",
            esc(code),
            " · ",
            esc(industry),
            " · ",
            esc(pattern),
            "</p><p>",
            esc(guidance),
            "</p><p>",
            esc(outcomes),
            "</p></li>",
        ]
    parts.append("</ol></body></html>")
    return "".join(parts).encode()


def application(environ, start_response):
    body = render(*_query())
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))])
    return [body]
