from django.urls import path

from . import views

app_name = "followup"

urlpatterns = [
    path("report/", views.report_view, name="report"),
    path("periods/", views.period_list, name="periods"),
    path("periods/<int:pk>/", views.period_detail, name="period"),
    path("periods/<int:pk>/reopen/", views.period_reopen, name="period_reopen"),
    path("meetings/", views.meeting_list, name="meetings"),
    path("meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/freeze/", views.meeting_freeze, name="meeting_freeze"),
    path("meetings/<int:pk>/decisions/new/", views.decision_create, name="decision_create"),
    path("meetings/<int:pk>/report.pdf", views.meeting_pdf, name="meeting_pdf"),
    path("decisions/<int:pk>/status/", views.decision_status, name="decision_status"),
]
