"""Public procedures pages under ``/<partnership slug>/procedures/``.

Search has no path of its own: it is the contents page with ``?q=`` (see ``views.py``), so no
chapter slug can clash with it. Print and PDF pages hang below the chapter or version they show.
"""

from django.urls import path

from . import views

app_name = "procedures"
urlpatterns = [
    path("", views.manuals, name="manuals"),
    path("<slug:manual_slug>/", views.contents, name="contents"),  # ?q=... is the search page
    path("<slug:manual_slug>/amendments/", views.amendments, name="amendments"),
    path("<slug:manual_slug>/<slug:chapter_slug>/", views.chapter, name="chapter"),
    path("<slug:manual_slug>/<slug:chapter_slug>/print/", views.chapter_print, name="chapter_print"),
    path("<slug:manual_slug>/<slug:chapter_slug>/pdf/", views.chapter_pdf, name="chapter_pdf"),
    path("<slug:manual_slug>/<slug:chapter_slug>/versions/<int:number>/", views.chapter_version, name="version"),
    path(
        "<slug:manual_slug>/<slug:chapter_slug>/versions/<int:number>/print/",
        views.version_print,
        name="version_print",
    ),
    path("<slug:manual_slug>/<slug:chapter_slug>/versions/<int:number>/pdf/", views.version_pdf, name="version_pdf"),
]
