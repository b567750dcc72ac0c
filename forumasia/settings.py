"""Settings for forumasia, read from the environment only.

Every variable is listed in README.md. With DJANGO_DEBUG off (the default) the site refuses
to start on an unsafe configuration instead of running with one.
"""

import os
import secrets
from datetime import timedelta
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


def debug_secret_key(path):
    """The development key kept in `path`, or a fresh one for this process when there is none."""
    try:
        key = path.read_text().strip()
    except FileNotFoundError:
        key = ""
    return key or "debug-only-" + secrets.token_urlsafe(50)


# --- Core -------------------------------------------------------------------------------------

DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off. "
            "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    # Development only: the key `make run` keeps in the git-ignored .secret-key (mode 0600), so
    # editors stay logged in across the development server's reloads; without that file, a key
    # per process. Never read with debug off: production takes DJANGO_SECRET_KEY or refuses.
    SECRET_KEY = debug_secret_key(BASE_DIR / ".secret-key")
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
    # Login guard: counts failed logins per account and per client (Auth section below).
    "axes",
    # Revisions of publications, members and editorial pages (forumasia/history.py).
    "reversion",
]
LOCAL_APPS = [
    "forumasia",
    "members",
    "publications",
    "newsletter",
    "pages",
    "wordpress",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Above WhiteNoise, so static files carry the Permissions-Policy too.
    "django_permissions_policy.PermissionsPolicyMiddleware",
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
    # Old WordPress addresses: acts only on / with ?p= or ?page_id= and on a 404.
    "wordpress.middleware.WordPressRedirectMiddleware",
    # Only acts on a 404: looks the path up in the editors' redirects (one query).
    "django.contrib.redirects.middleware.RedirectFallbackMiddleware",
    # Last, as django-axes requires: turns a refused login into the lockout page.
    "axes.middleware.AxesMiddleware",
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

# --- Cache ------------------------------------------------------------------------------------

# Cached pages, the content version and rate-limit counters must be the same for every gunicorn
# worker and every host, or an unpublished item lingers in some workers' copies. Production
# without Redis therefore uses a table in the database, made by `migrate` (forumasia/apps.py);
# a per-process memory cache is for the development server only.
REDIS_URL = os.environ.get("REDIS_URL", "")
DATABASE_CACHE_TABLE = "forumasia_cache"
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "forumasia",
        }
    }
elif DEBUG:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": DATABASE_CACHE_TABLE,
            # Django's default of 300 entries would cull cached pages within minutes (one per
            # page and filter combination); every write counts the rows, cheap at this size.
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }

# Whole pages for anonymous visitors (forumasia/cache.py). Off only where a page must be rendered
# on every request: tests counting a view's own queries.
PAGE_CACHE_ENABLED = True

# --- Auth -------------------------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out account or client before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Password guessing on /admin/login/ (django-axes). Failures are counted separately per account
# (a guesser spreading over many addresses) and per client address (one address trying many
# accounts); either reaching the limit locks until the cool-off has passed with no further
# failure. The price of the per-account count is that a stranger can keep one account locked:
# a superuser unlocks it (README, "Unlocking a login"). Attempts are stored in the database,
# so every worker and host sees the same counts.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
# A successful login does not wipe the failures: it would also wipe its address's count, so
# anyone with one working account could go on guessing the others.
AXES_RESET_ON_SUCCESS = False
# The same address the rest of the site uses (TRUSTED_PROXIES, Security section).
AXES_CLIENT_IP_CALLABLE = "forumasia.clients.client_address"
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
# No permanent record of where staff log in from: failures are kept for the cool-off only.
AXES_DISABLE_ACCESS_LOG = True

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
# Where the file backend (EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend) writes
# each message; it makes the folder.
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / "private" / "sent-emails"))
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

# How many reverse proxies (load balancer, CDN) stand in front of the app and append to
# X-Forwarded-For (forumasia/clients.py). 0 trusts only the connecting address; too high a
# number would let a visitor forge their address and escape the login lockout and the sign-up
# rate limit. NEWSLETTER_TRUSTED_PROXIES is the variable's former name, still read.
TRUSTED_PROXIES = int(
    os.environ.get("DJANGO_TRUSTED_PROXIES") or os.environ.get("NEWSLETTER_TRUSTED_PROXIES") or "0"
)

# Powerful browser features no page of ours uses are switched off for the page and anything
# embedded in it (django-permissions-policy). The players a visitor chooses to load (the same
# hosts as frame-src below) keep what they need to play. Only features Chromium knows: it logs
# an error for any other (tests/e2e/test_permissions_policy.py).
MEDIA_PLAYERS = [
    "https://www.youtube-nocookie.com",
    "https://player.vimeo.com",
    "https://w.soundcloud.com",
]
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "autoplay": ["self", *MEDIA_PLAYERS],
    "browsing-topics": [],
    "camera": [],
    "display-capture": [],
    "encrypted-media": ["self", *MEDIA_PLAYERS],
    "fullscreen": ["self", *MEDIA_PLAYERS],
    "geolocation": [],
    "gyroscope": [],
    "hid": [],
    "idle-detection": [],
    "interest-cohort": [],
    "local-fonts": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "picture-in-picture": ["self", *MEDIA_PLAYERS],
    "publickey-credentials-get": [],
    "screen-wake-lock": [],
    "serial": [],
    "usb": [],
    "xr-spatial-tracking": [],
}

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
        "frame-src": MEDIA_PLAYERS,
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

# Days the links in newsletter emails work. A manage link opens someone's subscription, so it
# is short-lived (an expired one offers to mail a fresh one); an unsubscribe link must keep
# working as long as people keep old emails and want out, one-click (RFC 8058) included.
NEWSLETTER_MANAGE_LINK_DAYS = int(os.environ.get("NEWSLETTER_MANAGE_LINK_DAYS", "30"))
NEWSLETTER_UNSUBSCRIBE_LINK_DAYS = int(os.environ.get("NEWSLETTER_UNSUBSCRIBE_LINK_DAYS", "365"))
# Requests that send an email (sign-ups, fresh links) one client may make per window
# (newsletter/ratelimit.py): enough for an office or a workshop behind one NAT address, too few
# to mail-bomb a list of addresses through the form.
NEWSLETTER_SIGNUP_LIMIT = int(os.environ.get("NEWSLETTER_SIGNUP_LIMIT", "20"))
NEWSLETTER_SIGNUP_WINDOW_SECONDS = int(os.environ.get("NEWSLETTER_SIGNUP_WINDOW_SECONDS", "600"))

# --- WordPress import -----------------------------------------------------------------------

# Exports uploaded in the admin wait here until imported, then are deleted. Never under
# MEDIA_ROOT: an export holds drafts and private posts. Several app hosts must share it.
WORDPRESS_EXPORTS_DIR = Path(
    os.environ.get("WORDPRESS_EXPORTS_DIR", BASE_DIR / "private" / "wordpress-exports")
)
# A copy of the old site's wp-content/uploads, for imports started in the admin (optional).
WORDPRESS_MEDIA_DIR = os.environ.get("WORDPRESS_MEDIA_DIR", "")

# --- Logging ----------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
