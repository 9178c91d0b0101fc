from django.urls import path

from .views import pairing as pairing_views
from .views import visits as visit_views

app_name = "assistance"
urlpatterns: list = []

# --- pairing (三(三), 三(八)1) and help visits (三(八)1, 三(四)1) ---------------------------
urlpatterns += [
    path("subjects/<int:subject_pk>/pair/", pairing_views.pair, name="pair"),
    path("assignments/<int:pk>/end/", pairing_views.assignment_end, name="assignment_end"),
    path("unpaired/", pairing_views.unpaired, name="unpaired"),
    path(
        "households/<int:pk>/help-visit/new/",
        visit_views.help_visit_create,
        name="help_visit_create",
    ),
    path("help-visits/<int:pk>/", visit_views.help_visit_detail, name="help_visit_detail"),
    path(
        "help-visits/<int:pk>/add-risks/",
        visit_views.help_visit_add_risks,
        name="help_visit_add_risks",
    ),
    path("visits/due/", visit_views.visits_due, name="visits_due"),
    path("visits/must-visit/", visit_views.must_visit, name="must_visit"),
]
