from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("departments/", views.departments, name="departments"),
    path(
        "departments/<int:department_pk>/contacts/new/",
        views.department_contact_edit,
        name="department_contact_new",
    ),
    path(
        "departments/contacts/<int:pk>/",
        views.department_contact_edit,
        name="department_contact_edit",
    ),
    path(
        "departments/contacts/<int:pk>/delete/",
        views.department_contact_delete_view,
        name="department_contact_delete",
    ),
    path("policy/", views.policy, name="policy"),
    path("policy/new/", views.policy_new_year, name="policy_new_year"),
    path("policy/<int:year>/", views.policy, name="policy_year"),
    path("policy/<int:year>/edit/", views.policy_edit, name="policy_edit"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_mark_read, name="notifications_read"),
]
