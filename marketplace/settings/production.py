"""Production settings: refuses to start on development defaults.

Everything else comes from the environment (see the README's table).
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import (
    CACHE_URL,
    CELERY_BROKER_URL,
    DATABASES,
    DEVELOPMENT_SECRET_KEY,
    EMAIL_HOST,
    SECRET_KEY,
    SITE_URL,
    STRIPE_PUBLISHABLE_KEY,
    STRIPE_SECRET_KEY,
    STRIPE_WEBHOOK_SECRET,
)

if SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of 50 or more characters in production "
        '(e.g. python -c "import secrets; print(secrets.token_urlsafe(64))").'
    )
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("Production runs on PostgreSQL: set DATABASE_URL to postgres://...")
if not CELERY_BROKER_URL:
    raise ImproperlyConfigured(
        "CELERY_BROKER_URL must point at Redis or RabbitMQ in production; "
        "background work is never run inline there."
    )

if not EMAIL_HOST:
    raise ImproperlyConfigured(
        "EMAIL_HOST must name an SMTP server in production: sign-up verification, password "
        "resets and invitations are sent by email."
    )
if not CACHE_URL.startswith(("redis://", "rediss://")):
    raise ImproperlyConfigured(
        "CACHE_URL must point at Redis in production (redis://host:6379/2): sign-in throttling and "
        "rate limits must be shared by every process."
    )
if not SITE_URL.startswith("https://"):
    raise ImproperlyConfigured(
        "SITE_URL must be the public https:// address of the site (links in emails use it)."
    )

# Payments: real Stripe keys, never the local emulator and its test-card page.
_missing_stripe = [
    name
    for name, value in (
        ("STRIPE_SECRET_KEY", STRIPE_SECRET_KEY),
        ("STRIPE_PUBLISHABLE_KEY", STRIPE_PUBLISHABLE_KEY),
        ("STRIPE_WEBHOOK_SECRET", STRIPE_WEBHOOK_SECRET),
    )
    if not value
]
if _missing_stripe:
    raise ImproperlyConfigured(
        f"{', '.join(_missing_stripe)} must be set in production (from the Stripe dashboard: "
        "API keys, and the webhook endpoint's signing secret); without them milestones cannot "
        "be paid, and the local test-card page is never offered there."
    )
PAYMENTS_LOCAL_TEST_MODE = False

DEBUG = False

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = True
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"

WHITENOISE_USE_FINDERS = False
WHITENOISE_AUTOREFRESH = False
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
