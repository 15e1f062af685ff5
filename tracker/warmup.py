"""Work every worker would otherwise do on its first requests, done before it takes any.

With `preload_app`, workers are forked from the gunicorn master: templates compiled, URL patterns loaded and
translation catalogues read in the master (`warm_up`) are inherited. The master never touches the database (a
connection must not be shared by forked processes); each worker opens its own before its first request
(`warm_worker`). So a new or recycled worker answers its first request as fast as its thousandth.
"""

import gc
import logging

from django.conf import settings
from django.core.cache import caches
from django.template.loader import get_template
from django.urls import get_resolver
from django.utils import translation

TEMPLATES = [
    "base.html",
    "cases/page.html",
    "cases/_home.html",
    "cases/_case_list.html",
    "cases/_case_row.html",
    "cases/_facet_select.html",
    "cases/_pattern_cards.html",
    "cases/_stats.html",
    "cases/case_detail.html",
]


def warm_up():
    caches["public"]  # noqa: B018 (creates the page cache's directory: an unusable one stops the start)
    get_resolver().url_patterns  # noqa: B018 (imports every view module)
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            translation.gettext("사례 목록")
    for name in TEMPLATES:
        get_template(name)


def freeze_loaded_objects():
    """Leave what the master loaded (Django, the app, templates, catalogues) out of every later garbage collection
    (`gc.freeze`, in the master before it forks). A worker's full collection then walks only what it allocated
    itself: with them, a full collection paused an API list request for up to 74 ms and made the p99 twice the
    p50 (docs/performance.md); forked pages of memory also stay shared, since collections no longer write to them."""
    gc.collect()
    gc.freeze()


def warm_worker():
    """In a new worker: open its database connection and compile the per-request vocabulary query."""
    from cases.facets import Vocabulary

    try:
        Vocabulary.load()
    except Exception:  # a database that is down must not stop workers from starting (/healthz reports it)
        logging.getLogger(__name__).warning("could not warm the worker's database connection", exc_info=True)
