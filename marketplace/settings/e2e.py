"""Settings for the live site the browser tests drive: the test settings, with background work on
a real Celery worker and outgoing mail written to files the tests can read (verification links).

Both follow from the database name, so two runs on one machine keep to their own queue and mail.
"""

from .test import *  # noqa: F403

_SITE = DATABASES["default"]["NAME"]  # noqa: F405

# Browser and fuzz tests go faster than a person; the limits have tests of their own.
RATE_LIMITS_ENABLED = False
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_DEFAULT_QUEUE = f"site-{_SITE}"
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = BASE_DIR / "var" / "e2e-mail" / _SITE  # noqa: F405
