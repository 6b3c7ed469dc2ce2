"""Webhook deliveries as Stripe makes them: signed payloads posted to the endpoint."""

import hashlib
import hmac
import json
import time

from django.conf import settings
from django.test import Client

WEBHOOK_URL = "/payments/stripe/webhook/"


def stripe_signature(payload: str, *, secret: str | None = None, at: int | None = None) -> dict:
    """The Stripe-Signature header Stripe would send: HMAC-SHA256 of "<t>.<payload>"."""
    timestamp = at if at is not None else int(time.time())
    digest = hmac.new(
        (secret or settings.STRIPE_WEBHOOK_SECRET).encode(),
        f"{timestamp}.{payload}".encode(),
        hashlib.sha256,
    ).hexdigest()
    return {"HTTP_STRIPE_SIGNATURE": f"t={timestamp},v1={digest}"}


def webhook_post(client: Client, body: dict):
    """Deliver ``body`` to the webhook, signed with the endpoint secret."""
    payload = json.dumps(body)
    return client.post(
        WEBHOOK_URL, payload, content_type="application/json", **stripe_signature(payload)
    )


def intent_event(event_id: str, kind: str, intent_id: str, status: str) -> dict:
    """A ``payment_intent.*`` event as Stripe sends it (a failure carries its card message)."""
    return {
        "id": event_id, "object": "event", "type": kind, "created": int(time.time()),
        "api_version": settings.STRIPE_API_VERSION,
        "data": {"object": {"id": intent_id, "object": "payment_intent", "status": status,
                            "last_payment_error": {"message": "Your card was declined."}
                            if kind == "payment_intent.payment_failed" else None}},
    }  # fmt: skip
