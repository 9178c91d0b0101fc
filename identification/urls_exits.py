from django.urls import path

from .views import exits as views

app_name = "exits"
urlpatterns = [
    path("", views.exit_list, name="list"),
    path("propose/", views.exit_propose_list, name="propose_list"),
    path("propose/<int:subject_pk>/", views.exit_propose, name="propose"),
    path("evaluate/", views.exit_evaluate_rounds, name="evaluate_rounds"),
    path("evaluate/<int:town_round_pk>/", views.exit_evaluate, name="evaluate"),
    path("<int:pk>/", views.exit_detail, name="detail"),
    path("<int:pk>/verify/", views.exit_verify, name="verify"),
    path("<int:pk>/publicize/", views.exit_publicize, name="publicize"),
    path("<int:pk>/conclude/", views.exit_conclude, name="conclude"),
    path("<int:pk>/file/", views.exit_file, name="file"),
    path("<int:pk>/return/", views.exit_return, name="return"),
    path("<int:pk>/withdraw/", views.exit_withdraw, name="withdraw"),
    path("<int:pk>/objections/new/", views.exit_objection_lodge, name="objection_lodge"),
    path("objections/<int:pk>/", views.exit_objection_decide, name="objection_decide"),
]
