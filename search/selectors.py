"""Reading search results: one read path for every kind, "Elasticsearch, else the database"."""

import logging

from elasticsearch import ApiError, NotFoundError, TransportError

from search.fallback import (
    search_jobs_from_database,
    search_providers_from_database,
    search_services_from_database,
)
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


def search_results(*, query: ServiceQuery | JobQuery | ProviderQuery) -> dict:
    """The answer to a search of any kind: from Elasticsearch, else from the database, marked
    ``"degraded": true`` (the page and the API show a notice)."""
    search, search_database = READ_PATHS[type(query)]
    try:
        return search(query)
    except (TransportError, ApiError, NotFoundError):
        logger.warning(
            "Elasticsearch unavailable; %s answered from the database",
            type(query).__name__,
            exc_info=True,
        )
        return search_database(query)
