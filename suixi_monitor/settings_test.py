"""Test settings: the real settings with a fast password hasher and eager Celery.

Tests that need a real broker start a worker themselves and say so.
"""

from .settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Live-server threads (browser tests) must not keep connections open past a
# request, or PostgreSQL refuses to drop the test database at the end.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# Tests serve static files from the app folders (no collectstatic run needed).
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
