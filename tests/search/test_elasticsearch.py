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


def test_the_node_has_the_bilingual_analysis_filters_of_our_plugin():
    client = get_client()
    smoke_index = index_name(f"smoke-analysis-{uuid.uuid4().hex[:8]}")
    client.indices.create(
        index=smoke_index,
        settings={
            "analysis": {
                "filter": {
                    "capability_synonyms": {
                        "type": "synonym_graph",
                        "synonyms": ["adc, antibody-drug conjugate, 抗体偶联药物"],
                    }
                },
                "analyzer": {
                    "bilingual": {
                        "tokenizer": "standard",
                        "filter": ["cjk_width", "lowercase", "cjk_bigram", "porter_stem"],
                    },
                    "bilingual_search": {
                        "tokenizer": "standard",
                        "filter": [
                            "cjk_width",
                            "lowercase",
                            "cjk_bigram",
                            "capability_synonyms",
                            "porter_stem",
                        ],
                    },  # fmt: skip
                },
            }
        },
        mappings={
            "properties": {
                "title": {
                    "type": "text",
                    "analyzer": "bilingual",
                    "search_analyzer": "bilingual_search",
                }
            }
        },
    )
    try:
        for number, title in enumerate(
            ["ADC conjugation services", "抗体偶联药物偶联工艺", "Stable cell line development"]
        ):
            client.index(index=smoke_index, id=str(number), document={"title": title})
        client.indices.refresh(index=smoke_index)

        def hits(text: str) -> set[str]:
            response = client.search(index=smoke_index, query={"match": {"title": text}})
            return {hit["_id"] for hit in response["hits"]["hits"]}

        assert hits("antibody-drug conjugate") == {"0", "1"}
        assert hits("抗体偶联药物") == {"0", "1"}
        assert hits("conjugations") == {"0"}  # stemmed
    finally:
        client.indices.delete(index=smoke_index)
