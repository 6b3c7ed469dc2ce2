"""The one module that configures Stripe. Every Stripe call goes through ``get_client()``."""

from functools import lru_cache
from urllib.parse import urlsplit

import stripe
from django.conf import settings


@lru_cache(maxsize=4)
def _client(api_key: str, api_base: str, api_version: str) -> stripe.StripeClient:
    base_addresses = {"api": api_base} if api_base else {}
    return stripe.StripeClient(
        api_key,
        stripe_version=api_version,
        base_addresses=base_addresses,
        max_network_retries=2,
    )


def get_client() -> stripe.StripeClient:
    """A client for the configured account, or the local emulator in local test mode."""
    api_key = settings.STRIPE_SECRET_KEY or "sk_test_local_emulator"
    return _client(api_key, settings.STRIPE_API_BASE, settings.STRIPE_API_VERSION)


def is_local_test_mode() -> bool:
    """True when payments go to a local Stripe emulator rather than Stripe itself (never in
    production: see ``PAYMENTS_LOCAL_TEST_MODE``)."""
    if not settings.PAYMENTS_LOCAL_TEST_MODE:
        return False
    host = urlsplit(settings.STRIPE_API_BASE).hostname or "api.stripe.com"
    return not host.endswith("stripe.com")
