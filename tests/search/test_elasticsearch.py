import uuid

import pytest
from elasticsearch.dsl import Document, Keyword, Text

from search.client import get_client, index_name, server_version


@pytest.fixture
def smoke_document_class():
    smoke_index = index_name(f"smoke-{uuid.uuid4().hex[:8]}")

    class ServiceSmokeDocument(Document):
        title = Text()
        zone = Keyword()

        class Index:
            name = smoke_index

    ServiceSmokeDocument.init()
    yield ServiceSmokeDocument
    get_client().indices.delete(index=smoke_index)


def test_document_is_indexed_and_found_by_a_match_query(smoke_document_class):
    assert server_version().startswith("8.")
    smoke_document_class(meta={"id": "svc-1"}, title="GLP rodent toxicology", zone="national").save(
        refresh=True
    )
    smoke_document_class(
        meta={"id": "svc-2"}, title="In vitro ADME screening", zone="pilot_ftz"
    ).save(refresh=True)

    response = smoke_document_class.search().query("match", title="toxicology").execute()

    assert [hit.meta.id for hit in response] == ["svc-1"]
    assert response[0].zone == "national"
