"""The shared cache (Redis in production) that answers "nothing cached" when Redis is down.

The cache holds what can be recomputed (Wagtail's site roots, rate-limit counters, allauth's
sign-in throttling): losing it for a while must slow the site, not stop it. Errors are logged.
"""

import logging

from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)


class FailOpenRedisCache(RedisCache):
    """Django's Redis cache; when Redis cannot be reached reads miss and writes are skipped."""

    def _fail(self, operation: str, default):
        logger.warning("Cache unavailable (%s); carrying on without it", operation, exc_info=True)
        return default


def _fail_open(name: str, default):
    base = getattr(RedisCache, name)

    def method(self, *args, **kwargs):
        try:
            return base(self, *args, **kwargs)
        except Exception:  # noqa: BLE001 - redis raises its own ConnectionError/TimeoutError
            return self._fail(name, default(*args, **kwargs))

    method.__name__ = name
    return method


def _nothing(*args, **kwargs):
    return None


def _false(*args, **kwargs):
    return False


def _get_default(key, default=None, version=None):
    return default


# What each operation answers without Redis: a miss, nothing stored, no counter.
for _name, _default in {
    "get": _get_default,
    "get_many": lambda *args, **kwargs: {},
    "set": _nothing,
    "set_many": lambda *args, **kwargs: [],
    "add": _false,
    "delete": _false,
    "delete_many": _nothing,
    "has_key": _false,
    "touch": _false,
    "clear": _nothing,
    "incr": _nothing,
}.items():
    setattr(FailOpenRedisCache, _name, _fail_open(_name, _default))
