"""The site's URLs: each app's own, by name (the project package imports no app).

The public pages answer in each interface language (settings.LANGUAGES): English at the
addresses they always had, the others under /th/ and /id/ (forumasia/locale.py). What is not
read as a page stays unprefixed, one address each: the admin (staff work in English), files,
feeds, sitemaps, the email services' webhooks, health, robots.txt and the favicon.
"""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from forumasia.files import FILES_URL, serve_file

# The admin's name is in templates/admin/base_site.html (its title and branding blocks).
admin.site.index_title = "Publish and manage the site"

urlpatterns = [
    path("feeds/", include("publications.feed_urls")),
    path("feeds/newsletter/", include("mailings.feed_urls")),
    path("admin/", admin.site.urls),
    # Email services' bounce and complaint webhooks (django-anymail), only with a secret set.
    path("anymail/", include("mailings.webhook_urls")),
    # Files of publications (and any owner registered with forumasia.files): only while public.
    path(FILES_URL.lstrip("/") + "<path:name>", serve_file, name="owned-file"),
    # Sitemaps, health, robots.txt and the favicon.
    path("", include("pages.site_urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Publications, the newsletter, then home, search, the members section (directory, member and
# country pages) and the editorial pages. Last: an editorial page may have any address no
# application URL has.
urlpatterns += i18n_patterns(
    path("", include("publications.urls")),
    # The sign-up page with the latest issues, the archive and sent issues' web versions, before
    # the newsletter's own addresses (confirm/, manage/...), which an issue's slug never takes.
    path("newsletter/", include("mailings.urls")),
    path("newsletter/", include("newsletter.urls")),
    path("", include("pages.urls")),
    prefix_default_language=False,
)
