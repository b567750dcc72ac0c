"""Settings for forumasia, read from the environment only.

Every variable is listed in README.md. With DJANGO_DEBUG off (the default) the site refuses
to start on an unsafe configuration instead of running with one.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# --- Core -------------------------------------------------------------------------------------

DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off. "
            "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    # Development only: a per-process key, so nothing signed in debug mode outlives the process.
    import secrets

    SECRET_KEY = "debug-only-" + secrets.token_urlsafe(50)
elif not DEBUG and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be at least 50 characters long.")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1" if DEBUG else "")
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = "FORUM-ASIA"
# The one Site row; its domain is kept equal to SITE_URL's host after every migrate
# (forumasia/apps.py), so feeds, sitemaps and flatpages build the same absolute URLs.
SITE_ID = 1

# --- Applications -----------------------------------------------------------------------------

DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    # Editorial pages (About, Our approach, ...) and old-URL redirects editors manage in the
    # admin; both need the sites framework (SITE_ID below).
    "django.contrib.sites",
    "django.contrib.flatpages",
    "django.contrib.redirects",
]
THIRD_PARTY_APPS = [
    "taggit",
    # The editor widget and its static files only. ckeditor_uploader (django-ckeditor's
    # upload and browse views) is not installed: editor uploads go to publications/uploads.py.
    "ckeditor",
    "csp",
]
LOCAL_APPS = [
    "forumasia",
    "members",
    "publications",
    "newsletter",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Serves static files (already compressed, far-future Cache-Control) before anything below.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # HTML compressed on the way out; above everything that reads or writes the body. Since
    # Django 4.2 it pads each response with up to 100 random bytes (the "Heal the Breach"
    # mitigation, `max_random_bytes` in django/middleware/gzip.py) and CSRF tokens are masked
    # per response, so pages with forms may be compressed too. Pages from the anonymous page
    # cache arrive already compressed and are passed through (forumasia/cache.py).
    "django.middleware.gzip.GZipMiddleware",
    # ETag + 304 for If-None-Match; below GZip so the tag is computed on the plain body.
    "django.middleware.http.ConditionalGetMiddleware",
    # `private, no-cache` on every response that does not say it is public.
    "forumasia.cache.CacheControlDefaultMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "forumasia.csp.SiteCSPMiddleware",
    # Only acts on a 404: looks the path up in the editors' redirects (one query).
    "django.contrib.redirects.middleware.RedirectFallbackMiddleware",
]

ROOT_URLCONF = "forumasia.urls"
WSGI_APPLICATION = "forumasia.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "forumasia.context_processors.site",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")

# --- Cache ------------------------------------------------------------------------------------

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "forumasia",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Auth -------------------------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"

# --- Internationalisation ---------------------------------------------------------------------

LANGUAGE_CODE = "en"
TIME_ZONE = "Asia/Bangkok"
USE_I18N = True
USE_TZ = True

# --- Static and media -------------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# The apps' static folders without CKEditor's demo and test HTML pages (forumasia/staticfiles.py).
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "forumasia.staticfiles.AppDirectoriesFinder",
]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Hashed static names never change content, so browsers and CDNs may keep them a year.
WHITENOISE_MAX_AGE = 31536000
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o644

# --- Email ------------------------------------------------------------------------------------

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "FORUM-ASIA <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Rich text --------------------------------------------------------------------------------

# Where publications/uploads.py stores images added in the editor (under MEDIA_ROOT).
CKEDITOR_UPLOAD_PATH = "uploads/"
# Upload URLs are set by publications.admin.NewsroomEditorWidget (they come from reverse()).
CKEDITOR_CONFIGS = {
    "default": {
        "toolbar": "newsroom",
        "toolbar_newsroom": [
            ["Format"],
            ["Bold", "Italic", "RemoveFormat"],
            ["NumberedList", "BulletedList", "Blockquote"],
            ["Link", "Unlink"],
            ["Image", "Table", "HorizontalRule"],
            ["Undo", "Redo"],
            ["Source", "Maximize"],
        ],
        "format_tags": "p;h2;h3;h4",
        "removePlugins": "exportpdf",
        # Pasted and dropped images are uploaded (and stripped) instead of being inlined as
        # data: URLs; clipboard_handleImages off is what uploadimage expects (else it warns
        # "clipboard-image-handling-disabled" and turns it off itself).
        "extraPlugins": "uploadimage",
        "clipboard_handleImages": False,
        # The Image dialog's Upload tab sends the file by XHR and reads JSON; the default
        # "form" method needs the server to answer with inline script, which the admin's
        # Content-Security-Policy refuses.
        "filebrowserUploadMethod": "xhr",
        "height": 360,
        "width": "100%",
    }
}

# --- Security ---------------------------------------------------------------------------------

SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
# A proxy that terminates TLS tells us the original scheme in this header.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = 0 if DEBUG else 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Public pages: only our own origin, no inline script. The admin gets its own policy in
# forumasia/csp.py (CKEditor 4 needs inline styles, never eval).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "media-src": ["'self'"],
        "frame-src": [
            "https://www.youtube-nocookie.com",
            "https://player.vimeo.com",
            "https://w.soundcloud.com",
        ],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

SILENCED_SYSTEM_CHECKS = [
    # django-ckeditor bundles CKEditor 4.22.1, which is end-of-life. We accept that because the
    # editor is not our security boundary: every rich-text field is sanitised with nh3 on save
    # (forumasia/sanitise.py) and the admin runs under a strict Content-Security-Policy without
    # 'unsafe-eval', so script smuggled through the editor is neither stored nor executed.
    "ckeditor.W001",
]

# --- Newsletter -----------------------------------------------------------------------------

# How many reverse proxies (load balancer, CDN) stand in front of the app and append to
# X-Forwarded-For. 0 trusts only the connecting address; too high a number would let a visitor
# forge their address and escape the sign-up rate limit.
NEWSLETTER_TRUSTED_PROXIES = int(os.environ.get("NEWSLETTER_TRUSTED_PROXIES", "0"))

# --- Logging ----------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
