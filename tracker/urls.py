from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from tracker import language
from tracker.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("i18n/setlang/", language.set_language, name="set_language"),
    path("apply/", include("applications.urls")),
    path("", include("portal.urls")),
]
# The public pages, their downloads, feed and API: Korean at /…, Japanese at /ja/…, English at /en/…
# (tracker/language.py). The downloads, feed and API speak the URL's language too: their error messages, and the
# page links they carry.
urlpatterns += i18n_patterns(path("", include("cases.urls")), prefix_default_language=False)
