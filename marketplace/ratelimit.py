"""Rate limits on the endpoints people (and scripts) can call in bulk: search, sending RFQs,
applying to jobs. Sign-in, sign-up and password resets are limited by allauth itself.

Each rule counts requests per client in fixed windows in the shared cache; over the limit the
answer is 429 with ``Retry-After`` (JSON under /api/, a page elsewhere). When the cache cannot
answer, requests pass: a limiter must not take the site down with it.
"""

import logging
import re
import time
from dataclasses import dataclass

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.core.cache import cache
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rule:
    name: str
    methods: frozenset[str]
    path: re.Pattern
    limit: int  # requests per window and client
    window: int  # seconds

    def applies(self, request) -> bool:
        return request.method in self.methods and bool(self.path.match(request.path_info))


def rules() -> list[Rule]:
    return [
        Rule(name, frozenset(methods), re.compile(path), limit, window)
        for name, methods, path, limit, window in settings.RATE_LIMITS
    ]


def client_key(request) -> str:
    """The signed-in user, else the client's address (as allauth resolves it behind proxies)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"ip:{get_adapter().get_client_ip(request)}"


def retry_after(request, rule: Rule, *, now: float | None = None) -> int | None:
    """Count this request; seconds to wait if it is over the rule's limit, else None."""
    now = time.time() if now is None else now
    window_start = int(now // rule.window) * rule.window
    key = f"ratelimit:{rule.name}:{client_key(request)}:{window_start}"
    try:
        cache.add(key, 0, timeout=rule.window + 1)
        count = cache.incr(key)
    except Exception:  # noqa: BLE001 - the cache is down: let the request through
        count = None
    if count is None:
        logger.warning("Rate limit %s not checked: the cache is unavailable", rule.name)
        return None
    if count <= rule.limit:
        return None
    return max(1, int(window_start + rule.window - now))


class RateLimitMiddleware:
    """Answers 429 with ``Retry-After`` when a client goes over a rule's limit."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.rules = rules()

    def __call__(self, request):
        if settings.RATE_LIMITS_ENABLED:
            for rule in self.rules:
                if rule.applies(request) and (wait := retry_after(request, rule)) is not None:
                    return too_many(request, wait)
        return self.get_response(request)


def too_many(request, wait: int):
    message = _("Too many requests. Please wait %(seconds)s seconds and try again.") % {
        "seconds": wait
    }
    if request.path_info.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=429)
    else:
        response = render(request, "429.html", {"message": message}, status=429)
    response["Retry-After"] = str(wait)
    return response
