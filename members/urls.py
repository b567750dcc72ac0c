from django.urls import path

from . import views

app_name = "members"

urlpatterns = [
    path("members/", views.MemberListView.as_view(), name="member-list"),
    path("members/<slug:slug>/", views.MemberDetailView.as_view(), name="member-detail"),
    path("countries/<str:code>/", views.CountryDetailView.as_view(), name="country-detail"),
]
