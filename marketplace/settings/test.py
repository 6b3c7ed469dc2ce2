"""Settings for the pytest suite: the real local services from ``make services``.

PostgreSQL, Redis, Elasticsearch and the Stripe emulator are required; a test run against
SQLite or without a broker is refused rather than quietly weaker.
"""

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from marketplace import env

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-secret-key-not-for-any-deployment-0123456789abcdef"  # noqa: S105

# No connection is kept past its request or task (DATABASE_CONN_MAX_AGE unset): an idle worker
# holding a session would stop the tests copying the test database as a template.
DATABASES = {
    "default": dj_database_url.parse(
        env.string(
            "DATABASE_URL",
            default="postgres://marketplace:marketplace@127.0.0.1:5432/marketplace",
            help="",
        ),
        conn_max_age=env.integer("DATABASE_CONN_MAX_AGE", default=0, help=""),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("Tests run on PostgreSQL: set DATABASE_URL to a postgres:// URL.")

CELERY_BROKER_URL = env.string("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/1", help="")
CELERY_RESULT_BACKEND = CELERY_BROKER_URL
# Unit tests run task bodies inline; tests about background work start a real worker.
CELERY_TASK_ALWAYS_EAGER = True

ELASTICSEARCH_INDEX_PREFIX = env.string(
    "ELASTICSEARCH_INDEX_PREFIX", default="test-marketplace", help=""
)

STRIPE_SECRET_KEY = "sk_test_marketplace_emulator"  # noqa: S105
STRIPE_API_BASE = env.string("STRIPE_API_BASE", default="http://127.0.0.1:8420", help="")
STRIPE_MOCK_URL = env.string(
    "STRIPE_MOCK_URL",
    default="http://127.0.0.1:12111",
    help="stripe-mock, the request-validating Stripe emulator used by the tests.",
)
STRIPE_WEBHOOK_SECRET = "whsec_test_marketplace"  # noqa: S105

# Pages render on every read, as the tests change rows directly; the page cache's tests switch
# it on.
PAGE_CACHE_SECONDS = 0

# The suite's own requests would trip the limits; their tests switch them on.
RATE_LIMITS_ENABLED = False

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = BASE_DIR / "var" / "test-media"  # noqa: F405
PRIVATE_MEDIA_ROOT = BASE_DIR / "var" / "test-private-media"  # noqa: F405
STORAGES = {
    **STORAGES,  # noqa: F405
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": None},
    },
}
# The suite pays on the Stripe emulator whatever keys the environment holds.
PAYMENTS_LOCAL_TEST_MODE = True
