from django.urls import path

from . import chain, dashboard, exports, views

app_name = "measures"

urlpatterns = [
    path("", dashboard.overview, name="overview"),
    path("agreement/", dashboard.agreement_detail, name="agreement"),
    path("focus-areas/<slug:slug>/", dashboard.focus_area_detail, name="focus_area"),
    path(
        "focus-areas/<slug:slug>/timeline/",
        dashboard.focus_area_timeline,
        name="focus_area_timeline",
    ),
    path("areas/<slug:slug>/", dashboard.area_detail, name="area"),
    path("areas/<slug:slug>/timeline/", dashboard.area_timeline, name="area_timeline"),
    path("measures/", views.measure_list, name="list"),
    path("measures/export.csv", exports.export_csv, name="export_csv"),
    path("measures/export.xlsx", exports.export_xlsx, name="export_xlsx"),
    path("measures/import/", views.measure_import, name="import"),
    path("measures/import/template.xlsx", views.import_template, name="import_template"),
    path("measures/import/<int:pk>/", views.import_preview, name="import_preview"),
    path("measures/import/<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
    path("measures/bulk/", views.measure_bulk, name="bulk"),
    path("measures/new/", views.measure_create, name="create"),
    path("measures/<int:pk>/", views.measure_detail, name="detail"),
    path("measures/<int:pk>/edit/", views.measure_edit, name="edit"),
    path("measures/<int:pk>/archive/", views.measure_archive, name="archive"),
    path("measures/<int:pk>/updates/new/", views.progress_update_create, name="update_create"),
    path("reviews/", views.review_queue, name="review_queue"),
    path("situation/", chain.situation_latest, name="situation"),
    path("situation/<int:pk>/", chain.situation_detail, name="situation_report"),
    path("indicators/", chain.indicator_list, name="indicators"),
    path("indicators/<int:pk>/", chain.indicator_detail, name="indicator"),
    path(
        "indicators/<int:pk>/values/new/",
        chain.indicator_value_create,
        name="indicator_value_create",
    ),
    path("promises/", chain.promise_list, name="promises"),
    path("promises/<int:pk>/", chain.promise_detail, name="promise"),
    path("updates/<int:update_pk>/review/", views.review_create, name="review"),
]
