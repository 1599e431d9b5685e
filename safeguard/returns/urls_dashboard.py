"""The data set dashboard, the quarterly report and chasing. Mounted at /workspace/data-set/."""

from django.urls import path

from . import views_chasing, views_dashboard

app_name = "dataset"

urlpatterns = [
    path("", views_dashboard.DashboardPage.as_view(), name="dashboard"),
    path("report.pdf", views_dashboard.ReportPdf.as_view(), name="report_pdf"),
    path("report.xlsx", views_dashboard.ReportSpreadsheet.as_view(), name="report_xlsx"),
    path("indicators/<int:pk>/commentary/", views_dashboard.CommentaryEdit.as_view(), name="commentary"),
    path("chasing/", views_chasing.ChasingPage.as_view(), name="chasing"),
    path("returns/<int:pk>/chase/", views_chasing.ChaseByHand.as_view(), name="chase"),
    path(
        "agencies/<int:pk>/escalation-contact/",
        views_chasing.EscalationContactEdit.as_view(),
        name="escalation_contact",
    ),
]
