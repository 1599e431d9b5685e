"""The child protection process review (mounted at /workspace/child-protection-review/)."""

from django.urls import path

from . import views_review

app_name = "cp_review"

urlpatterns = [
    path("", views_review.ReviewPage.as_view(), name="review"),
    path("review.pdf", views_review.ReviewPdf.as_view(), name="pdf"),
    path("review.xlsx", views_review.ReviewSpreadsheet.as_view(), name="xlsx"),
    path("children/", views_review.MemberList.as_view(), name="members"),
]
