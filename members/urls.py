from django.urls import path

from . import views

# The member and country pages list publications: they are added to this namespace by
# pages/urls.py (members/ depends on no other app).
app_name = "members"

urlpatterns = [
    path("members/", views.MemberListView.as_view(), name="member-list"),
]
