from django.urls import path

from . import views

app_name = "identification"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("apply/<int:household_pk>/", views.case_apply, name="apply"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/consent/", views.case_consent, name="consent"),
    path("<int:pk>/consent/form/", views.consent_form_download, name="consent_form"),
    path("<int:pk>/verify/", views.case_verify, name="verify"),
    path("<int:pk>/deliberate/", views.case_deliberate, name="deliberate"),
    path("<int:pk>/deliberate-village/", views.case_deliberate_village, name="deliberate_village"),
    path("<int:pk>/compare/", views.case_compare, name="compare"),
    path("<int:pk>/publicize-village/", views.case_publicize_village, name="publicize_village"),
    path("<int:pk>/approve-town/", views.case_approve_town, name="approve_town"),
    path("<int:pk>/review-town/", views.case_review_town, name="review_town"),
    path("<int:pk>/file/", views.case_file, name="file"),
    path("<int:pk>/approve-county/", views.case_approve_county, name="approve_county"),
    path("<int:pk>/reject/", views.case_reject, name="reject"),
    path("<int:pk>/withdraw/", views.case_withdraw, name="withdraw"),
    path("<int:pk>/conclude/", views.case_conclude, name="conclude"),
    path("<int:pk>/objections/new/", views.objection_lodge, name="objection_lodge"),
    path("objections/<int:pk>/", views.objection_decide, name="objection_decide"),
    path("datasets/", views.dataset_list, name="datasets"),
    path("datasets/uploads/<int:pk>/", views.dataset_upload_detail, name="dataset_upload"),
    path(
        "datasets/uploads/<int:pk>/errors/",
        views.dataset_upload_errors,
        name="dataset_upload_errors",
    ),
    path("publicity/", views.publicity_list, name="publicity"),
    path("notices/", views.announcement_list, name="notices"),
    path("notices/village/<int:village_pk>/", views.notice_village, name="notice_village"),
    path("notices/town/<int:town_pk>/", views.notice_town, name="notice_town"),
    path("notices/announcements/<int:pk>/", views.announcement_detail, name="announcement"),
]

# 三(九)(十): half-year exit rounds, the county's spot check, the town's re-review.
urlpatterns += [
    path("exits/rounds/", views.round_list, name="round_list"),
    path("exits/rounds/<int:pk>/", views.round_detail, name="round_detail"),
    path("exits/town-rounds/<int:pk>/draw/", views.spot_check_draw, name="spot_check_draw"),
    path("exits/town-rounds/<int:pk>/re-review/", views.re_review, name="re_review"),
    path("exits/re-review/<int:pk>/", views.re_review_decide, name="re_review_decide"),
    path("exits/spot-checks/<int:pk>/", views.spot_check_detail, name="spot_check"),
    path("exits/spot-checks/<int:pk>/close/", views.spot_check_close, name="spot_check_close"),
    path("exits/spot-checks/items/<int:pk>/", views.spot_check_record, name="spot_check_record"),
    path("exits/rates/", views.rates, name="exit_rates"),
]
