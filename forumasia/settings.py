"""Settings for forumasia, read from the environment only.

Every variable is listed in README.md. With DJANGO_DEBUG off (the default) the site refuses
to start on an unsafe configuration instead of running with one.
"""

import ipaddress
import os
import re
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from forumasia.hosts import AllowedHosts
from forumasia.security_headers import add_file_headers

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_networks(name, default=""):
    """Comma-separated addresses or networks (`10.0.0.5`, `10.0.0.0/24`, `::1`), normalised."""
    networks = []
    for item in env_list(name, default):
        try:
            networks.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            message = f"{name}: {item!r} is not an address or a network."
            raise ImproperlyConfigured(message) from None
    return networks


# What marks a secret key as a template's placeholder rather than a secret: one of these words
# (compared without case or separators; none is likely in a random key), fewer different
# characters than a hexadecimal key has, or one short part repeated.
PLACEHOLDER_WORDS = (
    "changeme",
    "replaceme",
    "placeholder",
    "example",
    "secretkey",
    "yoursecret",
    "notsecret",
    "insecure",
    "dummy",
)
MIN_DISTINCT_CHARACTERS = 10
KEY_ADVICE = "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"


def placeholder_reason(key):
    """Why `key` is a placeholder and not a secret ("" when nothing says so)."""
    letters = re.sub(r"[^a-z0-9]", "", key.lower())
    for word in PLACEHOLDER_WORDS:
        if word in letters:
            return f"it contains “{word}”"
    if len(set(key)) < MIN_DISTINCT_CHARACTERS:
        return f"it has only {len(set(key))} different characters"
    if re.fullmatch(r"(.+?)\1+", key, flags=re.DOTALL):
        return "it repeats one short part"
    return ""


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
            f"DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off. {KEY_ADVICE}"
        )
    # Development only: the key `make run` keeps in the git-ignored .secret-key (mode 0600), so
    # editors stay logged in across the development server's reloads; without that file, a key
    # per process. Never read with debug off: production takes DJANGO_SECRET_KEY or refuses.
    SECRET_KEY = debug_secret_key(BASE_DIR / ".secret-key")
elif not DEBUG and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be at least 50 characters long.")
# Rotating the key (README, "Rotate the secret key"): the old key goes here, comma-separated,
# so sessions and signed links made with it stay valid until they expire; then remove it.
SECRET_KEY_FALLBACKS = env_list("DJANGO_SECRET_KEY_FALLBACKS")
# The env template's value, or any other obvious placeholder, signs sessions and newsletter
# links as well as a real key would: anyone who read the template could forge them. A
# placeholder among the fallbacks is refused too: it would still be accepted.
if not DEBUG:
    for name, key in [("DJANGO_SECRET_KEY", SECRET_KEY)] + [
        ("DJANGO_SECRET_KEY_FALLBACKS", fallback) for fallback in SECRET_KEY_FALLBACKS
    ]:
        if reason := placeholder_reason(key):
            raise ImproperlyConfigured(
                f"{name} looks like a placeholder, not a secret ({reason}). {KEY_ADVICE}"
            )

# With the host of the sub-site a request asks for, if any (forumasia/hosts.py).
ALLOWED_HOSTS = AllowedHosts(
    env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1" if DEBUG else "")
)
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = "FORUM-ASIA"
# The one Site row; its domain is kept equal to SITE_URL's host after every migrate
# (forumasia/apps.py), so feeds and sitemaps build the same absolute URLs.
SITE_ID = 1

# --- Applications -----------------------------------------------------------------------------

DJANGO_APPS = [
    # Per-language columns for rows staff write (newsletter/translation.py); it must come before
    # the admin to patch its forms.
    "modeltranslation",
    # django.contrib.admin, with a repair every model admin gets (forumasia/admin_site.py).
    "forumasia.admin_site.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    # Old-URL redirects, made by the services and by publishers in the admin; they need the
    # sites framework (SITE_ID below).
    "django.contrib.sites",
    # Unused: editorial pages were flat pages until their rows moved to pages.Page (pages
    # 0002). Migrations every database has applied (publications 0007, wordpress 0001, pages
    # 0002) name this app, so it stays installed, with no admin, URL or view, until a squash of
    # those migrations lets it go (its table keeps the old rows meanwhile).
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
    # Background work (Tasks section below): the tasks API and its database queue.
    "django_tasks",
    "django_tasks_db",
]
LOCAL_APPS = [
    "forumasia",
    "members",
    "publications",
    "newsletter",
    "mailings",
    # The programme and campaign sites served from this one (subsites/models.py).
    "subsites",
    "pages",
    # The old site's addresses and where they lead now; the WordPress import writes them.
    "oldaddresses",
    "wordpress",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    # First: which sub-site a request is for, by host or address, before any host check
    # (forumasia/hosts.py) or URL resolution (subsites/routing.py).
    "subsites.routing.SubSiteMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Above WhiteNoise, so static files carry the Permissions-Policy too.
    "django_permissions_policy.PermissionsPolicyMiddleware",
    # Serves static files (already compressed, far-future Cache-Control) before anything below.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Uploads under MEDIA_URL, only when DJANGO_SERVE_MEDIA is on (forumasia/media.py); above
    # GZip, which would compress images and PDFs again for nothing.
    "forumasia.media.MediaFilesMiddleware",
    # HTML compressed on the way out; above everything that reads or writes the body. Since
    # Django 4.2 it pads each response with up to 100 random bytes (the "Heal the Breach"
    # mitigation, `max_random_bytes` in django/middleware/gzip.py) and CSRF tokens are masked
    # per response, so pages with forms may be compressed too. Pages from the anonymous page
    # cache arrive already compressed and are passed through (forumasia/cache.py). Files
    # (images, PDFs) are not compressed again (forumasia/compression.py).
    "forumasia.compression.GZipMiddleware",
    # ETag + 304 for If-None-Match; below GZip so the tag is computed on the plain body.
    "django.middleware.http.ConditionalGetMiddleware",
    # `private, no-cache` on every response that does not say it is public.
    "forumasia.cache.CacheControlDefaultMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language is the address's (/th/..., /id/..., English unprefixed): after the session,
    # before CommonMiddleware, whose slash-appending redirect must resolve prefixed addresses.
    "forumasia.locale.AddressLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "forumasia.csp.SiteCSPMiddleware",
    # Every redirect made below (views, the two middlewares under it) stays on the site: one
    # leading anywhere else becomes a 404 (forumasia/redirects.py). Below the header
    # middlewares, so that 404 carries the same headers as any other.
    "forumasia.redirects.OnSiteRedirectsMiddleware",
    # Old WordPress addresses: acts only on / with ?p= or ?page_id= and on a 404.
    "oldaddresses.middleware.WordPressRedirectMiddleware",
    # Only acts on a 404: looks the path up in the editors' redirects (one query); Django's
    # RedirectFallbackMiddleware, answering with paths on this site only.
    "forumasia.redirects.LocalRedirectFallbackMiddleware",
    # Last, as django-axes requires: turns a refused login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "forumasia.urls"
# The URLconf of a sub-site's pages, given its prefix (subsites/routing.py).
SUB_SITE_URLCONF = "forumasia.urls.sub_site_urlconf"
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
                # On a sub-site's pages: the sub-site, its lists and accent colour.
                "subsites.context_processors.sub_site",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------

DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation: the site's queries are short, and the planner's cost estimates for
    # some (the search's typo correction, EXISTS over the archive) pass jit_above_cost, so
    # PostgreSQL spent 100-1,000 ms compiling a query that runs in 2 ms (BENCHMARKS.md, search).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ------------------------------------------------------------------------------------

# Cached pages, the content version and rate-limit counters must be the same for every gunicorn
# worker and every host, or an unpublished item lingers in some workers' copies. Production
# without Redis therefore uses a table in the database, made by `migrate` (forumasia/apps.py);
# a per-process memory cache is for the development server only.
REDIS_URL = os.environ.get("REDIS_URL", "")
DATABASE_CACHE_TABLE = "forumasia_cache"
# Production without Redis (and the query budget tests' cache: tests/conftest.py).
DATABASE_CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": DATABASE_CACHE_TABLE,
        # Django's default of 300 entries would cull cached pages within minutes (one per
        # page and filter combination); every write counts the rows, cheap at this size.
        "OPTIONS": {"MAX_ENTRIES": 5000},
    },
    # The templates' `{% cache %}` fragments (cards, filters, the article) read this alias
    # when it exists. In a table they cost more than they save: a statement per fragment
    # read and a transaction per fragment written (a cold list page: 142 statements, 132 of
    # them the cache's), so they are rendered every time.
    "template_fragments": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
}
if REDIS_URL:
    redis_cache = {
        # django-redis's, clearing only the site's keys (forumasia/cache.py).
        "BACKEND": "forumasia.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "forumasia",
        # A Redis that stops answering fails requests (and /healthz) in seconds instead of
        # holding every worker thread until the load balancer gives up.
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 2, "SOCKET_TIMEOUT": 5},
    }
    # Named, not left to the tag's fallback on "default", which costs an exception per fragment.
    CACHES = {"default": redis_cache, "template_fragments": redis_cache}
elif DEBUG:
    # Both aliases in one memory (the same LOCATION): clearing one clears the other.
    CACHES = {
        alias: {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
        for alias in ("default", "template_fragments")
    }
else:
    CACHES = DATABASE_CACHES

# Whole pages for anonymous visitors (forumasia/cache.py). Off only where a page must be rendered
# on every request: tests counting a view's own queries.
PAGE_CACHE_ENABLED = True
# After an editor's change (not a takedown), how long the page rendered before it may still be
# served while one request renders the new one (forumasia/cache.py); 0: never.
PAGE_STALE_SECONDS = int(os.environ.get("PAGE_STALE_SECONDS", "5"))

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
# No start-up banner ("AXES: BEGIN ...") before every management command's output, and lockout
# log lines name only what is counted (account, address), not the browser.
AXES_VERBOSE = False

# --- Internationalisation ---------------------------------------------------------------------

LANGUAGE_CODE = "en"
# The interface's languages: English unprefixed, the others under /th/ and /id/ (forumasia/urls.py).
# Named in English here; the switcher shows each in its own language (forumasia/locale.py).
LANGUAGES = [
    ("en", "English"),
    ("th", "Thai"),
    ("id", "Indonesian"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Rows staff write in each language (newsletter/translation.py: name_en, name_th, name_ind). The
# list is fixed here, not read from LANGUAGES, so that a language added for a test adds no columns;
# an empty translation shows the English one.
MODELTRANSLATION_LANGUAGES = ("en", "th", "id")
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
TIME_ZONE = "Asia/Bangkok"
USE_I18N = True
# The catalogues of every app and template (manage.py makemessages writes them; README).
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

# --- Static and media -------------------------------------------------------------------------

STATIC_URL = "/static/"
# Where `collectstatic` writes (and WhiteNoise or the web server reads) the static files.
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# The apps' static folders without CKEditor's demo and test HTML pages (forumasia/staticfiles.py).
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "forumasia.staticfiles.AppDirectoriesFinder",
]
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Files only staff may fetch, through a permission-checked view: WordPress exports waiting to
# be imported, subscriber exports waiting to be downloaded. Never under MEDIA_ROOT.
PRIVATE_ROOT = Path(os.environ.get("PRIVATE_ROOT", BASE_DIR / "private"))
STATICFILES_STORAGE_BACKEND = (
    "django.contrib.staticfiles.storage.StaticFilesStorage"
    if DEBUG
    else "whitenoise.storage.CompressedManifestStaticFilesStorage"
)

# One switch: DJANGO_MEDIA_STORAGE=s3 keeps uploads in an S3-compatible bucket (AWS S3, MinIO,
# Ceph, ...) that every app host shares, configured under django-storages' own names; the
# default is the local disk (MEDIA_ROOT and PRIVATE_ROOT).
MEDIA_STORAGE = os.environ.get("DJANGO_MEDIA_STORAGE", "local").strip().lower() or "local"
if MEDIA_STORAGE not in ("local", "s3"):
    raise ImproperlyConfigured("DJANGO_MEDIA_STORAGE must be 'local' (the default) or 's3'.")

# Files of publications live in the private storage and are served by the app after it has
# checked who may see them (forumasia/files.py). With local disk behind nginx, the app may
# hand the sending to nginx instead: this is the prefix of nginx's internal location for the
# private folder (deploy/nginx/forumasia.conf), e.g. /internal/private/. Empty: the app
# streams the file itself (always so on S3: nothing leaves the site).
FILES_ACCEL_REDIRECT = os.environ.get("DJANGO_FILES_ACCEL_REDIRECT", "").strip()
if FILES_ACCEL_REDIRECT and MEDIA_STORAGE != "local":
    raise ImproperlyConfigured("DJANGO_FILES_ACCEL_REDIRECT works with local disk storage only.")
if FILES_ACCEL_REDIRECT and not (
    FILES_ACCEL_REDIRECT.startswith("/") and FILES_ACCEL_REDIRECT.endswith("/")
):
    raise ImproperlyConfigured(
        "DJANGO_FILES_ACCEL_REDIRECT must be a path starting and ending with /, e.g. "
        "/internal/private/."
    )

if MEDIA_STORAGE == "s3":
    AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
    AWS_S3_ENDPOINT_URL = os.environ.get("AWS_S3_ENDPOINT_URL", "").rstrip("/") or None
    AWS_S3_CUSTOM_DOMAIN = os.environ.get("AWS_S3_CUSTOM_DOMAIN", "").strip("/") or None
    AWS_S3_REGION_NAME = os.environ.get("AWS_S3_REGION_NAME") or None
    # Unset: boto3 finds credentials itself (an instance role, ~/.aws): nothing in the env file.
    AWS_ACCESS_KEY_ID = os.environ.get("AWS_ACCESS_KEY_ID") or None
    AWS_SECRET_ACCESS_KEY = os.environ.get("AWS_SECRET_ACCESS_KEY") or None
    AWS_S3_URL_PROTOCOL = os.environ.get("AWS_S3_URL_PROTOCOL", "https:")
    # Path style (https://endpoint/bucket/key) works on every S3-compatible service; AWS
    # itself also serves virtual-hosted names (https://bucket.endpoint/key).
    AWS_S3_ADDRESSING_STYLE = os.environ.get("AWS_S3_ADDRESSING_STYLE", "path")
    # None: the bucket's policy decides who may read (README: the bucket policy in deploy/).
    AWS_DEFAULT_ACL = os.environ.get("AWS_DEFAULT_ACL") or None
    # Public uploads live under AWS_LOCATION, private files under "private/": the bucket
    # policy makes only the first readable by anyone.
    AWS_LOCATION = os.environ.get("AWS_LOCATION", "media").strip("/")
    if not AWS_STORAGE_BUCKET_NAME:
        raise ImproperlyConfigured("DJANGO_MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME.")
    if not (AWS_S3_ENDPOINT_URL or AWS_S3_CUSTOM_DOMAIN):
        raise ImproperlyConfigured(
            "DJANGO_MEDIA_STORAGE=s3 needs AWS_S3_ENDPOINT_URL (e.g. "
            "https://s3.eu-west-1.amazonaws.com) or AWS_S3_CUSTOM_DOMAIN (a CDN's name)."
        )
    if not AWS_LOCATION or AWS_LOCATION == "private" or AWS_LOCATION.startswith("private/"):
        raise ImproperlyConfigured("AWS_LOCATION must be a folder other than private/.")
    # Plain, stable URLs: cacheable by browsers and a CDN, the same on every page render.
    AWS_QUERYSTRING_AUTH = False
    # Django's own rule, which the code relies on: a new file never replaces another one.
    AWS_S3_FILE_OVERWRITE = False
    AWS_S3_OBJECT_PARAMETERS = {"CacheControl": "public, max-age=86400"}
    if AWS_S3_CUSTOM_DOMAIN:
        MEDIA_ORIGIN = f"{AWS_S3_URL_PROTOCOL}//{AWS_S3_CUSTOM_DOMAIN.split('/')[0]}"
        MEDIA_URL = f"{AWS_S3_URL_PROTOCOL}//{AWS_S3_CUSTOM_DOMAIN}/{AWS_LOCATION}/"
    else:
        endpoint = urlsplit(AWS_S3_ENDPOINT_URL)
        if AWS_S3_ADDRESSING_STYLE == "virtual":
            MEDIA_ORIGIN = f"{endpoint.scheme}://{AWS_STORAGE_BUCKET_NAME}.{endpoint.netloc}"
            MEDIA_URL = f"{MEDIA_ORIGIN}/{AWS_LOCATION}/"
        else:
            MEDIA_ORIGIN = f"{endpoint.scheme}://{endpoint.netloc}"
            MEDIA_URL = f"{MEDIA_ORIGIN}/{AWS_STORAGE_BUCKET_NAME}/{AWS_LOCATION}/"
    STORAGES = {
        "default": {"BACKEND": "storages.backends.s3.S3Storage"},
        "private": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "location": "private",
                "default_acl": "private",
                "custom_domain": None,
                "object_parameters": {"CacheControl": "private, no-store"},
            },
        },
        "staticfiles": {"BACKEND": STATICFILES_STORAGE_BACKEND},
    }
else:
    # Local disk: the same origin as the pages (served by the web server in front, or by the
    # app itself with DJANGO_SERVE_MEDIA=1, or by runserver in debug).
    MEDIA_ORIGIN = ""
    MEDIA_URL = "/media/"
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {
                "location": PRIVATE_ROOT,
                "base_url": None,
                # Only the app's user reads them; with FILES_ACCEL_REDIRECT its group too, where
                # nginx is added to send publications' files (README, Production).
                "file_permissions_mode": 0o640 if FILES_ACCEL_REDIRECT else 0o600,
                "directory_permissions_mode": 0o750 if FILES_ACCEL_REDIRECT else 0o700,
            },
        },
        "staticfiles": {"BACKEND": STATICFILES_STORAGE_BACKEND},
    }

# For small installs on one box without a web server configured for /media/: the app serves
# public uploads itself (forumasia/media.py), never private files or folder listings. A web
# server (deploy/nginx/) or object storage does it better; debug serves them anyway.
SERVE_MEDIA = env_bool("DJANGO_SERVE_MEDIA", False)

# Hashed static names never change content, so browsers and CDNs may keep them a year.
WHITENOISE_MAX_AGE = 31536000
# No static file may be framed by another site or run script when opened on its own.
WHITENOISE_ADD_HEADERS_FUNCTION = add_file_headers
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Uploads are public files the web server in front reads, whatever the app's umask (the systemd
# units' UMask=0077 makes everything else the app writes its own).
FILE_UPLOAD_PERMISSIONS = 0o644
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o755

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
# Django's file backend writes files every local user may read; its subclass writes them for
# the site's user only (forumasia/mail.py), so naming either gets the subclass.
if EMAIL_BACKEND == "django.core.mail.backends.filebased.EmailBackend":
    EMAIL_BACKEND = "forumasia.mail.PrivateFileEmailBackend"
# Where the file backend writes each message (erasing a subscriber takes theirs out); it makes
# the folder.
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / "private" / "sent-emails"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "FORUM-ASIA <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Tasks ------------------------------------------------------------------------------------

# Work that must not hold a visitor's or an editor's request (emails, renditions, search-index
# rebuilds, exports, imports) runs as tasks through django-tasks, the backport of Django 6's
# django.tasks. In production they wait in a database table (nothing beyond PostgreSQL) for
# `manage.py db_worker`, on any number of hosts; in debug (`make run`) and in the unit tests
# each task runs at once, in-process, so nothing extra has to run. A task is decorated where its
# function lives; failures are retried with a growing delay (forumasia/retries.py).
TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
TASKS_BACKEND = os.environ.get("DJANGO_TASKS_BACKEND", "immediate" if DEBUG else "database")
if TASKS_BACKEND not in TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"DJANGO_TASKS_BACKEND must be one of {', '.join(TASK_BACKENDS)} (not {TASKS_BACKEND!r})."
    )
# "default" for short work people wait for (emails, renditions); "bulk" for long jobs (exports,
# imports, index rebuilds), so a long import never delays a confirmation email when each queue
# has its own worker (deploy/forumasia-worker@.service).
TASK_QUEUES = ["default", "bulk", "newsletter"]
# Sending newsletter issues (mailings/sending.py) on a queue of its own ("newsletter", one worker:
# deploy/systemd/forumasia-newsletter.service), so that hours of sending never delay a
# confirmation email or an export. The caps hold per issue: one process sends an issue at a time.
# NEWSLETTER_SEND_RATE: messages a second (0: as fast as the mail server takes them);
# NEWSLETTER_SEND_RATE_PER_HOUR: messages an hour, spread evenly (0: no hourly cap). Set them
# below what the mail relay or email service allows (Amazon SES: your account's sending rate).
NEWSLETTER_SEND_RATE = float(os.environ.get("NEWSLETTER_SEND_RATE", "50"))
NEWSLETTER_SEND_RATE_PER_HOUR = int(os.environ.get("NEWSLETTER_SEND_RATE_PER_HOUR", "0"))
# A message refused for now (4xx) is tried again after this many seconds, then twice as long
# each time, at most an hour apart.
NEWSLETTER_FIRST_RETRY_SECONDS = int(os.environ.get("NEWSLETTER_FIRST_RETRY_SECONDS", "60"))
TASKS = {"default": {"BACKEND": TASK_BACKENDS[TASKS_BACKEND], "QUEUES": TASK_QUEUES}}

# --- Rich text --------------------------------------------------------------------------------

# Where publications/uploads.py stores images added in the editor (under MEDIA_ROOT).
CKEDITOR_UPLOAD_PATH = "uploads/"
# Upload URLs are set by forumasia.widgets.NewsroomEditorWidget (they come from reverse()).
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
# The CSRF cookie lasts as long as the browser session (Django's default is a year): a reader
# who once opened a form must not carry a stable identifier of ours for a year.
CSRF_COOKIE_AGE = None
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

# /healthz (forumasia/health.py): the load balancer's addresses or networks (comma-separated;
# the client address as TRUSTED_PROXIES reads it), or a request with
# `Authorization: Bearer <DJANGO_HEALTH_TOKEN>`, get live checks and which part is down; anyone
# else only the status of a check made a few seconds ago.
HEALTH_ALLOWED_IPS = env_networks("DJANGO_HEALTH_ALLOWED_IPS", "127.0.0.1,::1")
HEALTH_TOKEN = os.environ.get("DJANGO_HEALTH_TOKEN", "")

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

MEDIA_ORIGINS = [MEDIA_ORIGIN] if MEDIA_ORIGIN else []
# Public pages: only our own origin, no inline script. The admin gets its own policy in
# forumasia/csp.py (CKEditor 4 needs inline styles, never eval).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # Uploads come from the media origin when they live in object storage or behind a CDN:
        # the site's own files, on another host.
        "img-src": ["'self'", "data:", *MEDIA_ORIGINS],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "media-src": ["'self'", *MEDIA_ORIGINS],
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
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite has no covering indexes (INCLUDE columns): the list indexes are still made, without
    # the columns PostgreSQL reads from them. The zero-set-up database needs no more, and a
    # warning on every `migrate` would look like an error to someone trying the site.
    SILENCED_SYSTEM_CHECKS.append("models.W040")

# --- Newsletter -----------------------------------------------------------------------------

# Days the links in newsletter emails work. A manage link opens someone's subscription, so it
# is short-lived (an expired one offers to mail a fresh one); an unsubscribe link must keep
# working as long as people keep old emails and want out, one-click (RFC 8058) included.
NEWSLETTER_MANAGE_LINK_DAYS = int(os.environ.get("NEWSLETTER_MANAGE_LINK_DAYS", "30"))
NEWSLETTER_UNSUBSCRIBE_LINK_DAYS = int(os.environ.get("NEWSLETTER_UNSUBSCRIBE_LINK_DAYS", "365"))
# Requests that send an email (sign-ups, fresh links) one client may make per window
# (newsletter/ratelimit.py): enough for an office or a workshop behind one NAT address, too few
# to mail-bomb a list of addresses through the form.
# Hours a subscriber export prepared as a file stays in private storage for staff to download;
# `manage.py delete_expired_exports` (deploy/systemd/forumasia-cleanup.timer) deletes it then.
NEWSLETTER_EXPORT_HOURS = int(os.environ.get("NEWSLETTER_EXPORT_HOURS", "24"))
NEWSLETTER_SIGNUP_LIMIT = int(os.environ.get("NEWSLETTER_SIGNUP_LIMIT", "20"))
NEWSLETTER_SIGNUP_WINDOW_SECONDS = int(os.environ.get("NEWSLETTER_SIGNUP_WINDOW_SECONDS", "600"))
# Where bounces of newsletter issues return (a mailbox read by `manage.py read_bounces`); each
# message's return path is this address with its delivery's signed number (mailings/messages.py).
NEWSLETTER_BOUNCE_ADDRESS = os.environ.get("NEWSLETTER_BOUNCE_ADDRESS", "")
# The From of newsletter issues. Its domain is the one SPF and DKIM must align with for DMARC
# (README, "Sending the newsletter: DNS records").
NEWSLETTER_FROM_EMAIL = os.environ.get("NEWSLETTER_FROM_EMAIL", DEFAULT_FROM_EMAIL)
# The List-Id header: mail clients file and filter the newsletter by it (RFC 2919).
NEWSLETTER_LIST_ID = os.environ.get(
    "NEWSLETTER_LIST_ID", f"{SITE_NAME} monthly <monthly.{urlsplit(SITE_URL).hostname}>"
)
# An address whose mail the Secretariat reads, offered beside the one-click link in
# List-Unsubscribe for mail clients that only write (optional).
NEWSLETTER_UNSUBSCRIBE_MAILTO = os.environ.get("NEWSLETTER_UNSUBSCRIBE_MAILTO", "")
# The Secretariat's postal address, in every issue's footer when set (one line).
NEWSLETTER_POSTAL_ADDRESS = os.environ.get("NEWSLETTER_POSTAL_ADDRESS", "")
# DKIM signing of issues sent over SMTP: the signing domain (d=, the From's domain or its parent),
# the selector (s=, the DNS name <selector>._domainkey.<domain>) and the PEM private key. Unset
# key: issues go unsigned (an email service signs them itself). A key named but unreadable stops
# every command (system check mailings.E001) rather than sending unsigned mail.
NEWSLETTER_DKIM_KEY_FILE = os.environ.get("NEWSLETTER_DKIM_KEY_FILE", "")
NEWSLETTER_DKIM_SELECTOR = os.environ.get("NEWSLETTER_DKIM_SELECTOR", "newsletter")
NEWSLETTER_DKIM_DOMAIN = os.environ.get("NEWSLETTER_DKIM_DOMAIN", "")

# --- WordPress import -----------------------------------------------------------------------

# A copy of the old site's wp-content/uploads, for imports started in the admin (optional).
WORDPRESS_MEDIA_DIR = os.environ.get("WORDPRESS_MEDIA_DIR", "")

# --- Logging ----------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # pikepdf announces its C++ logging bridge at INFO when first imported, which would
        # come before every management command's own output.
        "pikepdf": {"level": "WARNING"},
    },
}

# --- Bounces and complaints -------------------------------------------------------------------

# An email service's tracking webhooks (django-anymail, /anymail/<service>/tracking/) answer only
# when ANYMAIL_WEBHOOK_SECRET is set ("user:password", given to the service as the webhook
# URL's basic auth): without it they are not there (mailings/webhooks.py). Mailgun also signs
# its posts, with the key ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY holds.
# An empty one is left out: anymail would take "" for a key.
ANYMAIL = {
    name: value
    for name, value in {
        "WEBHOOK_SECRET": os.environ.get("ANYMAIL_WEBHOOK_SECRET", ""),
        "MAILGUN_WEBHOOK_SIGNING_KEY": os.environ.get("ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY", ""),
    }.items()
    if value
}
# Plain SMTP: the mailbox NEWSLETTER_BOUNCE_ADDRESS delivers to, read by `manage.py
# read_bounces` (deploy/systemd/forumasia-bounces.timer), e.g.
# imaps://bounces%40forum-asia.example:password@mail.forum-asia.example/INBOX.
NEWSLETTER_BOUNCE_IMAP_URL = os.environ.get("NEWSLETTER_BOUNCE_IMAP_URL", "")
