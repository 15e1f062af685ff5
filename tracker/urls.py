from django.contrib import admin
from django.urls import include, path

from tracker.health import healthz

admin.site.site_header = "기술지도 사례 관리"
admin.site.site_title = "기술지도 사례 관리"
admin.site.index_title = "관리 메뉴"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("cases.urls")),
]
