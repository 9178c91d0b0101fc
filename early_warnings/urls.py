from django.urls import path

from . import views

app_name = "early_warnings"
urlpatterns = [
    path("", views.home, name="home"),
    path("uploads/", views.upload_list, name="upload_list"),
    path("uploads/<int:pk>/", views.upload_detail, name="upload_detail"),
    path("town/", views.town_inbox, name="town_inbox"),
    path("village/", views.village_inbox, name="village_inbox"),
    path("county/", views.county, name="county"),
]
