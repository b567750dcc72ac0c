"""The site as forumasia.wsgi serves it, plus /media/ served by WhiteNoise.

Only for the page-weight run: in production media come from object storage behind a CDN; here
something must answer /media/ so the browser can load images at all.
"""

from django.conf import settings
from whitenoise import WhiteNoise

from forumasia.wsgi import application as site

application = WhiteNoise(site, max_age=3600)
application.add_files(str(settings.MEDIA_ROOT), prefix=settings.MEDIA_URL)
