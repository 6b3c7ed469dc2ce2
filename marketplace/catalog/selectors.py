"""Reads from the catalogue."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils import timezone

from marketplace.catalog.models import FxRate, TaxonomyKind, TaxonomyNode
from marketplace.money import round_amount


def taxonomy_subtree(*, code: str) -> QuerySet[TaxonomyNode]:
    """The node with this code and all its descendants (a filter on a code covers them all)."""
    return TaxonomyNode.objects.filter(Q(code=code) | Q(code__startswith=f"{code}."))


def taxonomy_nodes(*, kind: str) -> QuerySet[TaxonomyNode]:
    """Every node of one kind (capability, therapeutic area, modality, species), in file order."""
    return TaxonomyNode.objects.filter(kind=kind).order_by("position")


def capability_groups() -> QuerySet[TaxonomyNode]:
    """The capability taxonomy's top level (discovery, DMPK, safety, ..., TCM), in its order."""
    return TaxonomyNode.objects.filter(kind=TaxonomyKind.CAPABILITY, parent__isnull=True)


def capabilities_matching(*, text: str, limit: int = 5) -> list[TaxonomyNode]:
    """Capabilities a buyer may mean by ``text`` as typed so far, best first.

    A capability matches when a word of one of its English labels or synonyms starts with the
    text, or its Chinese label contains it; a label starting with the text comes first, then
    shallower (broader) nodes. The taxonomy is small (a few hundred rows), so it is matched here.
    """
    needle = " ".join(text.lower().split())
    if not needle:
        return []
    ranked = []
    for node in taxonomy_nodes(kind=TaxonomyKind.CAPABILITY):
        names = [node.label_en, *node.synonyms]
        lowered = [name.lower() for name in names]
        if any(name.startswith(needle) for name in lowered) or needle in node.label_zh:
            ranked.append((0, node.depth, node.position, node))
        elif any(word.startswith(needle) for name in lowered for word in name.split()):
            ranked.append((1, node.depth, node.position, node))
    return [entry[-1] for entry in sorted(ranked, key=lambda entry: entry[:3])[:limit]]


def fx_rate_latest(*, base: str, quote: str, at: datetime | None = None) -> FxRate | None:
    """The latest rate from ``base`` to ``quote`` published at or before ``at`` (now)."""
    return (
        FxRate.objects.filter(
            base_currency=base, quote_currency=quote, as_of__lte=at or timezone.now()
        )
        .order_by("-as_of", "-pk")
        .first()
    )


@dataclass(frozen=True)
class PriceEstimator:
    """CNY amounts in another currency at one rate, rounded the way that currency is: an
    estimate for reading, never for settling. Called with an amount (None or "": None)."""

    currency: str
    rate: FxRate

    def __call__(self, amount) -> Decimal | None:
        if amount is None or amount == "":
            return None
        return round_amount(Decimal(str(amount)) * self.rate.rate, self.currency)


def price_estimator(*, currency: str | None) -> PriceEstimator | None:
    """Estimates in ``currency`` at its latest rate, looked up once for every price a page
    shows; None when there is nothing to estimate (no currency, CNY, no rate)."""
    if not currency or currency == "CNY":
        return None
    rate = fx_rate_latest(base="CNY", quote=currency)
    return PriceEstimator(currency=currency, rate=rate) if rate is not None else None
