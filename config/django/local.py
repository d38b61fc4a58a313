"""Local development and `make run`: embedded SQLite, e-mail to files, DEBUG on by default."""

import os

os.environ.setdefault("SECRET_KEY", "local-development-only-not-secret")  # noqa: S105 (dev default)
os.environ.setdefault("DEBUG", "true")

from config.django.base import *  # noqa: E402,F403

WHITENOISE_USE_FINDERS = True
