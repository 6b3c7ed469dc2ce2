"""Settings shared by every environment.

Defaults are the zero-configuration local site: SQLite, tasks run inline, the local services that
``make services`` starts. Production (``marketplace.settings.production``) and tests
(``marketplace.settings.test``) adjust these.
"""

from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
import orjson
from django.utils.translation import gettext_lazy as _

from marketplace import env

BASE_DIR = Path(__file__).resolve().parent.parent.parent

DEVELOPMENT_SECRET_KEY = "django-insecure-local-development-only-never-use-in-production"

SECRET_KEY = env.string(
    "SECRET_KEY",
    default=DEVELOPMENT_SECRET_KEY,
    help="Django's signing key. Required (50+ random characters) in production.",
)
DEBUG = env.boolean("DEBUG", default=True, help="Debug pages and reloading; false in production.")
ALLOWED_HOSTS = env.strings(
    "ALLOWED_HOSTS",
    default="127.0.0.1,localhost",
    help="Comma-separated host names the site answers to.",
)
SITE_URL = env.string(
    "SITE_URL",
    default="http://127.0.0.1:8000",
    help="Public base URL, used in emails and admin links.",
).rstrip("/")
CSRF_TRUSTED_ORIGINS = [SITE_URL]

INSTALLED_APPS = [
    # The marketplace
    "marketplace.accounts",
    "marketplace.catalog",
    "marketplace.compliance",
    "marketplace.contracting",
    "marketplace.jobs",
    "marketplace.ops",
    "marketplace.trust",
    "marketplace.agreements",
    "marketplace.notifications",
    "marketplace.billing",
    "django_otp",
    "django_otp.plugins.otp_email",
    "cms",
    "search",
    "payments",
    # Wagtail
    "wagtail.contrib.redirects",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # Sign-up, sign-in, email verification, password reset
    "allauth",
    "allauth.account",
    # API
    "rest_framework",
    "drf_spectacular",
    # Django
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "marketplace.csp.SitePolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "marketplace.page_cache.AnonymousPageCacheMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "marketplace.db_routing.ReplicaReadsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "marketplace.ratelimit.RateLimitMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
WAGTAILADMIN_LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:dashboard"
# Accounts are email addresses, verified before first sign-in.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[CRO Marketplace] "
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
# A signed-in user sent to sign-in (say, a viewer opening the admin) sees the form and Wagtail's
# "no permission" message, instead of bouncing back to where they came from, forever.
ACCOUNT_AUTHENTICATED_LOGIN_REDIRECTS = False
# Sign-in throttling (allauth's own, in the shared cache): after 5 failed attempts for one
# address, that address waits 5 minutes; one client address gets 10 failures a minute.
# (allauth's other limits keep their defaults: sign-up 20 a minute per address, and so on.)
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/300s/key"}
# How many proxies in front of the site append to X-Forwarded-For: the client's address is read
# from there (for the limits above and below), else from the connection.
ALLAUTH_TRUSTED_PROXY_COUNT = int(
    env.string(
        "TRUSTED_PROXY_COUNT",
        default="0",
        help="Proxies in front of the site that append to X-Forwarded-For (1 behind one).",
    )
)

# Rate limits (marketplace/ratelimit.py): name, methods, path, requests per window, window (s).
RATE_LIMITS = [
    ("search", ("GET",), r"^/(search/|jobs/|api/v1/search/)", 120, 60),
    ("rfq", ("POST",), r"^/(deals/rfqs/new/|api/v1/rfqs/$)", 30, 3600),
    ("application", ("POST",), r"^/applications/apply/\d+/$", 20, 3600),
]
RATE_LIMITS_ENABLED = env.boolean(
    "RATE_LIMITS_ENABLED",
    default=True,
    help="Answer 429 past the rate limits; off only for load tests of the site's capacity.",
)

# The cache: counters and throttles shared by every process. Redis in production (a miss, not an
# error, while Redis is down); memory of one process for the local site.
CACHE_URL = env.string(
    "CACHE_URL",
    default="",
    help="Shared cache, redis://host:6379/2. Empty: each process's memory (local site only).",
)
CACHES = {
    "default": (
        {"BACKEND": "marketplace.cache.FailOpenRedisCache", "LOCATION": CACHE_URL,
         "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}  # fmt: skip

PAGE_CACHE_SECONDS = env.integer(
    "PAGE_CACHE_SECONDS",
    default=300,
    help="How long a public page read without a session is kept (marketplace/page_cache.py); "
    "publishing anything starts afresh. 0: every read renders.",
)

# Content Security Policy: scripts, styles and frames from this site (and Stripe's payment form
# where it is used); nothing inline, no framing of the site.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", "https://js.stripe.com"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'", "https://api.stripe.com"],
        "frame-src": ["https://js.stripe.com", "https://hooks.stripe.com"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

EMAIL_HOST = env.string(
    "EMAIL_HOST",
    default="",
    help="SMTP server for outgoing mail. Empty: mail is printed to the console.",
)
EMAIL_PORT = int(env.string("EMAIL_PORT", default="587", help="SMTP port."))
EMAIL_HOST_USER = env.string("EMAIL_HOST_USER", default="", help="SMTP user name.")
EMAIL_HOST_PASSWORD = env.string("EMAIL_HOST_PASSWORD", default="", help="SMTP password.")
EMAIL_USE_TLS = EMAIL_PORT == 587
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env.string(
    "DEFAULT_FROM_EMAIL",
    default="CRO Marketplace <no-reply@marketplace.local>",
    help="The sender of the site's emails.",
)
# Signing a contract again proves who signs: the password, or a code emailed by django-otp, valid
# for ten minutes, one a minute at most; wrong codes slow further tries down (its throttle).
OTP_EMAIL_SENDER = DEFAULT_FROM_EMAIL
OTP_EMAIL_SUBJECT = "Your signing code · 您的签署验证码"
OTP_EMAIL_BODY_TEMPLATE_PATH = "agreements/email/signing_code.txt"
OTP_EMAIL_TOKEN_VALIDITY = 600
ROOT_URLCONF = "marketplace.urls"
WSGI_APPLICATION = "marketplace.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "marketplace" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "marketplace.notifications.context_processors.unread_notifications",
            ],
        },
    },
]

# Database: SQLite for the zero-setup local site; PostgreSQL everywhere else.
DATABASE_URL = env.string(
    "DATABASE_URL",
    default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
    help="Database, as a URL: postgres://user:password@host:5432/name or sqlite:///path.",
)
# Connections are kept between requests and tasks (checked before reuse: a restarted database
# costs one reconnect, not an error).
DATABASE_CONN_MAX_AGE = env.integer(
    "DATABASE_CONN_MAX_AGE",
    default=60,
    help="Seconds a process keeps its database connection for later requests and tasks; "
    "0 behind a transaction-pooling proxy.",
)
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=DATABASE_CONN_MAX_AGE, conn_health_checks=True
    )
}
# A streaming replica for reads that tolerate a little lag (marketplace/db_routing.py).
DATABASE_REPLICA_URL = env.string(
    "DATABASE_REPLICA_URL",
    default="",
    help="A streaming replica of DATABASE_URL (postgres://...), read by public pages, search and "
    "reports. Empty: every read goes to DATABASE_URL.",
)
DATABASE_REPLICA_STICKY_SECONDS = env.integer(
    "DATABASE_REPLICA_STICKY_SECONDS",
    default=10,  # longer than the most lag read (below) and the health check's second
    help="Seconds a browser that has just written reads only the primary (its own writes).",
)
DATABASE_REPLICA_MAX_LAG_SECONDS = env.integer(
    "DATABASE_REPLICA_MAX_LAG_SECONDS",
    default=5,
    help="A replica further behind than this is not read until it catches up.",
)
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=DATABASE_CONN_MAX_AGE, conn_health_checks=True
    )
    DATABASES["replica"].setdefault("OPTIONS", {})["connect_timeout"] = 2
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["marketplace.db_routing.PrimaryReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages: English and Simplified Chinese ship.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "marketplace" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "marketplace" / "static"]
# WhiteNoise serves static files from the web process; locally it reads the app folders directly
# (collectstatic is a deployment step, see production.py).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(
    env.string(
        "MEDIA_ROOT",
        default=str(BASE_DIR / "media"),
        help="Where uploaded files are stored on disk.",
    )
)
# Deal documents (RFQ attachments, message files): never under MEDIA_URL, served only by views
# that check who asks. On object storage, point this at a private bucket.
PRIVATE_MEDIA_ROOT = Path(
    env.string(
        "PRIVATE_MEDIA_ROOT",
        default=str(BASE_DIR / "private-media"),
        help="Where confidential deal documents are stored; never served directly.",
    )
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": None},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Deal documents: PDF and Office files up to this size.
DEAL_DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
# Candidates' CVs: PDF up to this size.
CV_MAX_BYTES = 5 * 1024 * 1024

# Wagtail. Its own admin search uses the database backend, so editing never depends on
# Elasticsearch; the buyer-facing capability search is the `search` app's.
WAGTAIL_SITE_NAME = "CRO Marketplace"
# Email addresses and passwords change only through allauth (verified, throttled), never in
# Wagtail's own account settings.
WAGTAIL_EMAIL_MANAGEMENT_ENABLED = False
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
# No calls to gravatar.com from the admin (nor from China, where it is often unreachable).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx", "pptx", "csv", "txt"]

# Elasticsearch: the buyer-facing search engine (see search/).
ELASTICSEARCH_URL = env.string(
    "ELASTICSEARCH_URL",
    default="http://127.0.0.1:9200",
    help="Elasticsearch node or cluster URL (comma-separate several nodes).",
)
ELASTICSEARCH_INDEX_PREFIX = env.string(
    "ELASTICSEARCH_INDEX_PREFIX",
    default="marketplace",
    help="Prefix of every index and alias name, so several sites can share a cluster.",
)
ELASTICSEARCH_TIMEOUT_SECONDS = 5
# Shards and replicas of every index: one shard (the indexes are small), no replica on one node;
# a cluster of three keeps one copy of every shard on another node.
ELASTICSEARCH_INDEX_SETTINGS = {
    "number_of_shards": env.integer(
        "ELASTICSEARCH_SHARDS", default=1, help="Primary shards of each search index."
    ),
    "number_of_replicas": env.integer(
        "ELASTICSEARCH_REPLICAS",
        default=0,
        help="Replicas of each shard of each search index (1 on a cluster of three nodes).",
    ),
}

# Celery. Without a broker, tasks run inline in the web process (the local demo).
CELERY_BROKER_URL = env.string(
    "CELERY_BROKER_URL",
    default="",
    help="Celery broker (redis://127.0.0.1:6379/0 or amqp://...). Empty: tasks run inline.",
)
CELERY_RESULT_BACKEND = env.string(
    "CELERY_RESULT_BACKEND",
    default="",
    help="Where task results are kept. Empty: the broker, when it is Redis; else none.",
) or (CELERY_BROKER_URL if CELERY_BROKER_URL.startswith("redis") else None)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
# The default queue; search and payment tasks go to "<this>.search" and "<this>.payments"
# (marketplace/celery.py), each worker consuming the ones it is for.
CELERY_TASK_DEFAULT_QUEUE = env.string(
    "CELERY_QUEUE",
    default="marketplace",
    help="Name of the default Celery queue; search and payment tasks go to <name>.search and "
    "<name>.payments.",
)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Celery's Django fixup closes the database connection around every task unless told to reuse
# it; marketplace/celery.py closes old or broken ones around each task instead, as Django does
# around each request (CONN_MAX_AGE above).
CELERY_DB_REUSE_MAX = 1_000_000
CELERY_TIMEZONE = TIME_ZONE
# Periodic jobs: one schedule, each entry saying why and how often (added by the apps as they come).
CELERY_BEAT_SCHEDULE: dict = {
    # Tasks recorded while the broker was down (the outbox): sent within a minute of its return.
    "ops-outbox-drain": {"task": "marketplace.ops.tasks.outbox_drain_task", "schedule": 60.0},
    # Catch the index up with page changes whose on-commit task never ran (broker or
    # Elasticsearch down at the time). Every minute: a missed update shows for at most that long.
    "search-index-changes": {"task": "search.tasks.index_changes_apply_task", "schedule": 60.0},
    # Compare the whole index with the database and repair drift. Every 15 minutes: it reads every
    # live listing, so it runs less often than the change log above.
    "search-drift-repair": {"task": "search.tasks.index_drift_repair_task", "schedule": 900.0},
    # Deals screened with rules that have since changed (a re-screening lost with the broker, or
    # a rule edited outside the admin). Every 15 minutes; only stale screenings are redone.
    "contracting-rescreen": {
        "task": "marketplace.contracting.tasks.screenings_refresh_task",
        "schedule": 900.0,
        "kwargs": {"stale_only": True},
    },
    # Quotes past their validity date stop being acceptable on the day; hourly is close enough
    # (acceptance checks the date itself).
    "contracting-quotes-expire": {
        "task": "marketplace.contracting.tasks.quotes_expire_task",
        "schedule": 3600.0,
    },
    # Milestones whose due date has come: hourly, so the buyer is asked to pay on the day.
    # Stripe events stored but not processed (broker down, a failure): every 5 minutes.
    "payments-events-pending": {
        "task": "payments.tasks.stripe_events_process_pending_task",
        "schedule": 300.0,
    },
    # Providers' track records (response, quoting, delivery, repeat buyers) from the deals.
    # Hourly: the figures move with deals that take days.
    "trust-track-records": {
        "task": "marketplace.trust.tasks.track_records_refresh_task",
        "schedule": 3600.0,
    },
    # Each user's daily digest of the notifications they chose to get that way. Daily.
    "notifications-digests": {
        "task": "marketplace.notifications.tasks.digests_send_task",
        "schedule": 24 * 3600.0,
    },
    # Saved searches' email alerts: the listings and job postings new since the day before, to
    # each owner whose alerts are on. Daily, as the pages promise; a listing is told once.
    "search-saved-search-alerts": {
        "task": "search.tasks.saved_search_alerts_send_task",
        "schedule": 24 * 3600.0,
    },
    # Providers' certifications expiring in 60 and in 30 days: a reminder each, to the provider.
    # Every six hours: the day's reminders go out the morning they fall due wherever the worker
    # started, and a reminder already sent is never sent again.
    "cms-certification-reminders": {
        "task": "cms.tasks.certification_reminders_send_task",
        "schedule": 6 * 3600.0,
    },
    # Providers' names against the company-of-concern lists (saving a list screens at once;
    # this catches renamed and new organisations). Hourly.
    "trust-concern-screen": {
        "task": "marketplace.trust.tasks.concern_matches_refresh_task",
        "schedule": 3600.0,
    },
    # Compare recent Stripe payments with ours; differences are logged for staff. Hourly.
    "payments-reconciliation": {"task": "payments.tasks.reconciliation_task", "schedule": 3600.0},
    "contracting-milestones-due": {
        "task": "marketplace.contracting.tasks.milestones_due_mark_task",
        "schedule": 3600.0,
    },
}

# Stripe. Without a secret key the site runs in local test mode against the Stripe emulator.
STRIPE_SECRET_KEY = env.string(
    "STRIPE_SECRET_KEY",
    default="",
    help="Stripe secret key (sk_test_... or sk_live_...). Empty: local test mode on the emulator.",
)
STRIPE_API_BASE = env.string(
    "STRIPE_API_BASE",
    default="" if STRIPE_SECRET_KEY else "http://127.0.0.1:8420",
    help="Stripe API base URL. Empty: api.stripe.com. Unset without a key: the local emulator.",
)
STRIPE_WEBHOOK_SECRET = env.string(
    "STRIPE_WEBHOOK_SECRET",
    default="",
    help="Signing secret of the Stripe webhook endpoint (whsec_...).",
)
STRIPE_PUBLISHABLE_KEY = env.string(
    "STRIPE_PUBLISHABLE_KEY",
    default="",
    help="Stripe publishable key (pk_test_... or pk_live_...) for the payment form.",
)
# The platform fee added to each milestone payment and shown to the buyer before paying.
PLATFORM_FEE_RATE = Decimal("0.015")
# Payment methods offered; add "alipay" and "wechat_pay" where the Stripe account enables them.
PAYMENT_METHOD_TYPES = ("card",)
# Local test mode: payments go to the Stripe emulator and the payment page offers test cards.
# Only where the API base is not Stripe's own; production switches it off whatever the URL.
PAYMENTS_LOCAL_TEST_MODE = not (urlsplit(STRIPE_API_BASE).hostname or "api.stripe.com").endswith(
    "stripe.com"
)
# Pinned to the version the installed stripe library was generated for; bump them together.
STRIPE_API_VERSION = "2026-10-28.endive"

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "marketplace.api.schema.ApiSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # orjson: the search answers' JSON in a tenth of the time of the standard library's.
    "DEFAULT_RENDERER_CLASSES": ["drf_orjson_renderer.renderers.ORJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "marketplace.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Errors of list items are keyed by their index: JSON makes the numbers strings, as before.
    "ORJSON_RENDERER_OPTIONS": (orjson.OPT_NON_STR_KEYS,),
    "EXCEPTION_HANDLER": "marketplace.api.errors.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CRO Marketplace API",
    "DESCRIPTION": "Search providers, request quotes, contract and pay outsourced R&D in RMB.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "PREPROCESSING_HOOKS": ["marketplace.api.schema.public_endpoints_only"],
    "ENUM_NAME_OVERRIDES": {
        "ServiceStateEnum": "marketplace.ops.selectors.SERVICE_STATES",
        "ReviewLanguageEnum": "marketplace.trust.models.Review.Language",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        # Django's own console handler would print each of its records a second time.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # Retries of an unreachable node are logged with full tracebacks at WARNING; the callers
        # report the outage themselves.
        "elastic_transport": {"level": "ERROR"},
        "elasticsearch": {"level": "WARNING"},
        # Wagtail logs every page action and every search/reference-index task at INFO.
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
        # WeasyPrint logs each step of every PDF at INFO (seven lines a document).
        "weasyprint": {"level": "WARNING"},
    },
}
