from django.urls import path

from . import views

app_name = "partnerships"
urlpatterns = [
    path("", views.PartnershipList.as_view(), name="partnership_list"),
    path("<int:pk>/", views.PartnershipDetail.as_view(), name="partnership_detail"),
    path("<int:pk>/edit/", views.PartnershipEdit.as_view(), name="partnership_edit"),
    path("<int:pk>/roles/", views.RoleList.as_view(), name="role_list"),
    path("<int:pk>/roles/new/", views.RoleGrant.as_view(), name="role_grant"),
    path("roles/<int:pk>/end/", views.RoleEnd.as_view(), name="role_end"),
    path("agencies/", views.AgencyList.as_view(), name="agency_list"),
    path("agencies/new/", views.AgencyCreate.as_view(), name="agency_create"),
    path("agencies/<int:pk>/", views.AgencyDetail.as_view(), name="agency_detail"),
    path("agencies/<int:pk>/edit/", views.AgencyEdit.as_view(), name="agency_edit"),
    path("groups/", views.GroupList.as_view(), name="group_list"),
    path("groups/new/", views.GroupCreate.as_view(), name="group_create"),
    path("groups/<int:pk>/", views.GroupDetail.as_view(), name="group_detail"),
    path("groups/<int:pk>/edit/", views.GroupEdit.as_view(), name="group_edit"),
    path("groups/<int:pk>/members/new/", views.MembershipAdd.as_view(), name="membership_add"),
    path("memberships/<int:pk>/edit/", views.MembershipEdit.as_view(), name="membership_edit"),
    path("people/", views.PersonList.as_view(), name="person_list"),
    path("people/new/", views.PersonCreate.as_view(), name="person_create"),
    path("people/<int:pk>/", views.PersonDetail.as_view(), name="person_detail"),
    path("people/<int:pk>/edit/", views.PersonEdit.as_view(), name="person_edit"),
    path("contacts/new/", views.ContactCreate.as_view(), name="contact_create"),
    path("contacts/<int:pk>/edit/", views.ContactEdit.as_view(), name="contact_edit"),
    path("contacts/<int:pk>/delete/", views.ContactDelete.as_view(), name="contact_delete"),
]
