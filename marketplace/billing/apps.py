from django.apps import AppConfig


class BillingConfig(AppConfig):
    """Invoices, receipts and credit notes: one invoice per milestone when it falls due, a receipt
    when it is paid, a credit note on a refund; numbered in sequence per provider, as PDFs."""

    name = "marketplace.billing"
    label = "billing"
    verbose_name = "Billing"

    def ready(self) -> None:
        from marketplace.billing import handlers  # noqa: F401 - subscribes to domain events
