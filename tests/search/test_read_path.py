"""One read path per kind of result, "Elasticsearch, else the database", and arrows that point
one way (the import contracts of `make lint` hold that: pages know nothing of search, tasks call
services)."""

from pathlib import Path

import pytest
from django.http import QueryDict

from search.params import job_query, provider_query, service_query
from search.selectors import search_results

ROOT = Path(__file__).resolve().parents[2]
PARSERS = [service_query, job_query, provider_query]


@pytest.mark.django_db
@pytest.mark.parametrize("parse", PARSERS, ids=["services", "jobs", "providers"])
def test_every_kind_answers_from_elasticsearch_when_it_can(parse, search_indexes):
    query, errors = parse(QueryDict(""))

    assert errors == {}
    answer = search_results(query=query)
    assert answer["degraded"] is False and answer["count"] > 0


@pytest.mark.django_db
@pytest.mark.parametrize("parse", PARSERS, ids=["services", "jobs", "providers"])
def test_every_kind_answers_from_the_database_when_elasticsearch_cannot(
    parse, search_indexes, search_entries, elasticsearch_unreachable
):
    query, _errors = parse(QueryDict(""))

    answer = search_results(query=query)

    assert answer["degraded"] is True and answer["count"] > 0
    assert answer["facets"] and all(answer["facets"].values())  # the same facets, counted


@pytest.mark.parametrize("parse", PARSERS, ids=["services", "jobs", "providers"])
def test_the_one_parser_refuses_bad_parameters_by_field(parse):
    query, errors = parse(QueryDict("page=0"))

    assert query is None and list(errors) == ["page"]
