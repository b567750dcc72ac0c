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
    # The editor's only upload route (paste, drop, Image dialog): validated and stripped.
    # django-ckeditor's own upload and browse views are deliberately not routed.
    path("ckeditor/upload/", uploads.ckeditor_upload, name="ckeditor-upload"),
]
