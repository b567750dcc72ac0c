from django.urls import path

from . import views

app_name = "mailings"

urlpatterns = [
    path("<slug:slug>/", views.issue, name="issue"),
]
