"""One read path per kind of result, "Elasticsearch, else the database", and arrows that point
one way: pages know nothing of search; search's tasks call its services, not the reverse."""

import re
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


def imports_of(folder: str) -> set[str]:
    found = set()
    for path in (ROOT / folder).rglob("*.py"):
        found |= set(re.findall(r"^\s*(?:from|import) ([\w.]+)", path.read_text(), re.MULTILINE))
    return found


def test_pages_know_nothing_of_search():
    assert {name for name in imports_of("cms") if name.split(".")[0] == "search"} == set()


def test_search_services_do_not_reach_back_into_their_tasks():
    source = (ROOT / "search" / "services.py").read_text()

    assert not re.search(r"^\s*(?:from|import) search\.tasks", source, re.MULTILINE)
