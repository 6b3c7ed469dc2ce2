"""Reading reviews: a provider's rating (visible reviews only), its latest reviews, and who may
review or answer what (one rule for the pages and the API)."""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, QuerySet

from marketplace.accounts.models import Organisation, User
from marketplace.accounts.permissions import is_member
from marketplace.contracting.models import Contract, ContractStatus
from marketplace.trust.models import (
    ASPECTS,
    MIN_HISTORY,
    RATING_MAX,
    RATING_MIN,
    ConcernList,
    ConcernMatch,
    Review,
    TrackRecord,
)

LATEST = 5


def visible_reviews(*, provider: Organisation | None = None) -> QuerySet[Review]:
    """Reviews shown on the pages and counted in ratings: not hidden by staff."""
    reviews = Review.objects.filter(hidden_at__isnull=True).select_related("buyer")
    return reviews.filter(provider=provider) if provider is not None else reviews


def _one_place(value) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def provider_rating(*, provider: Organisation) -> dict:
    """Average (one decimal), count, distribution of overall ratings (5 down to 1) and each
    aspect's average, over the provider's visible reviews."""
    reviews = visible_reviews(provider=provider)
    figures = reviews.aggregate(
        count=Count("pk"),
        average=Avg("overall"),
        **{name: Avg(name) for name in ASPECTS},
    )
    by_rating = dict(reviews.values_list("overall").annotate(n=Count("pk")).order_by())
    count = figures["count"]
    return {
        "count": count,
        "average": _one_place(figures["average"]),
        "aspects": {name: _one_place(figures[name]) for name in ASPECTS},
        "distribution": [
            {
                "rating": rating,
                "count": by_rating.get(rating, 0),
                "percent": round(100 * by_rating.get(rating, 0) / count) if count else 0,
            }
            for rating in range(RATING_MAX, RATING_MIN - 1, -1)
        ],
    }


def ratings_of(*, organisation_ids: list[int]) -> dict[int, tuple[Decimal, int]]:
    """(average, count) of visible reviews per provider organisation that has any."""
    rows = (
        visible_reviews()
        .filter(provider_id__in=organisation_ids)
        .values("provider_id")
        .annotate(average=Avg("overall"), count=Count("pk"))
        .order_by()
    )
    return {row["provider_id"]: (_one_place(row["average"]), row["count"]) for row in rows}


def latest_reviews(*, provider: Organisation, limit: int = LATEST) -> list[Review]:
    return list(visible_reviews(provider=provider)[:limit])


def may_review(*, user: User, contract: Contract) -> bool:
    """Whether ``user`` may review ``contract`` now: the buyer's, completed, not yet reviewed."""
    return (
        contract.status == ContractStatus.COMPLETED
        and not Review.objects.filter(contract=contract).exists()
        and is_member(user=user, organisation_id=contract.buyer_id)
    )


def may_reply(*, user: User, review: Review) -> bool:
    """Whether ``user`` may answer ``review`` now: the provider's, not answered yet."""
    return not review.reply and is_member(user=user, organisation_id=review.provider_id)


def _share(part: int, whole: int) -> int | None:
    """A whole percentage, or None with too little history to say."""
    return round(100 * part / whole) if whole >= MIN_HISTORY else None


def track_record_of(*, provider: Organisation) -> dict | None:
    """The track record as the page and the API show it (None until first computed): each
    share or median is None where the cases behind it are fewer than ``MIN_HISTORY``."""
    record = TrackRecord.objects.filter(provider=provider).first()
    return None if record is None else _shown(record)


def _shown(record: TrackRecord) -> dict:
    return {
        "computed_at": record.computed_at,
        "rfqs_received": record.rfqs_received,
        "rfqs_quoted": record.rfqs_quoted,
        "quoted_percent": _share(record.rfqs_quoted, record.rfqs_received),
        "median_response_hours": (
            record.median_response_hours if record.rfqs_quoted >= MIN_HISTORY else None
        ),
        "contracts_completed": record.contracts_completed,
        "milestones_dated": record.milestones_dated,
        "on_time_percent": _share(record.milestones_on_time, record.milestones_dated),
        "buyers": record.buyers,
        "repeat_buyer_percent": _share(record.repeat_buyers, record.buyers),
        "minimum_history": MIN_HISTORY,
    }


def concern_flags_of(*, provider: Organisation) -> list[dict]:
    """The lists naming ``provider`` (by a name it goes by), as its page shows them."""
    matches = ConcernMatch.objects.filter(provider=provider).select_related("entry__concern_list")
    return [
        {
            "list": match.entry.concern_list.name,
            "source": match.entry.concern_list.source,
            "url": match.entry.concern_list.url,
            "published_on": match.entry.concern_list.published_on,
            "listed_name": match.entry.name,
        }
        for match in matches
    ]


def track_record_figures_of(*, organisation_ids: list[int]) -> dict[int, dict]:
    """What search results show of each provider's last computed track record: completed
    contracts, and the shares and median that have enough history behind them (else None);
    for every organisation asked about, computed or not."""
    nothing_yet = {
        "contracts_completed": 0, "median_response_hours": None, "quoted_percent": None,
        "on_time_percent": None, "repeat_buyer_percent": None,
    }  # fmt: skip
    figures = {organisation_id: dict(nothing_yet) for organisation_id in organisation_ids}
    for record in TrackRecord.objects.filter(provider_id__in=organisation_ids):
        shown = _shown(record)
        figures[record.provider_id] = {
            "contracts_completed": shown["contracts_completed"],
            "median_response_hours": (
                None
                if shown["median_response_hours"] is None
                else float(shown["median_response_hours"])
            ),
            "quoted_percent": shown["quoted_percent"],
            "on_time_percent": shown["on_time_percent"],
            "repeat_buyer_percent": shown["repeat_buyer_percent"],
        }
    return figures


def flagged_organisation_ids(*, organisation_ids: list[int]) -> set[int]:
    """Which of these provider organisations the company-of-concern screen flags."""
    return set(
        ConcernMatch.objects.filter(provider_id__in=organisation_ids).values_list(
            "provider_id", flat=True
        )
    )


def concern_lists() -> QuerySet[ConcernList]:
    return ConcernList.objects.prefetch_related("entries__matches__provider")


def flagged_by(*, concern_list: ConcernList) -> list[Organisation]:
    """The provider organisations a list flags, by name."""
    return list(
        Organisation.objects.filter(concern_matches__entry__concern_list=concern_list)
        .distinct()
        .order_by("name")
    )
