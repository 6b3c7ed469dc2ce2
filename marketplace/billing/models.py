"""Billing documents: what the provider bills the buyer (an invoice per milestone), what it
acknowledges (a receipt per payment) and what it gives back (a credit note per refund), each
numbered in an unbroken sequence per provider and kind, kept as a PDF with its content's
SHA-256."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from marketplace.storage import private_storage

AMOUNT = {"max_digits": 14, "decimal_places": 2}


class BillingKind(models.TextChoices):
    INVOICE = "invoice", _("Invoice")
    RECEIPT = "receipt", _("Receipt")
    CREDIT_NOTE = "credit_note", _("Credit note")


PREFIXES = {BillingKind.INVOICE: "INV", BillingKind.RECEIPT: "RCT", BillingKind.CREDIT_NOTE: "CRN"}


class BillingSequence(models.Model):
    """The last number a provider issued of a kind (locked to issue the next: no gaps)."""

    provider = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=BillingKind.choices)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "kind"], name="one_sequence_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.provider_id} {self.kind} {self.last}"


class BillingDocument(models.Model):
    kind = models.CharField(max_length=20, choices=BillingKind.choices)
    number = models.CharField(max_length=40)
    sequence = models.PositiveIntegerField()
    provider = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="billing_issued"
    )
    buyer = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="billing_received"
    )
    contract = models.ForeignKey(
        "contracting.Contract", on_delete=models.PROTECT, related_name="billing_documents"
    )
    milestone = models.ForeignKey(
        "contracting.Milestone", on_delete=models.PROTECT, related_name="billing_documents"
    )
    invoice = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="followers"
    )
    reference = models.CharField(max_length=100, blank=True)  # the payment's or the refund's
    issued_on = models.DateField()
    currency = models.CharField(max_length=3, default="CNY")
    gross_amount = models.DecimalField(**AMOUNT)
    net_amount = models.DecimalField(**AMOUNT)
    vat_amount = models.DecimalField(**AMOUNT)
    content = models.JSONField()
    content_sha256 = models.CharField(max_length=64)
    file = models.FileField(storage=private_storage, upload_to="billing/%Y/%m/")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["issued_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "kind", "sequence"], name="one_number_per_provider_kind"
            ),
            models.UniqueConstraint(
                fields=["milestone"], condition=Q(kind="invoice"), name="one_invoice_per_milestone"
            ),
            models.UniqueConstraint(
                fields=["milestone"], condition=Q(kind="receipt"), name="one_receipt_per_milestone"
            ),
            models.UniqueConstraint(
                fields=["reference"],
                condition=Q(kind="credit_note"),
                name="one_credit_note_per_refund",
            ),
            models.CheckConstraint(
                condition=Q(gross_amount=models.F("net_amount") + models.F("vat_amount")),
                name="billing_gross_is_net_plus_vat",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def filename(self) -> str:
        return f"{self.number}.pdf"
