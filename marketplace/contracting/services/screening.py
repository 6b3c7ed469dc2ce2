"""Screening deals: the facts of an RFQ (and of a quote on it), screened and stored."""

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.compliance.screening import DealFacts
from marketplace.compliance.selectors import rules_version
from marketplace.compliance.services import screen_deal
from marketplace.contracting.models import (
    Quote,
    QuoteRevision,
    QuoteStatus,
    Rfq,
    RfqStatus,
    Screening,
)
from marketplace.language import reads_chinese

CHINA = "CN"
RFQ_FACTS = (
    "hgr_materials_leave_china", "hgr_information_abroad", "hgr_joint_research",
    "registration_trial_at_institution", "personal_info_subjects_ytd",
    "sensitive_personal_info_subjects_ytd", "important_data", "technology_transfer",
    "foreign_staff_on_site", "ai_generated_prescriptions",
)  # fmt: skip
LIVE_QUOTES = (QuoteStatus.DRAFT, QuoteStatus.SUBMITTED, QuoteStatus.REVISED)


def _direction(buyer_country: str, provider_country: str | None) -> str:
    """Outbound when a Chinese provider serves a foreign buyer (the usual deal here)."""
    if buyer_country == CHINA and provider_country not in (None, CHINA):
        return "inbound"
    if buyer_country == CHINA and provider_country == CHINA:
        return "domestic"  # only rules for either direction can apply
    return "outbound"


def current_revision(quote: Quote) -> QuoteRevision | None:
    """The latest submitted revision, or the draft if nothing was submitted yet."""
    revisions = sorted(quote.revisions.all(), key=lambda revision: revision.number)
    submitted = [revision for revision in revisions if revision.is_submitted]
    return (submitted or revisions or [None])[-1]


def deal_facts(rfq: Rfq, quote: Quote | None = None) -> DealFacts:
    """What the screening reads: the RFQ's stated facts, the parties, and the quote's terms."""
    buyer = rfq.buyer
    provider = quote.provider if quote else None
    direction = _direction(buyer.country, provider.country if provider else None)
    codes = {node.code for node in rfq.capabilities.all()}
    zone = None
    is_ciio = None
    largest_payment_usd = None
    revision = current_revision(quote) if quote else None
    if provider is not None:
        zone = provider.zone.code if provider.zone else None
    if revision is not None:
        codes |= {line.capability.code for line in revision.lines.all() if line.capability}
        if revision.work_zone is not None:
            zone = revision.work_zone.code
        is_ciio = revision.provider_is_ciio
        amounts = [milestone.amount for milestone in revision.milestones.all()]
        if amounts and revision.usd_rate is not None:
            largest_payment_usd = (max(amounts) * revision.usd_rate).quantize(Decimal("0.01"))
    foreign = buyer if direction == "outbound" else provider
    return DealFacts(
        direction=direction,
        provider_zone=zone,
        partner_country=foreign.country if foreign is not None else None,
        capability_codes=tuple(sorted(codes)),
        foreign_party=direction in ("outbound", "inbound"),
        technology_catalogue_item=rfq.technology_catalogue_item or None,
        provider_is_ciio=is_ciio,
        single_payment_usd_equivalent=largest_payment_usd,
        **{name: getattr(rfq, name) for name in RFQ_FACTS},
    )


def _facts_json(facts: DealFacts) -> dict:
    values = {name: getattr(facts, name) for name in facts.__dataclass_fields__}
    values["capability_codes"] = list(facts.capability_codes or [])
    if facts.single_payment_usd_equivalent is not None:
        values["single_payment_usd_equivalent"] = str(facts.single_payment_usd_equivalent)
    return values


def deal_screen(*, rfq: Rfq, quote: Quote | None = None) -> Screening:
    """Screen the RFQ (or one quote on it) with today's rules and store the result."""
    facts = deal_facts(rfq, quote)
    result = screen_deal(facts=facts)
    screening, _created = Screening.objects.update_or_create(
        rfq=rfq,
        quote=quote,
        defaults={
            "facts": _facts_json(facts),
            "findings": [finding.as_dict() for finding in result.findings],
            "outcome": result.outcome,
            "is_blocked": result.is_blocked,
            "facts_to_confirm": result.facts_to_confirm,
            "rules_version": rules_version(),
            "screened_at": timezone.now(),
        },
    )
    return screening


def screenings_refresh(*, rfq_ids: list[int] | None = None, stale_only: bool = False) -> int:
    """Screen again the RFQs still in play (draft or open) and their live quotes; return how many
    screenings were written. ``stale_only``: those made with other rules than today's."""
    rfqs = Rfq.objects.filter(status__in=(RfqStatus.DRAFT, RfqStatus.OPEN)).select_related("buyer")
    if rfq_ids is not None:
        rfqs = rfqs.filter(pk__in=rfq_ids)
    version = rules_version()
    written = 0
    for rfq in rfqs.prefetch_related("capabilities", "screenings"):
        stale = {s.quote_id for s in rfq.screenings.all() if s.rules_version != version}
        if not stale_only or None in stale or not rfq.screenings.all():
            deal_screen(rfq=rfq)
            written += 1
        quotes = (
            rfq.quotes.filter(status__in=LIVE_QUOTES)
            .select_related("provider__zone")
            .prefetch_related("revisions__lines__capability", "revisions__milestones")
        )
        for quote in quotes:
            if not stale_only or quote.pk in stale or not hasattr(quote, "screening"):
                deal_screen(rfq=rfq, quote=quote)
                written += 1
    return written


def blocking_findings(*, screening: Screening) -> list[dict]:
    """The findings of a stored screening that stop the deal."""
    return [finding for finding in screening.findings if finding["severity"] == "blocked"]


def blocked_message(*, screening: Screening) -> str:
    """Why a screening stops the deal, in the reader's language: the blocking rules' titles."""
    key = "title_zh" if reads_chinese() else "title_en"
    titles = [f.get(key) or f["title_en"] for f in blocking_findings(screening=screening)]
    return _("Compliance blocks this deal: %s.") % "; ".join(titles)
