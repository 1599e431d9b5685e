from django.urls import path

from . import views_workspace as views

app_name = "procedures_workspace"
urlpatterns = [
    path("", views.ManualList.as_view(), name="manual_list"),
    path("manuals/<int:pk>/", views.ManualDetail.as_view(), name="manual"),
    path("manuals/<int:pk>/sections/new/", views.SectionCreate.as_view(), name="section_create"),
    path("manuals/<int:pk>/chapters/new/", views.ChapterCreate.as_view(), name="chapter_create"),
    path("manuals/<int:pk>/releases/new/", views.ReleaseCreate.as_view(), name="release_create"),
    path("chapters/<int:pk>/", views.ChapterDetail.as_view(), name="chapter"),
    path("chapters/<int:pk>/edit/", views.ChapterEdit.as_view(), name="chapter_edit"),
    path("chapters/<int:pk>/versions/new/", views.VersionCreate.as_view(), name="version_create"),
    path("chapters/<int:pk>/compare/", views.ChapterCompare.as_view(), name="compare"),
    path("versions/<int:pk>/", views.VersionDetail.as_view(), name="version"),
    path("releases/<int:pk>/", views.ReleaseDetail.as_view(), name="release"),
    path("releases/<int:pk>/edit/", views.ReleaseEdit.as_view(), name="release_edit"),
    path("releases/<int:pk>/preview/", views.ReleasePreview.as_view(), name="release_preview"),
    path("releases/<int:pk>/changes/new/", views.ReleaseChangeAdd.as_view(), name="change_add"),
    path("releases/<int:pk>/schedule/", views.ReleaseSchedule.as_view(), name="release_schedule"),
    path("releases/<int:pk>/unschedule/", views.ReleaseUnschedule.as_view(), name="release_unschedule"),
    path("changes/<int:pk>/remove/", views.ReleaseChangeRemove.as_view(), name="change_remove"),
]
