"""The cross-border trade report for platform staff: contracts by period and one dimension.

Reads only; the facts of each deal come from its immutable contract snapshot and accepted
revision where they are recorded there, and from the quote's screening (direction, partner
country) where they are not.
"""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db.models import F
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from marketplace.catalog.models import TaxonomyNode, Tier
from marketplace.compliance.selectors import zone_tiers
from marketplace.contracting.models import Contract, ContractStatus, QuoteLine
from marketplace.language import reads_chinese
from marketplace.money import SETTLEMENT_CURRENCY, Currency, round_amount

GROUP_BY = {
    "partner_country": gettext_lazy("Partner country"),
    "category": gettext_lazy("Service category"),
    "tier": gettext_lazy("Provider zone tier"),
    "buyer_currency": gettext_lazy("Buyer currency"),
    "direction": gettext_lazy("Direction"),
}
PERIODS = {"month": gettext_lazy("Month"), "quarter": gettext_lazy("Quarter")}
# A chart and a table of more periods than this are unreadable; ask for a coarser period.
MAX_PERIODS = 60
UNCLASSIFIED = "unclassified"  # quote lines without a capability
UNKNOWN = "unknown"  # a fact the deal's records do not hold
NO_FOREIGN_PARTY = "none"  # a domestic deal's partner country
DIRECTIONS = {
    "outbound": gettext_lazy("Outbound (service exported from China)"),
    "inbound": gettext_lazy("Inbound (service imported into China)"),
    "domestic": gettext_lazy("Domestic"),
}
ZERO = Decimal("0.00")


class ReportError(ValueError):
    """Report parameters that make no report; the message is for the person who chose them."""


def period_of(day: date, period: str) -> tuple[str, date]:
    """The period ``day`` falls in: its key ("2026-03", "2026-Q1") and its first day."""
    if period == "month":
        return f"{day.year}-{day.month:02d}", date(day.year, day.month, 1)
    quarter = (day.month - 1) // 3
    return f"{day.year}-Q{quarter + 1}", date(day.year, quarter * 3 + 1, 1)


def periods_between(*, start: date, end: date, period: str) -> list[dict]:
    """Every period from the one holding ``start`` to the one holding ``end``, in order."""
    step = 1 if period == "month" else 3
    key, first = period_of(start, period)
    periods = []
    while first <= end:
        periods.append({"period": key, "start": first})
        month = first.month - 1 + step
        first = date(first.year + month // 12, month % 12 + 1, 1)
        key, first = period_of(first, period)
    return periods


def _validate(*, start: date, end: date, group_by: str, period: str) -> list[dict]:
    if group_by not in GROUP_BY:
        raise ReportError(
            _("Unknown grouping %(value)s: choose one of %(choices)s.")
            % {"value": group_by, "choices": ", ".join(GROUP_BY)}
        )
    if period not in PERIODS:
        raise ReportError(
            _("Unknown period %(value)s: choose month or quarter.") % {"value": period}
        )
    if start > end:
        raise ReportError(
            _("The start date %(start)s is after the end date %(end)s.")
            % {"start": start.isoformat(), "end": end.isoformat()}
        )
    periods = periods_between(start=start, end=end, period=period)
    if len(periods) > MAX_PERIODS:
        raise ReportError(
            _("That range has %(count)d periods; the report shows at most %(max)d. Choose a "
              "shorter range or group by quarter.") % {"count": len(periods), "max": MAX_PERIODS}
        )  # fmt: skip
    return periods


def _contracts(*, start: date, end: date):
    """One row per contract in the range (created on ``start``..``end`` in the site's time zone),
    terminated ones left out, with only the facts the report reads."""
    facts = "quote__screening__facts"
    return (
        Contract.objects.exclude(status=ContractStatus.TERMINATED)
        .filter(created_at__date__gte=start, created_at__date__lte=end)
        .values(
            "pk",
            "created_at",
            "total_amount",
            "currency",
            "revision_id",
            usd_rate=F("revision__usd_rate"),
            buyer_currency=KeyTextTransform(
                "buyer_currency", KeyTransform("fx", KeyTransform("quote", "snapshot"))
            ),
            work_zone=KeyTextTransform("zone", KeyTransform("provider", "snapshot")),
            home_zone=F("provider__zone__code"),
            direction=KeyTextTransform("direction", facts),
            partner_country=KeyTextTransform("partner_country", facts),
        )
        .order_by("created_at", "pk")
    )


def _category_shares(contracts, rows: list[dict]) -> dict[int, dict[str, Decimal]]:
    """Each contract's total split over the roots of its lines' capabilities (one query).

    A line counts with its own VAT (net + VAT), so a zero-rated export line and a standard-rated
    one keep their own tax and the parts add up to the contract total to the fen.
    """
    lines = QuoteLine.objects.filter(revision_id__in=contracts.values("revision_id")).values_list(
        "revision_id", "capability__code", "net_amount", "vat_amount"
    )
    by_revision: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for revision_id, code, net, vat in lines:
        root = code.split(".", 1)[0] if code else UNCLASSIFIED
        by_revision[revision_id][root] += net + vat
    shares = {}
    for contract in rows:
        parts = dict(by_revision.get(contract["revision_id"], {}))
        # The quote service writes a revision's net and VAT as the sums of its lines; should a
        # contract made some other way disagree, the gap is left unclassified.
        gap = contract["total_amount"] - sum(parts.values(), ZERO)
        if gap:
            parts[UNCLASSIFIED] = parts.get(UNCLASSIFIED, ZERO) + gap
        shares[contract["pk"]] = parts
    return shares


def _keyed(contract: dict, group_by: str, tiers: dict[str, str]) -> str:
    if group_by == "buyer_currency":
        return contract["buyer_currency"] or UNKNOWN
    if group_by == "direction":
        return contract["direction"] or UNKNOWN
    if group_by == "partner_country":
        if contract["direction"] == "domestic":
            return NO_FOREIGN_PARTY
        return contract["partner_country"] or UNKNOWN
    # Tier: of the zone the work is done in as screened (the quote's work zone or the
    # provider's), which the snapshot records; the provider's zone for want of it.
    zone = contract["work_zone"] or contract["home_zone"]
    return tiers.get(zone, UNKNOWN)


def _labels(group_by: str, keys: set[str]) -> dict[str, str]:
    labels = {UNKNOWN: _("Unknown"), UNCLASSIFIED: _("Unclassified")}
    if group_by == "category":
        chinese = reads_chinese()
        for node in TaxonomyNode.objects.filter(code__in=keys).only("code", "label_en", "label_zh"):
            label = (node.label_zh or node.label_en) if chinese else node.label_en
            labels[node.code] = label or node.code
    elif group_by == "tier":
        labels.update({value: str(label) for value, label in Tier.choices})
    elif group_by == "direction":
        labels.update({value: str(label) for value, label in DIRECTIONS.items()})
    elif group_by == "buyer_currency":
        labels.update({value: str(label) for value, label in Currency.choices})
    else:
        labels[NO_FOREIGN_PARTY] = _("No foreign party (domestic deal)")
    return {key: labels.get(key, key) for key in keys}


def _usd(amount: Decimal | None) -> Decimal | None:
    return None if amount is None else round_amount(amount, "USD")


def trade_report(*, start: date, end: date, group_by: str, period: str) -> dict:
    """Contract value (CNY, and USD at each quote's snapshotted rate) and deal count per period
    and ``group_by`` key, for contracts made ``start``..``end`` (inclusive), terminated ones out.

    By category, a contract's total is split over its quote lines (net + VAT per line, lines
    without a capability "unclassified"): a deal counts once in each category it has lines in,
    and once in the totals. A USD figure is None when any contract in it has no USD rate.
    ``rmb_share`` is the share of value in contracts settled in CNY. Raises ``ReportError`` for
    parameters that make no report. Three queries at most.
    """
    periods = _validate(start=start, end=end, group_by=group_by, period=period)
    contracts = _contracts(start=start, end=end)
    records = list(contracts)
    shares = _category_shares(contracts, records) if group_by == "category" and records else {}
    tiers = zone_tiers() if group_by == "tier" and records else {}

    cells: dict[tuple[str, str], dict] = {}
    value_by_key: dict[str, Decimal] = defaultdict(lambda: ZERO)
    total_value = settled_in_rmb = ZERO
    total_usd: Decimal | None = ZERO
    without_usd_rate = 0
    for contract in records:
        period_key, _first = period_of(timezone.localdate(contract["created_at"]), period)
        if group_by == "category":
            parts = shares[contract["pk"]]
        else:
            parts = {_keyed(contract, group_by, tiers): contract["total_amount"]}
        rate = contract["usd_rate"]
        for key, amount in parts.items():
            cell = cells.setdefault(
                (period_key, key), {"deals": 0, "value_cny": ZERO, "value_usd": ZERO}
            )
            cell["deals"] += 1
            cell["value_cny"] += amount
            value_by_key[key] += amount
            if rate is None or cell["value_usd"] is None:
                cell["value_usd"] = None
            else:
                cell["value_usd"] += amount * rate
        total_value += contract["total_amount"]
        if contract["currency"] == SETTLEMENT_CURRENCY:
            settled_in_rmb += contract["total_amount"]
        if rate is None:
            without_usd_rate += 1
            total_usd = None
        elif total_usd is not None:
            total_usd += contract["total_amount"] * rate

    labels = _labels(group_by, set(value_by_key))
    # Largest first, so the chart and the legend lead with what matters.
    keys = sorted(value_by_key, key=lambda key: (-value_by_key[key], key))
    order = {key: index for index, key in enumerate(keys)}
    starts = {item["period"]: item["start"] for item in periods}
    rows = [
        {
            "period": period_key,
            "period_start": starts[period_key],
            "key": key,
            "label": labels[key],
            "deals": cell["deals"],
            "value_cny": cell["value_cny"],
            "value_usd": _usd(cell["value_usd"]),
        }
        for (period_key, key), cell in sorted(
            cells.items(), key=lambda item: (item[0][0], order[item[0][1]])
        )
    ]
    return {
        "start": start,
        "end": end,
        "group_by": group_by,
        "period": period,
        "periods": periods,
        "keys": [
            {"key": key, "label": labels[key], "value_cny": value_by_key[key]} for key in keys
        ],
        "rows": rows,
        "totals": {
            "deals": len(records),
            "value_cny": total_value,
            "value_usd": _usd(total_usd),
            "deals_without_usd_rate": without_usd_rate,
        },
        "rmb_share": (settled_in_rmb / total_value).quantize(Decimal("0.0001"))
        if total_value
        else None,
    }
