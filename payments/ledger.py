"""The double-entry ledger: balanced transactions only, and a check of the whole book."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Sum

from marketplace.money import round_amount
from payments.models import Account, LedgerEntry, LedgerTransaction, Payment, PaymentStatus


class UnbalancedTransaction(ValueError):
    """The entries of a transaction do not add up to zero."""


def transaction_record(
    *, kind: str, entries: list[tuple[str, object, Decimal]], currency: str, **links
) -> LedgerTransaction:
    """Write one transaction from ``(account, organisation, amount)`` entries (debits positive,
    credits negative), refusing it unless they add up to zero."""
    if sum((amount for _account, _organisation, amount in entries), Decimal(0)) != 0:
        raise UnbalancedTransaction(f"{kind}: entries add up to a non-zero amount")
    transaction = LedgerTransaction.objects.create(kind=kind, **links)
    LedgerEntry.objects.bulk_create(
        LedgerEntry(
            transaction=transaction, account=account, organisation=organisation, amount=amount,
            currency=currency,
        )
        for account, organisation, amount in entries
    )  # fmt: skip
    return transaction


def payment_received_record(*, payment: Payment) -> LedgerTransaction:
    """Cash arrived at Stripe: it is owed to the provider, except the platform's fee."""
    contract = payment.milestone.contract
    return transaction_record(
        kind="payment_received",
        payment=payment,
        contract=contract,
        currency=payment.currency,
        entries=[
            (Account.STRIPE_CLEARING, None, payment.total_amount),
            (Account.PROVIDER_PAYABLE, contract.provider, -payment.amount),
            (Account.FEE_REVENUE, None, -payment.fee_amount),
        ],
    )


def balances(**filters) -> dict[tuple[str, str], Decimal]:
    """Balance per (account, currency) of the entries matching ``filters``."""
    rows = (
        LedgerEntry.objects.filter(**filters)
        .values("account", "currency")
        .annotate(total=Sum("amount"))
    )
    return {(row["account"], row["currency"]): row["total"] for row in rows}


def ledger_check() -> list[str]:
    """Every problem found: unbalanced transactions, and payments whose ledger disagrees with
    their status (a succeeded payment recorded exactly once, nothing for the others)."""
    problems = []
    sums: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    for transaction_id, currency, amount in LedgerEntry.objects.values_list(
        "transaction_id", "currency", "amount"
    ):
        sums[(transaction_id, currency)] += amount
    problems += [
        f"transaction {transaction_id} does not balance in {currency}: {total}"
        for (transaction_id, currency), total in sorted(sums.items())
        if total != 0
    ]
    received = defaultdict(int)
    for payment_id in LedgerTransaction.objects.filter(kind="payment_received").values_list(
        "payment_id", flat=True
    ):
        received[payment_id] += 1
    for payment_id, status in Payment.objects.values_list("pk", "status"):
        expected = 1 if status == PaymentStatus.SUCCEEDED else 0
        if received[payment_id] != expected:
            problems.append(
                f"payment {payment_id} is {status} but recorded {received[payment_id]} time(s)"
            )
    from payments.models import Refund

    refunded: dict[int, Decimal] = defaultdict(Decimal)
    for payment_id, amount in Refund.objects.values_list("payment_id", "amount"):
        refunded[payment_id] += amount
    for payment_id, total in Payment.objects.filter(pk__in=refunded).values_list(
        "pk", "total_amount"
    ):
        if refunded[payment_id] > total:
            problems.append(f"payment {payment_id} refunded {refunded[payment_id]} of {total}")
    recorded = LedgerTransaction.objects.filter(kind="refund").count()
    if recorded != Refund.objects.count():
        problems.append(f"{Refund.objects.count()} refunds but {recorded} refund transactions")
    return problems


def money_back_record(
    *, kind: str, payment: Payment, amount: Decimal, currency: str, memo: str
) -> LedgerTransaction:
    """Money back to the buyer (a refund, a dispute): the provider's share and the fee's share
    come back out in the payment's proportion (the fee's share rounded to the fen)."""
    contract = payment.milestone.contract
    fee_share = round_amount(amount * payment.fee_amount / payment.total_amount, currency)
    return transaction_record(
        kind=kind,
        payment=payment,
        contract=contract,
        currency=currency,
        memo=memo,
        entries=[
            (Account.PROVIDER_PAYABLE, contract.provider, amount - fee_share),
            (Account.FEE_REVENUE, None, fee_share),
            (Account.STRIPE_CLEARING, None, -amount),
        ],
    )


def refund_record(*, refund) -> LedgerTransaction:
    return money_back_record(
        kind="refund", payment=refund.payment, amount=refund.amount, currency=refund.currency,
        memo=refund.stripe_refund,
    )  # fmt: skip


def payout_record(*, payout) -> LedgerTransaction:
    """A bank transfer to a provider settles what it was owed."""
    return transaction_record(
        kind="payout",
        currency=payout.currency,
        memo=payout.reference,
        entries=[
            (Account.PROVIDER_PAYABLE, payout.provider, payout.amount),
            (Account.STRIPE_CLEARING, None, -payout.amount),
        ],
    )


def provider_payable(*, provider) -> Decimal:
    """What the platform owes ``provider`` now (CNY)."""
    owed = balances(account=Account.PROVIDER_PAYABLE, organisation=provider, currency="CNY")
    return -owed.get((Account.PROVIDER_PAYABLE, "CNY"), Decimal(0))


def providers_owed() -> list[tuple[object, Decimal]]:
    """(organisation, amount owed in CNY) for every provider the platform owes money to."""
    from marketplace.accounts.models import Organisation

    rows = (
        LedgerEntry.objects.filter(account=Account.PROVIDER_PAYABLE, currency="CNY")
        .values("organisation")
        .annotate(total=Sum("amount"))
        .order_by("organisation")
    )
    owed = {row["organisation"]: -row["total"] for row in rows if row["total"] < 0}
    organisations = Organisation.objects.in_bulk(list(owed))
    return [(organisations[pk], amount) for pk, amount in owed.items()]
