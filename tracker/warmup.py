"""Work every worker would otherwise repeat on its first requests, done once in the gunicorn master.

With `preload_app`, workers are forked from the master: templates compiled, URL patterns loaded and translation
catalogues read here are inherited, so a new or recycled worker answers its first request as fast as its
thousandth. No database access: a connection must never be shared by forked processes.
"""

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
