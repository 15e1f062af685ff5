from django.urls import path, register_converter

from . import api, converters, feeds, views

register_converter(converters.IdConverter, "id")

app_name = "cases"

urlpatterns = [
    path("", views.home, name="home"),
    path("cases/", views.case_list, name="list"),
    path("cases/<id:pk>/", views.case_detail, name="detail"),
    path("cases/export.csv", views.export_csv, name="export-csv"),
    path("cases/export.xlsx", views.export_xlsx, name="export-xlsx"),
    path("cases/feed.atom", feeds.NewCasesFeed(), name="feed"),
    path("stats/", views.statistics, name="stats"),
    path("api/cases/", api.CaseViewSet.as_view({"get": "list"}), name="api-list"),
    path("api/cases/<id:pk>/", api.CaseViewSet.as_view({"get": "retrieve"}), name="api-detail"),
]
