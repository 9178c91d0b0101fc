from django.urls import path

from . import views

app_name = "early_warnings"
urlpatterns = [
    path("", views.home, name="home"),
    path("department/", views.department_home, name="department_home"),
    path("uploads/", views.upload_list, name="upload_list"),
    path("uploads/template/", views.template_download, name="template"),
    path("uploads/<int:pk>/", views.upload_detail, name="upload_detail"),
    path("uploads/<int:pk>/errors/", views.upload_errors, name="upload_errors"),
    path("outcomes/", views.department_warnings, name="department_warnings"),
    path("town/", views.town_inbox, name="town_inbox"),
    path("town/assign/", views.warnings_assign_bulk, name="assign_bulk"),
    path("village/", views.village_inbox, name="village_inbox"),
    path("county/", views.county, name="county"),
    path("county/push/", views.push_now, name="push_now"),
    path("w/<int:pk>/", views.warning_detail, name="warning_detail"),
    path("w/<int:pk>/assign/", views.warning_assign, name="warning_assign"),
    path("w/<int:pk>/close/", views.warning_close, name="warning_close"),
    path("clues/", views.clue_list, name="clue_list"),
    path("clues/new/", views.clue_new, name="clue_new"),
    path("clues/<int:pk>/", views.clue_detail, name="clue_detail"),
    path("sweeps/", views.sweeps, name="sweeps"),
    path("indicators/", views.indicator_list, name="indicators"),
    path("indicators/new/", views.indicator_edit, name="indicator_new"),
    path("indicators/<int:pk>/", views.indicator_edit, name="indicator_edit"),
]
