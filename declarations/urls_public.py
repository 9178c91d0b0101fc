"""The public page of 一码申报: no sign-in."""

from django.urls import path

from . import views

app_name = "declare"

urlpatterns = [
    path("", views.declare, name="page"),
    path("v/<str:token>/", views.declare, name="village"),
]
