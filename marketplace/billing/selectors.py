"""Reads of billing documents: a contract's, as its parties see them."""

from django.db.models import QuerySet

from marketplace.billing.models import BillingDocument


def contract_billing(*, contract) -> QuerySet[BillingDocument]:
    """The contract's invoices, receipts and credit notes, milestone by milestone."""
    return contract.billing_documents.select_related("milestone", "invoice").order_by(
        "milestone__position", "created_at", "pk"
    )
