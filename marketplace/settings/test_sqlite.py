"""The payment tests once more on SQLite, the database ``make run`` serves the demo with.

Everything else as in ``test``: only the database differs, so what passes on PostgreSQL and fails
here (money compared as floats, say) shows. Tests that need PostgreSQL itself (row locks under
real concurrency) are marked ``postgresql`` and left out of this run.
"""

from .test import *  # noqa: F403

(BASE_DIR / "var").mkdir(exist_ok=True)  # noqa: F405
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(BASE_DIR / "var" / "test_payments.sqlite3"),  # noqa: F405
        "TEST": {"NAME": str(BASE_DIR / "var" / "test_payments.sqlite3")},  # noqa: F405
    }
}
ELASTICSEARCH_INDEX_PREFIX = f"{ELASTICSEARCH_INDEX_PREFIX}-sqlite"  # noqa: F405
