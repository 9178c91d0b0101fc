from django.urls import path

from . import views

app_name = "declarations"

urlpatterns = [
    path("", views.declaration_list, name="list"),
    path("<int:pk>/", views.declaration_detail, name="detail"),
    path("stats/", views.declaration_stats, name="stats"),
    path("posters/", views.poster_index, name="posters"),
    path("posters/print/", views.poster_print, name="poster_print"),
]
