"""Payments of contract milestones through Stripe, the webhook events received, and the ledger.

Amounts are Decimal with their currency (CNY). The ledger is double entry: every transaction's
entries add up to zero per currency (debits positive, credits negative).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from marketplace.money import sum_matches

AMOUNT = {"max_digits": 14, "decimal_places": 2}


class PaymentStatus(models.TextChoices):
    CREATED = "created", _("Waiting for payment")
    PROCESSING = "processing", _("Processing")
    SUCCEEDED = "succeeded", _("Paid")
    FAILED = "failed", _("Failed")
    CANCELED = "canceled", _("Canceled")


class Payment(models.Model):
    """One attempt to pay a milestone: a Stripe PaymentIntent for the milestone plus the fee."""

    milestone = models.ForeignKey(
        "contracting.Milestone", on_delete=models.PROTECT, related_name="payments"
    )
    stripe_payment_intent = models.CharField(max_length=100, unique=True)
    status = models.CharField(
        max_length=12, choices=PaymentStatus.choices, default=PaymentStatus.CREATED
    )
    amount = models.DecimalField(**AMOUNT, help_text=_("the milestone's amount"))
    fee_amount = models.DecimalField(**AMOUNT, help_text=_("the platform fee, shown up front"))
    total_amount = models.DecimalField(**AMOUNT)
    currency = models.CharField(max_length=3, default="CNY")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    failure_message = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("payment")
        constraints = [
            # One payment that can still be paid (or was) per milestone: a second PaymentIntent
            # for the same milestone could charge the buyer twice. Canceled ones may pile up.
            models.UniqueConstraint(
                fields=["milestone"],
                condition=~models.Q(status="canceled"),
                name="one_live_payment_per_milestone",
            ),
            models.CheckConstraint(
                condition=sum_matches("total_amount", "amount", "fee_amount"),
                name="payment_total_is_amount_plus_fee",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stripe_payment_intent} ({self.status})"


class StripeEvent(models.Model):
    """A webhook event, stored once by its Stripe id and processed by a task."""

    event_id = models.CharField(max_length=100, unique=True)
    type = models.CharField(max_length=100)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["received_at", "pk"]
        verbose_name = _("Stripe event")
        indexes = [models.Index(fields=["processed_at", "received_at"])]

    def __str__(self) -> str:
        return f"{self.event_id} {self.type}"


class Account(models.TextChoices):
    STRIPE_CLEARING = "stripe_clearing", _("Stripe clearing (cash held at Stripe)")
    PROVIDER_PAYABLE = "provider_payable", _("Owed to providers")
    FEE_REVENUE = "fee_revenue", _("Platform fee revenue")


class LedgerTransaction(models.Model):
    """One balanced movement of money, e.g. a milestone payment received."""

    kind = models.CharField(max_length=30)  # payment_received | refund | payout | ...
    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="transactions"
    )
    contract = models.ForeignKey(
        "contracting.Contract", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    memo = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "payment"],
                condition=models.Q(kind="payment_received"),
                name="payment_received_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk}"


class LedgerEntry(models.Model):
    transaction = models.ForeignKey(
        LedgerTransaction, on_delete=models.PROTECT, related_name="entries"
    )
    account = models.CharField(max_length=30, choices=Account.choices)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    amount = models.DecimalField(**AMOUNT, help_text=_("debit positive, credit negative"))
    currency = models.CharField(max_length=3)

    class Meta:
        ordering = ["transaction", "pk"]
        verbose_name_plural = _("ledger entries")

    def __str__(self) -> str:
        return f"{self.account} {self.amount} {self.currency}"


class Refund(models.Model):
    """Money given back to the buyer from a succeeded payment (full or partial)."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    stripe_refund = models.CharField(max_length=100, unique=True)
    amount = models.DecimalField(**AMOUNT)
    currency = models.CharField(max_length=3, default="CNY")
    reason = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="refund_positive")
        ]

    def __str__(self) -> str:
        return f"{self.stripe_refund} {self.amount} {self.currency}"


class Payout(models.Model):
    """A bank transfer to a provider, recorded by platform staff (Stripe Connect does not pay
    out to mainland China)."""

    provider = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="payouts"
    )
    amount = models.DecimalField(**AMOUNT)
    currency = models.CharField(max_length=3, default="CNY")
    reference = models.CharField(_("bank reference"), max_length=100, unique=True)
    paid_on = models.DateField(_("paid on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-paid_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payout_positive")
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.amount} {self.currency} ({self.reference})"


class Dispute(models.Model):
    """A buyer's bank disputed a charge: Stripe takes the amount back while it is decided."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="disputes")
    stripe_dispute = models.CharField(max_length=100, unique=True)
    amount = models.DecimalField(**AMOUNT)
    currency = models.CharField(max_length=3, default="CNY")
    reason = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.stripe_dispute} {self.amount} {self.currency}"
