"""Issuing billing documents: an invoice when a milestone falls due, a receipt when it is paid,
a credit note when a payment is refunded. Each is numbered in an unbroken sequence per provider
and kind (the sequence row is locked to take the next number), states its amount in CNY with
the VAT by rate and basis (an exported research service zero-rated for VAT says so), and in the
buyer's currency at the rate the quote snapshotted; each is issued once (the milestone is locked;
unique constraints are the backstop)."""

from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from marketplace.agreements.pdf import template_pdf
from marketplace.agreements.services import content_hash, party_facts
from marketplace.billing.models import PREFIXES, BillingDocument, BillingKind, BillingSequence
from marketplace.contracting.audit import audit
from marketplace.contracting.models import Milestone
from marketplace.contracting.services import contract_lock
from marketplace.money import round_amount

CNY = "CNY"


def _vat_lines(snapshot: dict, gross: Decimal) -> list[dict]:
    """The VAT of ``gross`` (a part of the quote's total) by rate and basis, in proportion to the
    quote's lines; rounded to the fen, the rounding left on the largest part's net amount."""
    quote = snapshot["quote"]
    total = Decimal(quote["total"])
    groups: dict[tuple[str, str], dict] = {}
    for line in quote["lines"]:
        group = groups.setdefault(
            (line["vat_basis"], line["vat_rate"]), {"net": Decimal(0), "vat": Decimal(0)}
        )
        group["net"] += Decimal(line["net"])
        group["vat"] += Decimal(line["vat"])
    share = gross / total if total else Decimal(0)
    lines = [
        {
            "basis": basis,
            "rate": rate,
            "net": round_amount(values["net"] * share, CNY),
            "vat": round_amount(values["vat"] * share, CNY),
        }
        for (basis, rate), values in sorted(groups.items())
    ]
    if lines:
        remainder = gross - sum((line["net"] + line["vat"] for line in lines), Decimal(0))
        max(lines, key=lambda line: line["net"] + line["vat"])["net"] += remainder
    return lines


def _next_number(provider_id: int, kind: str) -> tuple[int, str]:
    sequence, _created = BillingSequence.objects.get_or_create(provider_id=provider_id, kind=kind)
    sequence = BillingSequence.objects.select_for_update().get(pk=sequence.pk)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return sequence.last, f"{PREFIXES[kind]}-{provider_id:05d}-{sequence.last:06d}"


def _issue(*, kind: str, milestone: Milestone, gross: Decimal, reference: str = "",
           invoice: BillingDocument | None = None) -> BillingDocument:  # fmt: skip
    contract = milestone.contract
    snapshot = contract.snapshot
    lines = _vat_lines(snapshot, gross)
    net = sum((line["net"] for line in lines), Decimal(0))
    vat = sum((line["vat"] for line in lines), Decimal(0))
    fx = snapshot["quote"].get("fx") or {}
    buyer_currency = fx.get("buyer_currency") or CNY
    rate = Decimal(fx["rate"]) if fx.get("rate") else None
    sequence, number = _next_number(contract.provider_id, kind)
    issued_on = timezone.localdate()
    content = {
        "kind": kind,
        "number": number,
        "issued_on": issued_on.isoformat(),
        "provider": party_facts(contract.provider),
        "buyer": party_facts(contract.buyer),
        "contract": {
            "id": contract.pk,
            "title": snapshot["rfq"]["title"],
            "sow": f"SOW-{contract.pk:06d}",
        },  # fmt: skip
        "milestone": {"name": milestone.name, "position": milestone.position},
        "invoice": invoice.number if invoice else None,
        "reference": reference,
        "currency": CNY,
        "gross": str(gross),
        "net": str(net),
        "vat": str(vat),
        "vat_lines": [{**line, "net": str(line["net"]), "vat": str(line["vat"])} for line in lines],
        "buyer_currency": buyer_currency,
        "buyer_amount": (
            str(round_amount(gross * rate, buyer_currency))
            if rate is not None and buyer_currency != CNY
            else None
        ),
        "fx": {"rate": fx.get("rate"), "source": fx.get("source"), "as_of": fx.get("as_of")},
    }
    digest = content_hash(content)
    pdf = template_pdf(f"billing/pdf/{kind}.html", content=content, sha256=digest)
    document = BillingDocument(
        kind=kind, number=number, sequence=sequence, provider_id=contract.provider_id,
        buyer_id=contract.buyer_id, contract=contract, milestone=milestone, invoice=invoice,
        reference=reference, issued_on=issued_on, gross_amount=gross, net_amount=net,
        vat_amount=vat, content=content, content_sha256=digest,
    )  # fmt: skip
    document.file.save(f"{number}.pdf", ContentFile(pdf), save=False)
    document.save()
    audit(milestone, action=f"issue_{kind}", actor=None, reason=number)
    return document


def _locked(milestone_id: int) -> Milestone:
    """The milestone locked after its contract, the order every writer takes."""
    contract_id = Milestone.objects.filter(pk=milestone_id).values_list("contract_id", flat=True)
    contract_lock(contract_id=contract_id.get())
    return (
        Milestone.objects.select_for_update(of=("self",), no_key=True)
        .select_related("contract__provider", "contract__buyer")
        .get(pk=milestone_id)
    )


@transaction.atomic
def invoice_issue(*, milestone_id: int) -> BillingDocument:
    """The milestone's invoice (issued once, when it falls due)."""
    milestone = _locked(milestone_id)
    existing = milestone.billing_documents.filter(kind=BillingKind.INVOICE).first()
    if existing is not None:
        return existing
    return _issue(kind=BillingKind.INVOICE, milestone=milestone, gross=milestone.amount)


@transaction.atomic
def receipt_issue(*, milestone_id: int, reference: str = "") -> BillingDocument:
    """The receipt of the milestone's payment, against its invoice (issued first if missing)."""
    invoice = invoice_issue(milestone_id=milestone_id)
    milestone = _locked(milestone_id)
    existing = milestone.billing_documents.filter(kind=BillingKind.RECEIPT).first()
    if existing is not None:
        return existing
    return _issue(
        kind=BillingKind.RECEIPT, milestone=milestone, gross=milestone.amount,
        reference=reference, invoice=invoice,
    )  # fmt: skip


@transaction.atomic
def credit_note_issue(*, milestone_id: int, amount: Decimal, reference: str) -> BillingDocument:
    """A credit note for a refund of the milestone's payment (one per refund reference)."""
    invoice = invoice_issue(milestone_id=milestone_id)
    milestone = _locked(milestone_id)
    existing = BillingDocument.objects.filter(
        kind=BillingKind.CREDIT_NOTE, reference=reference
    ).first()
    if existing is not None:
        return existing
    return _issue(
        kind=BillingKind.CREDIT_NOTE, milestone=milestone, gross=Decimal(amount),
        reference=reference, invoice=invoice,
    )  # fmt: skip
