"""Service search relevance on judged queries over the demo providers (search/relevance.json).

Queries marked ``known_failure`` are strict xfails: when the engine is fixed they fail as XPASS,
and the marker should be removed from the JSON. They still count in the mean nDCG.
"""

import math

import pytest

from search.queries import search_services
from search.relevance import K, evaluate, load_judgments, ndcg_at_k

# Measured over 80 queries on the demo index (known failures included): Elasticsearch 0.962, the
# database's engine 0.970 on PostgreSQL (its target is 0.85). The floors sit a little below, so a
# regression shows while small ranking changes do not.
MEAN_NDCG_FLOOR = {"elasticsearch": 0.95, "database": 0.93}

JUDGED = load_judgments()


def _param(query):
    marks = (
        [pytest.mark.xfail(strict=True, reason=query.known_failure)] if query.known_failure else []
    )
    return pytest.param(query, id=query.id, marks=marks)


@pytest.mark.django_db
@pytest.mark.parametrize("query", [_param(query) for query in JUDGED])
def test_judged_query_ranks_its_expected_listings_on_top(search_indexes, query):
    ranked = [hit["external_id"] for hit in search_services(query.service_query())["results"]]

    assert query.expectation_errors(ranked) == []


@pytest.mark.django_db
def test_mean_ndcg_at_10_over_the_judged_queries_stays_above_the_floor(engine):
    report = evaluate(engine.services)

    assert len(report["queries"]) == len(JUDGED) >= 30
    assert report["mean_ndcg"] >= MEAN_NDCG_FLOOR[engine.name], report["by_kind"]


def test_judged_set_covers_every_kind_of_query():
    assert {query.kind for query in JUDGED} == {
        "english",
        "abbreviation",
        "chinese",
        "cross_language",
        "typo",
        "filtered",
    }


def test_ndcg_of_a_perfect_ranking_is_one():
    grades = {"a": 3, "b": 2, "c": 1}

    assert ndcg_at_k(["a", "b", "c"], grades) == pytest.approx(1.0)


def test_ndcg_of_a_reversed_ranking_is_below_one():
    grades = {"a": 3, "b": 2, "c": 1}

    assert 0.0 < ndcg_at_k(["c", "b", "a"], grades) < 1.0


def test_ndcg_without_any_relevant_listing_is_zero():
    assert ndcg_at_k(["a", "b"], {}) == 0.0
    assert ndcg_at_k([], {"a": 3}) == 0.0


def test_ndcg_counts_unjudged_hits_as_zero_gain():
    grades = {"a": 3}

    # An unjudged hit ahead of the relevant one pushes it to rank 2: 1 / log2(3).
    assert ndcg_at_k(["x", "a"], grades) == pytest.approx(1 / math.log2(3))
    assert ndcg_at_k(["a", "x", "y"], grades) == pytest.approx(1.0)


def test_ndcg_only_looks_at_the_first_k_hits():
    grades = {"a": 3}

    assert ndcg_at_k([f"unjudged-{rank}" for rank in range(K)] + ["a"], grades) == 0.0
