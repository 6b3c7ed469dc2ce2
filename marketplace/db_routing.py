"""Reads that tolerate a little lag go to a PostgreSQL streaming replica; everything else stays on
the primary.

A view says it tolerates lag with ``@lag_tolerant`` (public pages, search and its database
fallback, the job board, the trade report's figures). Who the reader is and what they may do
(accounts, memberships, groups, sessions, one-time-code devices) is read from the primary
whatever view reads it: the router never sends those apps to the replica. Pages the page cache
keeps for everyone are rendered from the primary. Everything else reads the primary too: every
write, every read inside a transaction, and every view not marked, which is every view that acts
on deals and money (the trade report reads deals' figures from the replica; they are sums that
tolerate a few seconds' lag). A browser that has just written (any request other than GET, HEAD
or OPTIONS) keeps reading the primary for ``DATABASE_REPLICA_STICKY_SECONDS``, so it sees its own
writes. A replica that does not answer, or lags more than ``DATABASE_REPLICA_MAX_LAG_SECONDS``,
is left alone for a few seconds: reads go to the primary, and a lag-tolerant GET whose replica
read fails mid-request is answered again from the primary.

Without ``DATABASE_REPLICA_URL`` there is no replica and this changes nothing.
"""

import logging
import threading
import time
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, DataError, IntegrityError, connections

logger = logging.getLogger(__name__)

REPLICA = "replica"
PIN_COOKIE = "primary_until"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# Who the reader is and what they may do: never read from a replica, whatever view reads it.
PRIMARY_ONLY_APPS = frozenset({"accounts", "auth", "sessions", "account", "otp_email"})
# How long a replica's answer to the health check is trusted, and how long one that failed it is
# left alone.
CHECK_SECONDS = 1.0
RETRY_SECONDS = 5.0

_replica_allowed: ContextVar[bool] = ContextVar("replica_allowed", default=False)
_replica_used: ContextVar[bool] = ContextVar("replica_used", default=False)
_health = threading.local()  # connections are per thread, so is what we know of them

# Whether the server is a standby, whether it is streaming from the primary (a standby cut off
# from it has replayed all it received and would look current), and its lag: none when all it
# received is replayed, else how old the last replayed transaction is (unknown: NULL).
LAG_SQL = """
SELECT pg_is_in_recovery(),
       COALESCE((SELECT status = 'streaming' FROM pg_stat_wal_receiver), false),
       CASE WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0
            ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) END
"""


def lag_tolerant(view):
    """Mark a view (function or class) as one whose GET may read the replica."""
    view.lag_tolerant = True
    return view


def replica_configured() -> bool:
    return REPLICA in connections.settings  # settings.DATABASES, as the connections read it


def replica_mark_down(reason: str) -> None:
    _health.ok, _health.until = False, time.monotonic() + RETRY_SECONDS
    logger.warning("Reading from the primary for %.0f s: the replica %s", RETRY_SECONDS, reason)
    try:
        connections[REPLICA].close()
    except DatabaseError:
        pass


def replica_healthy() -> bool:
    """Whether the replica answers and keeps up (checked at most every CHECK_SECONDS a thread)."""
    now = time.monotonic()
    if getattr(_health, "until", 0.0) > now:
        return _health.ok
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(LAG_SQL)
            in_recovery, streaming, lag = cursor.fetchone()
    except DatabaseError as error:
        replica_mark_down(f"does not answer ({error.__class__.__name__})")
        return False
    most = settings.DATABASE_REPLICA_MAX_LAG_SECONDS
    if not in_recovery:
        replica_mark_down("is not a standby (DATABASE_REPLICA_URL names another server)")
        return False
    if not streaming:
        replica_mark_down("is not streaming from the primary")
        return False
    if lag is None or float(lag) > most:
        replica_mark_down(
            f"is {'an unknown time' if lag is None else f'{float(lag):.1f} s'} behind"
        )
        return False
    _health.ok, _health.until = True, now + CHECK_SECONDS
    return True


class PrimaryReplicaRouter:
    """Django's database router: see the module's docstring."""

    def db_for_read(self, model, **hints) -> str:
        if (
            _replica_allowed.get()
            and replica_configured()
            and (model is None or model._meta.app_label not in PRIMARY_ONLY_APPS)
            and not connections[DEFAULT_DB_ALIAS].in_atomic_block
            and replica_healthy()
        ):
            _replica_used.set(True)
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # the same data on both

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        return db == DEFAULT_DB_ALIAS


# Views of other packages that only show public pages: Wagtail's page serving.
LAG_TOLERANT_VIEWS = {"wagtail.views.serve"}


def _view_is_lag_tolerant(view_func) -> bool:
    return bool(
        f"{view_func.__module__}.{view_func.__name__}" in LAG_TOLERANT_VIEWS
        or getattr(view_func, "lag_tolerant", False)
        or getattr(getattr(view_func, "cls", None), "lag_tolerant", False)
        or getattr(getattr(view_func, "view_class", None), "lag_tolerant", False)
    )


class ReplicaReadsMiddleware:
    """Lets a lag-tolerant view's GET read the replica, unless this browser wrote a moment ago;
    after a write, pins the browser to the primary for a few seconds (a cookie)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        allowed, used = _replica_allowed.set(False), _replica_used.set(False)
        try:
            response = self.get_response(request)
        finally:
            _replica_allowed.reset(allowed)
            _replica_used.reset(used)
        if request.method not in SAFE_METHODS and replica_configured():
            seconds = settings.DATABASE_REPLICA_STICKY_SECONDS
            response.set_cookie(
                PIN_COOKIE, f"{time.time() + seconds:.3f}", max_age=seconds, httponly=True,
                samesite="Lax", secure=request.is_secure(),
            )  # fmt: skip
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not (
            replica_configured()
            and not getattr(request, "primary_reads", False)
            and request.method in SAFE_METHODS
            and _view_is_lag_tolerant(view_func)
            and not _pinned(request)
        ):
            return None
        request._replica_view = (view_func, view_args, view_kwargs)
        _replica_allowed.set(True)
        return None

    def process_exception(self, request, exception):
        """A lag-tolerant GET whose replica read failed: answered again from the primary."""
        view = getattr(request, "_replica_view", None)
        if view is None or not _replica_used.get():
            return None
        if not isinstance(exception, DatabaseError) or isinstance(
            exception, IntegrityError | DataError
        ):
            return None  # not the database failing (a constraint, a bad value: the view's)
        if not connections[REPLICA].errors_occurred:
            return None  # the primary failed: nothing to answer from
        replica_mark_down(f"failed mid-request ({exception.__class__.__name__})")
        _replica_allowed.set(False)
        view_func, view_args, view_kwargs = view
        request._replica_view = None
        response = view_func(request, *view_args, **view_kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        return response


def _pinned(request) -> bool:
    try:
        return float(request.COOKIES.get(PIN_COOKIE, "0")) > time.time()
    except ValueError:
        return False
