from django.urls import path

from . import views

app_name = "tokens"
urlpatterns = [
    path("", views.TokenList.as_view(), name="token_list"),
    path("new/", views.TokenCreate.as_view(), name="token_create"),
    path("<int:pk>/revoke/", views.TokenRevoke.as_view(), name="token_revoke"),
]
