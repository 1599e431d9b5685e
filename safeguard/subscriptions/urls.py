"""Public pages, under ``/<partnership slug>/updates/``. Tokens are signed ids, never addresses."""

from django.urls import path

from . import views

app_name = "subscriptions"
urlpatterns = [
    path("", views.subscribe, name="subscribe"),
    path("check-your-email/", views.check_email, name="check_email"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("subscribed/<str:token>/", views.subscribed, name="subscribed"),
    path("manage/<str:token>/", views.manage, name="manage"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("unsubscribe/<str:token>/one-click/", views.one_click, name="one_click"),
    path("unsubscribed/", views.unsubscribed, name="unsubscribed"),
]
