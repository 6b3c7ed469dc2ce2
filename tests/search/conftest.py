import pytest

from search.indexing import INDEXES, SERVICES, index_rebuild


@pytest.fixture(scope="session")
def search_indexes(django_db_setup, django_db_blocker):
    """Every index built once from the demo data (which every test starts from), by name."""
    with django_db_blocker.unblock():
        return {name: index_rebuild(name=name) for name in INDEXES}


@pytest.fixture
def services_index(search_indexes):
    return search_indexes[SERVICES]
