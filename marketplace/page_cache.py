"""Whole public pages for anonymous readers, kept in Django's cache.

A Wagtail page (home, provider, listing, job) read without a session is the same for every
anonymous reader of one language, so its rendered response is kept in the shared cache for
``PAGE_CACHE_SECONDS`` and served again without routing, queries or templates. Every change the
pages show (a publish, unpublish, move or delete, a verification, a taxonomy edit) calls
``pages_changed`` once its transaction commits: that starts a new generation, and an entry of an
older generation is a miss. An entry records the generation it was rendered under, so a render
that raced a publish is never served after it.

Not kept: anything but a 200 to a GET, responses that set a cookie or used a CSRF token (the
token is the reader's own), responses marked private or no-store, and requests carrying a
session or messages (a signed-in or just-signed-out reader). The cache must be shared by every
process (Redis in production, which settings require); with the local site's per-process
memory a change is seen at once by the process that made it and within the lifetime by others.
"""

import hashlib
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

GENERATION_KEY = "pages:generation"
# Headers that belong to one response, not to the page (cookies are never stored).
_NOT_REPLAYED = {"set-cookie", "content-length", "date"}


def pages_changed() -> None:
    """The public pages may show something else: once committed, no kept page is served (one
    new generation per transaction, however many changes it made)."""
    if not any(entry[1] is _new_generation for entry in connection.run_on_commit):
        transaction.on_commit(_new_generation)


def _new_generation() -> None:
    cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)


def _current_generation(found: dict) -> str | None:
    generation = found.get(GENERATION_KEY)
    if generation is None:  # first use, or the cache was emptied
        cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
        generation = cache.get(GENERATION_KEY)
    return generation  # None: the cache is unavailable


def _is_wagtail_page(request) -> bool:
    try:
        return resolve(request.path_info).url_name == "wagtail_serve"
    except Resolver404:
        return False


def _anonymous(request) -> bool:
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and "messages" not in cookies


def _storable(request, response) -> bool:
    cache_control = response.get("Cache-Control", "").lower()
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not any(word in cache_control for word in ("private", "no-store", "no-cache"))
    )


class AnonymousPageCacheMiddleware:
    """Serves anonymous GETs of Wagtail pages from the cache; placed after LocaleMiddleware (the
    reader's language is part of the key) and before everything a cached page can skip."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        seconds = settings.PAGE_CACHE_SECONDS
        if (
            not seconds
            or request.method != "GET"
            or not _anonymous(request)
            or not _is_wagtail_page(request)
        ):
            return self.get_response(request)
        path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
        key = f"pages:{get_language()}:{path}"
        found = cache.get_many([GENERATION_KEY, key])
        generation = _current_generation(found)
        if generation is None:
            return self.get_response(request)
        entry = found.get(key)
        if entry is not None and entry["generation"] == generation:
            return _replayed(entry)
        # What is kept for everyone is rendered from the primary: a replica a moment behind would
        # keep the page from before a change under the generation that follows it.
        request.primary_reads = True
        response = self.get_response(request)
        if _storable(request, response):
            headers = {
                name: value for name, value in response.items() if name.lower() not in _NOT_REPLAYED
            }
            cache.set(
                key,
                {"generation": generation, "headers": headers, "content": response.content},
                seconds,
            )
        patch_vary_headers(response, ("Cookie",))
        return response


def _replayed(entry: dict) -> HttpResponse:
    response = HttpResponse(entry["content"])
    for name, value in entry["headers"].items():
        response[name] = value
    patch_vary_headers(response, ("Cookie",))
    return response
