from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("account/password/", views.PasswordChangeView.as_view(), name="password_change"),
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
    path("audit-log/", views.audit_log, name="audit_log"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_mark_read, name="notifications_read"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_detail, name="user_detail"),
    path("users/<int:pk>/edit/", views.user_edit, name="user_edit"),
    path("users/<int:pk>/deactivate/", views.user_deactivate, name="user_deactivate"),
    path("users/<int:pk>/reactivate/", views.user_reactivate, name="user_reactivate"),
    path("users/<int:pk>/reset-password/", views.user_reset_password, name="user_reset_password"),
]
