from decimal import Decimal

import pytest
import stripe
from django.conf import settings

from payments.stripe_client import get_client, is_local_test_mode


def test_payment_intent_in_cny_is_created_and_confirmed_on_the_emulator():
    client = get_client()
    assert is_local_test_mode()
    payment_method = client.v1.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"},
        }
    )
    amount = Decimal("12500.00")

    intent = client.v1.payment_intents.create(
        params={
            "amount": int(amount * 100),
            "currency": "cny",
            "payment_method": payment_method.id,
            "payment_method_types": ["card"],
        },
        options={"idempotency_key": f"smoke-{payment_method.id}"},
    )
    assert intent.status == "requires_confirmation"
    client.v1.payment_intents.confirm(intent.id)

    stored = client.v1.payment_intents.retrieve(intent.id)
    assert (stored.status, stored.currency, stored.amount) == ("succeeded", "cny", 1250000)


def test_stripe_mock_rejects_a_request_the_real_api_would_reject():
    client = stripe.StripeClient(
        "sk_test_validation", base_addresses={"api": settings.STRIPE_MOCK_URL}
    )
    created = client.v1.payment_intents.create(
        params={"amount": 1250000, "currency": "cny", "payment_method_types": ["card"]}
    )
    assert created.object == "payment_intent"

    with pytest.raises(stripe.InvalidRequestError, match="amount"):
        client.v1.payment_intents.create(params={"amount": "a lot", "currency": "cny"})
