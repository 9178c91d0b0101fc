from django.urls import path

from .views import catalogue, home, pairing, plans, visits

app_name = "assistance"
urlpatterns = [
    # Each role's help work (帮扶工作台).
    path("", home.home, name="home"),
    # Pairing (三(三), 三(八)1).
    path("subjects/<int:subject_pk>/pair/", pairing.pair, name="pair"),
    path("assignments/<int:pk>/end/", pairing.assignment_end, name="assignment_end"),
    path("unpaired/", pairing.unpaired, name="unpaired"),
    # Help visits (三(八)1) and the six must-visits (三(四)1).
    path("households/<int:pk>/help-visit/new/", visits.help_visit_create, name="help_visit_create"),
    path("help-visits/<int:pk>/", visits.help_visit_detail, name="help_visit_detail"),
    path(
        "help-visits/<int:pk>/add-risks/",
        visits.help_visit_add_risks,
        name="help_visit_add_risks",
    ),
    path("visits/due/", visits.visits_due, name="visits_due"),
    path("visits/must-visit/", visits.must_visit, name="must_visit"),
    # Plans and measures (一户一方案、一人一措施, 三(八)1-2), and the catalogue.
    path("plans/", plans.plan_list, name="plan_list"),
    path("plans/stats/", plans.plan_stats, name="plan_stats"),
    path("plans/<int:pk>/", plans.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/edit/", plans.plan_update, name="plan_update"),
    path("plans/<int:pk>/activate/", plans.plan_activate, name="plan_activate"),
    path("plans/<int:pk>/review/", plans.plan_review, name="plan_review"),
    path("plans/<int:pk>/measures/new/", plans.measure_create, name="measure_create"),
    path(
        "plans/<int:pk>/measures/suggested/",
        plans.measure_add_suggested,
        name="measure_add_suggested",
    ),
    path("subjects/<int:subject_pk>/plan/new/", plans.plan_create, name="plan_create"),
    path("measures/<int:pk>/edit/", plans.measure_update, name="measure_update"),
    path("measures/<int:pk>/start/", plans.measure_start, name="measure_start"),
    path("measures/<int:pk>/complete/", plans.measure_complete, name="measure_complete"),
    path("measures/<int:pk>/stop/", plans.measure_stop, name="measure_stop"),
    path("kinds/", catalogue.kind_list, name="kind_list"),
    path("kinds/new/", catalogue.kind_create, name="kind_create"),
    path("kinds/<int:pk>/edit/", catalogue.kind_update, name="kind_update"),
    path("kinds/<int:pk>/delete/", catalogue.kind_delete, name="kind_delete"),
]
