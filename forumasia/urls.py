from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.decorators.cache import cache_page

from . import views
from .sitemaps import sitemaps

admin.site.site_header = "forumasia administration"
admin.site.site_title = "forumasia administration"
admin.site.index_title = "Publish and manage the site"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots-txt"),
    path(
        "sitemap.xml",
        cache_page(3600)(sitemap),
        {"sitemaps": sitemaps},
        name="sitemap",
    ),
    path("", include("members.urls")),
    path("", include("publications.urls")),
    path("newsletter/", include("newsletter.urls")),
    path("ckeditor/", include("ckeditor_uploader.urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
