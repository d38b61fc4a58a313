"""Production: everything from the environment; HTTPS only; `check --deploy` clean."""

from config.django.base import *  # noqa: F403
from config.env import env_bool, env_int

DEBUG = False
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
# A shared cache keeps axes lock-outs consistent across workers in production.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
