"""Screening deals: the facts of an RFQ (and of a quote on it), screened and stored."""

import copy
import dataclasses
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.compliance.facts import fact_description
from marketplace.compliance.screening import DealFacts
from marketplace.compliance.selectors import rules_version
from marketplace.compliance.services import screen_deal
from marketplace.contracting.models import (
    ChangeOrderStatus,
    ChecklistItem,
    Contract,
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
# Facts of the RFQ that are not rule facts themselves but decide one (``foreign_party``).
RFQ_PARTY_FACTS = ("buyer_collects_hgr",)
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


def _is_foreign(organisation) -> bool | None:
    """Whether an organisation is a foreign party in the HGR rules' meaning: established abroad,
    or in China but foreign-held or controlled (None while a Chinese one has not said)."""
    if organisation.country != CHINA:
        return True
    return organisation.is_foreign_invested


def _foreign_party(rfq: Rfq, direction: str, provider) -> bool | None:
    """Whether a foreign party collects, stores or exports the deal's human genetic resources.

    In China the material is handled by the Chinese side of the deal (the provider doing the
    work; for an inbound deal, the Chinese client shipping its own samples) and by the buyer
    when the buyer says it collects or holds them itself. Never derived from the direction alone.
    An RFQ's own screening reads what its buyer can state; each quote's adds its provider.
    """
    handlers: list = []
    unknown = False
    if direction == "inbound":
        handlers.append(rfq.buyer)
    elif provider is not None:
        handlers.append(provider)
    if rfq.buyer_collects_hgr is None:
        unknown = unknown or direction != "inbound"
    elif rfq.buyer_collects_hgr and rfq.buyer not in handlers:
        handlers.append(rfq.buyer)
    nature = [_is_foreign(organisation) for organisation in handlers]
    if True in nature:
        return True
    if unknown or None in nature:
        return None
    return False


def deal_facts(rfq: Rfq, quote: Quote | None = None) -> DealFacts:
    """What the screening reads: the RFQ's stated facts, the parties, and the quote's terms.

    The zone is where the work is done in China: the provider's (or the quote's work site) for
    an outbound deal; for an inbound one, where the Chinese client is established."""
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
    if direction == "inbound":
        zone = buyer.zone.code if buyer.zone else None
    foreign = buyer if direction == "outbound" else provider
    return DealFacts(
        direction=direction,
        provider_zone=zone,
        partner_country=foreign.country if foreign is not None else None,
        capability_codes=tuple(sorted(codes)),
        foreign_party=_foreign_party(rfq, direction, provider),
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


# The facts of a deal a change order may restate (the RFQ's, as the buyer stated them).
CHANGEABLE_FACTS = (*RFQ_PARTY_FACTS, *RFQ_FACTS, "technology_catalogue_item")


def contract_fact_values(contract: Contract) -> dict:
    """The deal facts a contract stands on now: its RFQ's, as its last applied change order
    restated them."""
    applied = (
        contract.change_orders.filter(status=ChangeOrderStatus.APPLIED).order_by("-number").first()
    )
    if applied is not None:
        return dict(applied.after["facts"])
    return {name: getattr(contract.rfq, name) for name in CHANGEABLE_FACTS}


def contract_facts(
    contract: Contract, *, fact_values: dict | None = None, amounts: list[Decimal] | None = None
) -> DealFacts:
    """What the screening reads of a contract: its deal's facts (``fact_values``, else those it
    stands on now) and its largest payment (of ``amounts``, else of its milestones) in USD at the
    rate its quote snapshotted."""
    rfq = copy.copy(contract.rfq)
    for name, value in (fact_values or contract_fact_values(contract)).items():
        setattr(rfq, name, value)
    facts = deal_facts(rfq, contract.quote)
    if amounts is None:
        amounts = [milestone.amount for milestone in contract.milestones.all()]
    rate = contract.revision.usd_rate
    largest = None
    if amounts and rate is not None:
        largest = (max(amounts) * rate).quantize(Decimal("0.01"))
    return dataclasses.replace(facts, single_payment_usd_equivalent=largest)


def deal_screen(
    *, rfq: Rfq, quote: Quote | None = None, facts: DealFacts | None = None
) -> Screening:
    """Screen the RFQ (or one quote on it) with today's rules and store the result; ``facts``,
    when a contract's facts differ from its quote's (see ``contract_facts``)."""
    facts = facts or deal_facts(rfq, quote)
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
    rfqs = Rfq.objects.filter(status__in=(RfqStatus.DRAFT, RfqStatus.OPEN)).select_related(
        "buyer__zone"
    )
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


def unblock_hint(*, screening: Screening) -> str:
    """What would let a blocked deal go ahead, in the reader's language: the facts to state for
    a prohibition that may apply, else the rule's own action for one that applies."""
    blocking = blocking_findings(screening=screening)
    unknown = sorted(
        {fact for f in blocking if f["status"] == "to_confirm" for fact in f["unknown_facts"]}
    )
    if unknown:
        return _("Answer these first: %s.") % "; ".join(fact_description(f) for f in unknown)
    key = "action_zh" if reads_chinese() else "action_en"
    actions = [f.get(key) or f["action_en"] for f in blocking]
    return _("As described, the deal is not allowed: %s") % " ".join(actions)


CHECKLIST_SEVERITIES = ("needs_approval", "needs_filing")


def checklist_missing(*, contract: Contract, findings: list[dict]) -> list[dict]:
    """The findings that ask for an approval or a filing the contract's checklist lacks."""
    held = set(contract.checklist.values_list("rule", flat=True))
    return [f for f in findings if f["severity"] in CHECKLIST_SEVERITIES and f["rule"] not in held]


def checklist_extend(*, contract: Contract, findings: list[dict]) -> list[ChecklistItem]:
    """The contract's checklist gains an item for each finding that asks for an approval or a
    filing and is not on it yet (what payments wait for)."""
    return ChecklistItem.objects.bulk_create(
        ChecklistItem(
            contract=contract,
            rule=f["rule"],
            severity=f["severity"],
            finding_status=f["status"],
            title_en=f["title_en"],
            title_zh=f["title_zh"],
            action_en=f["action_en"],
            action_zh=f["action_zh"],
            authority=f["authority"],
            authority_zh=f.get("authority_zh", ""),
        )
        for f in checklist_missing(contract=contract, findings=findings)
    )
