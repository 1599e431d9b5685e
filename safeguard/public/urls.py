from django.urls import include, path

from . import views

app_name = "public"
urlpatterns = [
    path("", views.index, name="index"),
    path("accessibility/", views.static_page, {"page": "accessibility"}, name="accessibility"),
    path("cookies/", views.static_page, {"page": "cookies"}, name="cookies"),
    path("privacy/", views.static_page, {"page": "privacy"}, name="privacy"),
    path("<slug:slug>/", views.partnership_home, name="partnership_home"),
    path("<slug:slug>/contact/", views.contacts, name="contacts"),
    path("<slug:slug>/data-set/", include("safeguard.returns.public_urls")),
]
