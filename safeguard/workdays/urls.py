from django.urls import path

from . import views

app_name = "workdays"
urlpatterns = [
    path("", views.Calculator.as_view(), name="calculator"),
    path("closures/", views.ClosureList.as_view(), name="closure_list"),
    path("closures/new/", views.ClosureAdd.as_view(), name="closure_add"),
    path("closures/<int:pk>/remove/", views.ClosureRemove.as_view(), name="closure_remove"),
]
