from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.ledger_index, name="index"),
    path("ledgers/<str:kind>/", views.ledger_page, name="ledger"),
    path("ledgers/<str:kind>/export/", views.ledger_export, name="ledger_export"),
    path("exports/<int:pk>/", views.export_job, name="export_job"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
    path("export-log/", views.export_log_page, name="export_log"),
    path("assessment/", views.assessment_page, name="assessment"),
    path("assessment/export/", views.assessment_export, name="assessment_export"),
    path("low-income/", views.low_income_page, name="low_income"),
    path("low-income/export/", views.low_income_export, name="low_income_export"),
]
