from django.contrib import admin
from django.urls import include, path

from tracker.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("apply/", include("applications.urls")),
    path("", include("portal.urls")),
    path("", include("cases.urls")),
]
