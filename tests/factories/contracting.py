"""Deals made through the services, as the site makes them: parties, RFQs, quotes, contracts."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from cms.demo import DEMO_DEAL_FACTS
from marketplace.accounts.models import Organisation, OrganisationKind, User
from marketplace.accounts.services import (
    organisation_capabilities_set,
    organisation_create,
    organisation_verify,
)
from marketplace.catalog.services import fx_rates_load
from marketplace.contracting.models import Contract, Milestone, Quote, Rfq
from marketplace.contracting.services import (
    LineInput,
    MilestoneInput,
    contract_complete,
    contract_sign,
    milestone_accept,
    milestone_mark_due,
    milestone_mark_paid,
    quote_accept,
    quote_save_draft,
    quote_submit,
    rfq_create,
    rfq_invite,
    rfq_open,
)
from tests.factories.accounts import UserFactory

# Facts of a deal with nothing sensitive in it: every compliance fact stated, all harmless.
HARMLESS_FACTS = DEMO_DEAL_FACTS


@dataclass
class Party:
    organisation: Organisation
    owner: User


def buyer_party(
    *,
    country: str = "US",
    name: str | None = None,
    email: str | None = None,
    zone_code: str | None = None,
    foreign_invested: bool | None = None,
) -> Party:
    owner = UserFactory(email_verified=True, **({"email": email} if email else {}))
    organisation = organisation_create(
        name=name or f"Buyer Pharma {owner.pk}",
        kind=OrganisationKind.BUYER,
        country=country,
        zone_code=zone_code,
        owner=owner,
        is_foreign_invested=foreign_invested if country == "CN" else None,
    )
    return Party(organisation, owner)


def provider_party(
    *,
    zone_code: str = "shanghai_ftz",
    verified: bool = True,
    offers: tuple[str, ...] = ("dmpk.in_vitro_adme",),
    country: str = "CN",
    email: str | None = None,
    foreign_invested: bool | None = False,
) -> Party:
    owner = UserFactory(email_verified=True, **({"email": email} if email else {}))
    organisation = organisation_create(
        name=f"Provider Labs {owner.pk}",
        kind=OrganisationKind.CRO,
        country=country,
        zone_code=zone_code,
        city="Shanghai",
        owner=owner,
        is_foreign_invested=foreign_invested if country == "CN" else None,
    )
    if verified:
        organisation = organisation_verify(organisation=organisation)
    organisation_capabilities_set(organisation=organisation, codes=set(offers))
    return Party(organisation, owner)


def fx_rates() -> None:
    """The demo reference rates (CNY to USD, EUR, GBP, JPY, ...)."""
    fx_rates_load()


def rfq_for(
    buyer: Party,
    *,
    invite: list[Party] = (),
    open_it: bool = True,
    capability_codes: tuple[str, ...] = ("dmpk.in_vitro_adme",),
    **values,
) -> Rfq:
    values = {"budget_currency": "USD", **HARMLESS_FACTS, **values}
    rfq = rfq_create(
        buyer=buyer.organisation,
        by=buyer.owner,
        title=values.pop("title", "Metabolic stability panel for 12 compounds"),
        scope=values.pop("scope", "Microsomal and hepatocyte stability, CYP inhibition."),
        capability_codes=list(capability_codes),
        **values,
    )
    if invite:
        rfq_invite(rfq=rfq, providers=[party.organisation for party in invite], by=buyer.owner)
    if open_it:
        rfq = rfq_open(rfq=rfq, by=buyer.owner)
    return rfq


def default_lines() -> list[LineInput]:
    return [
        LineInput("Microsomal stability, 12 compounds", Decimal(12), Decimal("3500.00"),
                  Decimal(0), "zero_rated_export", "dmpk.in_vitro_adme"),
        LineInput("CYP inhibition panel", Decimal(1), Decimal("28000.00"), Decimal("0.06"),
                  "standard"),
    ]  # fmt: skip


def default_milestones() -> list[MilestoneInput]:
    today = timezone.localdate()
    return [
        MilestoneInput("Kick-off", share=Decimal(30), due_date=today + timedelta(days=7)),
        MilestoneInput("Final report", share=Decimal(70), trigger="Report delivered"),
    ]


def quote_for(
    rfq: Rfq,
    provider: Party,
    *,
    submit: bool = True,
    lines: list[LineInput] | None = None,
    milestones: list[MilestoneInput] | None = None,
    **values,
) -> Quote:
    values = {
        "valid_until": timezone.localdate() + timedelta(days=30),
        "provider_is_ciio": False,
        **values,
    }
    quote = quote_save_draft(
        rfq=rfq,
        provider=provider.organisation,
        by=provider.owner,
        lines=default_lines() if lines is None else lines,
        milestones=default_milestones() if milestones is None else milestones,
        **values,
    )
    if submit:
        quote = quote_submit(quote=quote, by=provider.owner)
    return quote


def contract_for(buyer: Party, provider: Party, **rfq_values) -> Contract:
    rfq = rfq_for(buyer, invite=[provider], **rfq_values)
    return quote_accept(quote=quote_for(rfq, provider), by=buyer.owner)


def active_contract(buyer: Party, provider: Party) -> Contract:
    """A contract both parties signed (CNY 71,680.00: "Kick-off" CNY 21,504.00 due in a week,
    "Final report" CNY 50,176.00 on delivery), both milestones still planned."""
    contract = contract_for(buyer, provider)
    contract_sign(contract=contract, by=buyer.owner)
    return contract_sign(contract=contract, by=provider.owner)


def due_milestone() -> tuple[Party, Party, Milestone]:
    """A buyer and a provider with a signed contract whose first milestone (CNY 21,504.00) the
    provider has called due: what paying needs."""
    fx_rates()
    buyer, provider = buyer_party(), provider_party()
    contract = contract_for(buyer, provider)
    contract_sign(contract=contract, by=buyer.owner)
    contract_sign(contract=contract, by=provider.owner)
    milestone = milestone_mark_due(milestone=contract.milestones.get(position=1), by=provider.owner)
    return buyer, provider, milestone


def completed_contract(buyer: Party | None = None, provider: Party | None = None) -> Contract:
    """A contract both signed, every milestone due, paid and accepted, then completed by the
    buyer: what a review needs."""
    fx_rates()
    buyer, provider = buyer or buyer_party(), provider or provider_party()
    contract = contract_for(buyer, provider)
    contract_sign(contract=contract, by=buyer.owner)
    contract_sign(contract=contract, by=provider.owner)
    for milestone in contract.milestones.all():
        milestone_mark_due(milestone=milestone, by=provider.owner)
        milestone_mark_paid(milestone=milestone, reference=f"pi_{milestone.pk}")
        milestone_accept(milestone=milestone, by=buyer.owner)
    return contract_complete(contract=contract, by=buyer.owner)
