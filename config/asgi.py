"""ASGI entry point (only for servers that need it; the app is sync, WSGI is faster)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.django.production")
application = get_asgi_application()
