import pytest

from search.indexing import SERVICES, index_rebuild


@pytest.fixture(scope="session")
def services_index(django_db_setup, django_db_blocker):
    """The services index built once from the demo data (which every test starts from)."""
    with django_db_blocker.unblock():
        return index_rebuild(name=SERVICES)
