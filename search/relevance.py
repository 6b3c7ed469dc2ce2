"""Offline relevance evaluation of the service search: judged queries and graded nDCG@10.

The judgments (``search/relevance.json``) grade demo listings per query by hand: 3 = exactly what
was asked, 2 = clearly relevant, 1 = partly relevant; a listing left unjudged counts as 0.
"""

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from search.queries import ServiceQuery, search_services

JUDGMENTS_PATH = Path(__file__).resolve().parent / "relevance.json"
KINDS = ("english", "abbreviation", "chinese", "cross_language", "typo", "filtered")
K = 10


@dataclass(frozen=True)
class JudgedQuery:
    """One buyer query, its graded listings and what its ranking must at least get right."""

    id: str
    kind: str
    text: str
    grades: dict[str, int]
    filters: dict[str, list[str]] = field(default_factory=dict)
    price_max: Decimal | None = None
    verified_only: bool = False
    must_rank_first: str | None = None
    must_be_in_top: tuple[str, ...] = ()
    top: int = 1
    known_failure: str | None = None

    @property
    def expected(self) -> tuple[str, ...]:
        """The listings the ranking must place: the one to rank first, or those in the top N."""
        return (self.must_rank_first,) if self.must_rank_first else self.must_be_in_top

    def expected_rank(self, ranked_ids: Sequence[str]) -> int | None:
        """The rank (1-based) by which every expected listing has appeared; None if one is missing.

        Compare it with 1 (``must_rank_first``) or with ``top`` (``must_be_in_top``).
        """
        if not all(listing in ranked_ids for listing in self.expected):
            return None
        return max(list(ranked_ids).index(listing) + 1 for listing in self.expected)

    def service_query(self) -> ServiceQuery:
        return ServiceQuery(
            text=self.text,
            filters=self.filters,
            price_max=self.price_max,
            verified_only=self.verified_only,
        )

    def expectation_errors(self, ranked_ids: Sequence[str]) -> list[str]:
        """What the ranking gets wrong against ``must_rank_first`` / ``must_be_in_top``."""
        errors = []
        if self.must_rank_first and list(ranked_ids[:1]) != [self.must_rank_first]:
            errors.append(f"{self.must_rank_first} not first (got {list(ranked_ids[:3])})")
        missing = [
            listing for listing in self.must_be_in_top if listing not in ranked_ids[: self.top]
        ]
        if missing:
            errors.append(f"{missing} not in top {self.top} (got {list(ranked_ids[: self.top])})")
        return errors


def load_judgments(path: Path = JUDGMENTS_PATH) -> list[JudgedQuery]:
    """The judged queries, checked for the shape the evaluation relies on."""
    entries = json.loads(path.read_text(encoding="utf-8"))["queries"]
    queries = []
    for entry in entries:
        query = JudgedQuery(
            id=entry["id"],
            kind=entry["kind"],
            text=entry["q"],
            grades=dict(entry["judgments"]),
            filters=entry.get("filters", {}),
            price_max=Decimal(str(entry["price_max"])) if "price_max" in entry else None,
            verified_only=entry.get("verified_only", False),
            must_rank_first=entry.get("must_rank_first"),
            must_be_in_top=tuple(entry.get("must_be_in_top", ())),
            top=entry.get("top", 1),
            known_failure=entry.get("known_failure"),
        )
        if query.kind not in KINDS:
            raise ValueError(f"{query.id}: unknown kind {query.kind!r}")
        if not all(grade in (1, 2, 3) for grade in query.grades.values()):
            raise ValueError(f"{query.id}: grades are 1, 2 or 3")
        if not query.expected or not all(listing in query.grades for listing in query.expected):
            raise ValueError(f"{query.id}: expects no listing, or one that is not judged")
        queries.append(query)
    if len({query.id for query in queries}) != len(queries):
        raise ValueError("query ids must be unique")
    return queries


def _dcg(grades: Sequence[int]) -> float:
    return sum((2**grade - 1) / math.log2(rank + 2) for rank, grade in enumerate(grades))


def ndcg_at_k(ranked_ids: Sequence[str], grades: Mapping[str, int], k: int = K) -> float:
    """Graded nDCG@k (gain 2^grade - 1, log2 discount); unjudged hits gain 0.

    The ideal ranking is the judged grades in decreasing order; with no relevant listing it is 0.0.
    """
    ideal = _dcg(sorted((grade for grade in grades.values() if grade > 0), reverse=True)[:k])
    if ideal == 0:
        return 0.0
    return _dcg([grades.get(listing, 0) for listing in ranked_ids[:k]]) / ideal


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def evaluate(
    run_query: Callable[[ServiceQuery], dict] = search_services,
    queries: Sequence[JudgedQuery] | None = None,
) -> dict:
    """Run every judged query: per query nDCG@10, the rank of its expected listings (see
    ``JudgedQuery.expected_rank``) and what the ranking gets wrong; the mean, overall and per kind.
    """
    queries = load_judgments() if queries is None else queries
    per_query = {}
    for query in queries:
        ranked = [hit["external_id"] for hit in run_query(query.service_query())["results"]]
        per_query[query.id] = {
            "kind": query.kind,
            "ndcg": ndcg_at_k(ranked, query.grades),
            "expected_rank": query.expected_rank(ranked),
            "ranked": ranked[:K],
            "errors": query.expectation_errors(ranked),
            "known_failure": query.known_failure,
        }
    return {
        "mean_ndcg": _mean([result["ndcg"] for result in per_query.values()]),
        "by_kind": {
            kind: _mean([result["ndcg"] for result in per_query.values() if result["kind"] == kind])
            for kind in KINDS
            if any(query.kind == kind for query in queries)
        },
        "queries": per_query,
    }
