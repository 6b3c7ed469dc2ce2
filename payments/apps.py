from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    """Stripe: payment intents per milestone, webhooks, refunds, the ledger, reconciliation."""

    name = "payments"
    label = "payments"
