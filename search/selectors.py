"""Reading search results: one read path for every kind, "Elasticsearch, else the database's own
search engine"."""

import logging
import time

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.http import urlencode
from elasticsearch import ApiError, NotFoundError, TransportError

from cms.models import JobIndexPage
from marketplace.accounts.models import User
from search.fallback import (
    search_jobs_from_database,
    search_providers_from_database,
    search_services_from_database,
)
from search.models import SavedSearch
from search.queries import (
    JobQuery,
    ProviderQuery,
    ServiceQuery,
    search_jobs,
    search_providers,
    search_services,
)

logger = logging.getLogger(__name__)
# Query kind -> (the Elasticsearch search, the database's answer when Elasticsearch cannot).
READ_PATHS = {
    ServiceQuery: (search_services, search_services_from_database),
    JobQuery: (search_jobs, search_jobs_from_database),
    ProviderQuery: (search_providers, search_providers_from_database),
}
# After a failure, searches go straight to the database for this long before Elasticsearch is
# tried again (a node that is down does not cost each search a timeout).
RETRY_AFTER_SECONDS = 30


class _Outage:
    """Whether Elasticsearch failed recently; said once per outage, in one line."""

    def __init__(self):
        self.since: float | None = None
        self.retry_at = 0.0

    def reset(self) -> None:
        """Forget any outage (the client was pointed elsewhere)."""
        self.since, self.retry_at = None, 0.0

    def skipping(self) -> bool:
        return self.since is not None and time.monotonic() < self.retry_at

    def failed(self, error: Exception) -> None:
        if self.since is None:
            self.since = time.monotonic()
            logger.warning(
                "Elasticsearch at %s cannot answer (%s); searches answer from the database "
                "until it does (start it with `make services`)",
                settings.ELASTICSEARCH_URL,
                type(error).__name__,
            )
        self.retry_at = time.monotonic() + RETRY_AFTER_SECONDS

    def answered(self) -> None:
        if self.since is not None:
            logger.warning(
                "Elasticsearch answers again after %.0f s", time.monotonic() - self.since
            )
            self.since = None


OUTAGE = _Outage()


def search_results(*, query: ServiceQuery | JobQuery | ProviderQuery) -> dict:
    """The answer to a search of any kind: from Elasticsearch, else from the database's search
    engine, marked ``"degraded": true`` (the page and the API say "basic search")."""
    search, search_database = READ_PATHS[type(query)]
    if OUTAGE.skipping():
        return search_database(query)
    try:
        result = search(query)
    except (TransportError, ApiError) as error:
        if isinstance(error, ApiError) and not isinstance(error, NotFoundError):
            if error.meta.status < 500:  # a request it refused: ours to fix, not an outage
                logger.error("Elasticsearch refused a search; the database answered", exc_info=True)
                return search_database(query)
        OUTAGE.failed(error)
        return search_database(query)
    OUTAGE.answered()
    return result


def saved_searches_of(*, user: User) -> QuerySet[SavedSearch]:
    """The user's own saved searches, newest first (another's is never among them: a 404)."""
    return SavedSearch.objects.filter(owner=user).order_by("-created_at", "-pk")


def saved_search_by_id(*, saved_search_id: int) -> SavedSearch | None:
    """A saved search by id, whoever owns it (for its signed unsubscribe link only)."""
    return SavedSearch.objects.filter(pk=saved_search_id).first()


def search_page_paths() -> dict[str, str]:
    """Where each kind of saved search is searched on the site: /search/ and the job board."""
    board = JobIndexPage.objects.live().first()
    return {
        SavedSearch.Kind.SERVICES: reverse("search"),
        SavedSearch.Kind.JOBS: (board.get_url() if board else None) or "/jobs/",
    }


def saved_search_path(saved_search: SavedSearch, *, pages: dict[str, str]) -> str:
    """The search page showing the saved search's results (``pages``: ``search_page_paths()``)."""
    return f"{pages[saved_search.kind]}?{urlencode(saved_search.params, doseq=True)}"
