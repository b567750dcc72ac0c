"""The test profile: the real settings module, read with a test environment.

Only what a test run needs differs: a throwaway secret, no HTTPS redirect or secure-only
cookies (the live server speaks plain HTTP), a fast password hasher, tasks run in-process.
"""

import os

os.environ.setdefault("DJANGO_DEBUG", "0")
# Random-looking, as production requires (a placeholder such as "x" * 50 is refused).
os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-Qm3vX8pLr2Tz7Nw4Ks9Hy6Bd1Fg5Jc0Ue8Ai3Op7Wl2")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,testserver")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
# Tasks run at once, in the test's process (the database queue has tests of its own).
os.environ.setdefault("DJANGO_TASKS_BACKEND", "immediate")

from forumasia.settings import *  # noqa: E402,F403

SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Both aliases in one memory (the same LOCATION): clearing one clears the other.
CACHES = {
    alias: {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    for alias in ("default", "template_fragments")
}
WHITENOISE_AUTOREFRESH = True  # no collectstatic in tests
