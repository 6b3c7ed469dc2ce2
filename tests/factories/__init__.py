"""factory_boy factories for the project's models, shared by every test module."""

from tests.factories.accounts import UserFactory
from tests.factories.providers import ProviderFactory, provider_bundle, provider_record

__all__ = [
    "ProviderFactory",
    "UserFactory",
    "provider_bundle",
    "provider_record",
]
