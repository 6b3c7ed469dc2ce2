"""One search test suite for both engines: the ``engine`` fixture runs a test against
Elasticsearch and against the database's own search engine, over the same demo pages."""

from types import SimpleNamespace

import pytest

from search.entries import entries_rebuild
from search.fallback import (
    search_jobs_from_database,
    search_providers_from_database,
    search_services_from_database,
)
from search.indexing import INDEXES
from search.models import SearchEntry
from search.queries import search_jobs, search_providers, search_services

ENGINES = {
    "elasticsearch": SimpleNamespace(
        name="elasticsearch",
        services=search_services,
        jobs=search_jobs,
        providers=search_providers,
    ),
    "database": SimpleNamespace(
        name="database",
        services=search_services_from_database,
        jobs=search_jobs_from_database,
        providers=search_providers_from_database,
    ),
}


@pytest.fixture(params=list(ENGINES))
def engine(request, search_indexes, search_entries, django_db_blocker):
    """Each search engine in turn (both built from the demo data)."""
    with django_db_blocker.unblock():
        if not SearchEntry.objects.exists():  # a test emptied the tables: build it again
            for name in INDEXES:
                entries_rebuild(name=name)
    return ENGINES[request.param]
