from django.urls import path

from . import views

app_name = "households"
urlpatterns = [
    path("", views.household_list, name="list"),
    path("overview/", views.overview, name="overview"),
    path("new/", views.household_create, name="create"),
    path("<int:pk>/", views.household_detail, name="detail"),
    path("<int:pk>/edit/", views.household_update, name="update"),
    path("<int:pk>/members/new/", views.member_create, name="member_create"),
    path("<int:pk>/members/<int:member_pk>/edit/", views.member_update, name="member_update"),
    path("<int:pk>/members/<int:member_pk>/delete/", views.member_delete, name="member_delete"),
    path("<int:pk>/income/new/", views.income_create, name="income_create"),
    path("<int:pk>/income/<int:record_pk>/edit/", views.income_update, name="income_update"),
    path("<int:pk>/visits/new/", views.visit_create, name="visit_create"),
    path("<int:pk>/visits/<int:visit_pk>/edit/", views.visit_update, name="visit_update"),
    path("<int:pk>/monitoring/new/", views.subject_create, name="subject_create"),
    path("<int:pk>/low-income/new/", views.status_create, name="status_create"),
    path("<int:pk>/low-income/<int:status_pk>/end/", views.status_end, name="status_end"),
    path("monitoring/", views.subject_list, name="subject_list"),
    path("monitoring/<int:subject_pk>/", views.subject_detail, name="subject_detail"),
    path(
        "monitoring/<int:subject_pk>/risks/",
        views.subject_risks_update,
        name="subject_risks_update",
    ),
]
