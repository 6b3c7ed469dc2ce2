"""Domain events: how the domain tells the integrations (cms, search, payments) what happened.

The domain publishes by name with ids as payload; an integration subscribes in its
AppConfig.ready().
Handlers run synchronously inside the publishing service's transaction, so what they write commits
or rolls back with it; anything slow or external they enqueue with ``transaction.on_commit``.
"""

from collections import defaultdict
from collections.abc import Callable

ORGANISATION_CREATED = "organisation_created"
ORGANISATION_VERIFIED = "organisation_verified"
MEMBERSHIP_CHANGED = "membership_changed"
# A buyer accepted a quote: a contract exists, waiting for signatures.
CONTRACT_CREATED = "contract_created"
# A milestone fell due (its invoice is issued), was paid (its receipt), or a payment of it was
# refunded (a credit note): ids, the payment's or refund's reference, the amount as a string.
MILESTONE_DUE = "milestone_due"
# Either party proposed a change order: its document is to be issued for both to sign.
CHANGE_ORDER_PROPOSED = "change_order_proposed"
MILESTONE_PAID = "milestone_paid"
PAYMENT_REFUNDED = "payment_refunded"
# A provider's reviews changed (a new one, an answer, one hidden): its rating may differ.
REVIEWS_CHANGED = "reviews_changed"
# Providers' track records were recomputed and some changed.
TRACK_RECORDS_CHANGED = "track_records_changed"
# A provider was flagged, or no longer is, by the company-of-concern screen.
CONCERN_FLAG_CHANGED = "concern_flag_changed"

_handlers: dict[str, list[Callable[..., None]]] = defaultdict(list)


def subscribe(event: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Register the decorated function to be called with the payload of every ``event``."""

    def register(handler: Callable[..., None]) -> Callable[..., None]:
        if handler not in _handlers[event]:
            _handlers[event].append(handler)
        return handler

    return register


def publish(event: str, **payload) -> None:
    """Call every handler of ``event`` with ``payload`` (keyword arguments, ids not objects)."""
    for handler in _handlers[event]:
        handler(**payload)
