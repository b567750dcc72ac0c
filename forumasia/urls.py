"""The site's URLs: each app's own, by name (the project package imports no app)."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from forumasia.files import FILES_URL, serve_file

# The admin's name is in templates/admin/base_site.html (its title and branding blocks).
admin.site.index_title = "Publish and manage the site"

urlpatterns = [
    path("", include("publications.urls")),
    path("feeds/", include("publications.feed_urls")),
    path("newsletter/", include("newsletter.urls")),
    path("admin/", admin.site.urls),
    # Files of publications (and any owner registered with forumasia.files): only while public.
    path(FILES_URL.lstrip("/") + "<path:name>", serve_file, name="owned-file"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Home, search, the members section (directory, member and country pages), sitemaps, health,
# robots and the editorial pages. Last: an editorial page may have any address no application
# URL has.
urlpatterns += [path("", include("pages.urls"))]
