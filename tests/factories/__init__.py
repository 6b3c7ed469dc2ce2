"""factory_boy factories for the project's models, shared by every test module."""

from tests.factories.accounts import UserFactory
from tests.factories.contracting import (
    HARMLESS_FACTS,
    Party,
    active_contract,
    buyer_party,
    completed_contract,
    contract_for,
    due_milestone,
    fx_rates,
    provider_party,
    quote_for,
    rfq_for,
)
from tests.factories.providers import (
    ProviderFactory,
    certified_provider_page,
    provider_bundle,
    provider_record,
)

__all__ = [
    "HARMLESS_FACTS",
    "Party",
    "active_contract",
    "buyer_party",
    "certified_provider_page",
    "completed_contract",
    "contract_for",
    "due_milestone",
    "fx_rates",
    "provider_party",
    "quote_for",
    "rfq_for",
    "ProviderFactory",
    "UserFactory",
    "provider_bundle",
    "provider_record",
]
