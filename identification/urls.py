from django.urls import path

from . import views

app_name = "identification"
urlpatterns = [
    path("<int:pk>/", views.case_detail, name="detail"),
]
