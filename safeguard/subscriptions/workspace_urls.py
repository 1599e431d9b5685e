from django.urls import path

from . import views

app_name = "subscriptions_workspace"
urlpatterns = [
    path("", views.Overview.as_view(), name="overview"),
    path("releases/<int:pk>/", views.ReleaseDeliveries.as_view(), name="release"),
    path("releases/<int:pk>/retry/", views.RetryFailed.as_view(), name="retry_failed"),
    path("releases/<int:pk>/unconfirmed/", views.ResolveUnconfirmed.as_view(), name="resolve_unconfirmed"),
    path("subscribers/", views.SubscriberList.as_view(), name="subscriber_list"),
    path("subscribers/<int:pk>/unsubscribe/", views.SubscriberUnsubscribe.as_view(), name="subscriber_unsubscribe"),
]
