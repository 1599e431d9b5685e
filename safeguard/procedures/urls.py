from django.urls import path

from . import views

app_name = "procedures"
urlpatterns = [
    path("", views.manuals, name="manuals"),
    path("<slug:manual_slug>/", views.contents, name="contents"),
    path("<slug:manual_slug>/amendments/", views.amendments, name="amendments"),
    path("<slug:manual_slug>/<slug:chapter_slug>/", views.chapter, name="chapter"),
    path("<slug:manual_slug>/<slug:chapter_slug>/versions/<int:number>/", views.chapter_version, name="version"),
]
