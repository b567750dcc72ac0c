from django.urls import path

from . import uploads, views

app_name = "publications"

urlpatterns = [
    path("publications/", views.PublicationListView.as_view(), name="publication-list"),
    path(
        "publications/<slug:slug>/",
        views.PublicationDetailView.as_view(),
        name="publication-detail",
    ),
    path(
        "statements/",
        views.PublicationListView.as_view(fixed_type="statement"),
        name="statement-list",
    ),
    path("letters/", views.PublicationListView.as_view(fixed_type="letter"), name="letter-list"),
    path("reports/", views.PublicationListView.as_view(fixed_type="report"), name="report-list"),
    path("stories/", views.PublicationListView.as_view(fixed_type="story"), name="story-list"),
    # Wins over ckeditor_uploader's own upload view (included later in forumasia/urls.py):
    # same URL, so the editor needs no change, but every image is validated and stripped.
    path("ckeditor/upload/", uploads.ckeditor_upload, name="ckeditor-upload"),
]
