from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("followup/<str:token>/", views.followup, name="followup"),
    path("mentor/<str:token>/", views.mentor, name="mentor"),
]
