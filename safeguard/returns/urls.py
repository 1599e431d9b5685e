"""Workspace pages (returns): the data set's definition, periods, the agencies' returns and the
completeness grid. Mounted at /workspace/returns/."""

from django.urls import path

from . import views

app_name = "returns"

urlpatterns = [
    # Returns: a data lead's own agency's; every return for the business unit
    path("", views.ReturnList.as_view(), name="return_list"),
    path("<int:pk>/", views.ReturnDetail.as_view(), name="return_detail"),
    path("<int:pk>/history/", views.ReturnHistory.as_view(), name="return_history"),
    path("<int:pk>/spreadsheet/", views.ReturnTemplate.as_view(), name="return_template"),
    path("<int:pk>/upload/", views.ReturnUpload.as_view(), name="return_upload"),
    path("<int:pk>/reopen/", views.ReturnReopen.as_view(), name="return_reopen"),
    path("completeness/", views.CompletenessGrid.as_view(), name="grid"),
    # Periods
    path("periods/", views.PeriodList.as_view(), name="period_list"),
    path("periods/open/", views.PeriodOpen.as_view(), name="period_open"),
    path("periods/<int:pk>/", views.PeriodDetail.as_view(), name="period_detail"),
    # The data set's definition
    path("indicators/", views.IndicatorList.as_view(), name="indicator_list"),
    path("indicators/new/", views.IndicatorCreate.as_view(), name="indicator_create"),
    path("indicators/<int:pk>/", views.IndicatorDetail.as_view(), name="indicator_detail"),
    path("indicators/<int:pk>/edit/", views.IndicatorEdit.as_view(), name="indicator_edit"),
    path("themes/", views.ThemeList.as_view(), name="theme_list"),
    path("themes/new/", views.ThemeCreate.as_view(), name="theme_create"),
    path("themes/<int:pk>/edit/", views.ThemeEdit.as_view(), name="theme_edit"),
    path("settings/<int:pk>/", views.SettingsEdit.as_view(), name="settings"),
]
