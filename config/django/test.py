"""Test settings: fast hasher, locmem e-mail, same database task queue as production."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-not-secret")  # noqa: S105 (test default)
os.environ["DEBUG"] = "false"

from config.django.base import *  # noqa: E402,F403
from config.django.base import BASE_DIR, DATABASES  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not :memory:, so a worker subprocess can share the test database.
    # JEMBATAN_TEST_DB_SUFFIX keeps parallel runs (several checkouts, helpers) apart.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    suffix = os.environ.get("JEMBATAN_TEST_DB_SUFFIX", "")
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / f"test-{suffix}{worker}.sqlite3")}
# Serve static files from the apps directly: tests never run collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
