"""Settings of the worker subprocesses in the delivery tests: the test settings, e-mail
through the test SMTP server (port from JEMBATAN_TEST_SMTP_PORT), and the fault-injection
point of `dispatch.delivery_send_job` switched on (never in production settings)."""

import os

from config.django.test import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "127.0.0.1"
EMAIL_PORT = int(os.environ.get("JEMBATAN_TEST_SMTP_PORT", "8025"))
EMAIL_USE_TLS = False
EMAIL_TIMEOUT = 5
JEMBATAN_FAULT_INJECTION = True
