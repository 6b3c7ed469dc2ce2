"""Invoices, receipts and credit notes: an invoice when a milestone falls due, a receipt when it
is paid, a credit note when a payment is refunded; numbered in an unbroken sequence per provider
and kind; CNY with the VAT by rate and basis (zero-rated exported service stated as such) and the
buyer's currency at the rate the quote snapshotted; PDFs for the two parties only."""

from decimal import Decimal

import pytest

from marketplace import events
from marketplace.billing.models import BillingDocument
from marketplace.billing.services import credit_note_issue, invoice_issue
from marketplace.contracting.services import (
    contract_sign,
    milestone_mark_due,
    milestone_mark_paid,
)
from marketplace.money import round_amount
from tests.factories import buyer_party, contract_for, fx_rates, provider_party
from tests.pdfs import pdf_text

pytestmark = pytest.mark.django_db


def signed_contract(buyer, provider):
    contract = contract_for(buyer, provider)
    contract_sign(contract=contract, by=buyer.owner)
    return contract_sign(contract=contract, by=provider.owner)


@pytest.fixture
def deal():
    fx_rates()
    buyer, provider = buyer_party(), provider_party()
    return buyer, provider, signed_contract(buyer, provider)


def due(contract, position, provider, callbacks):
    milestone = contract.milestones.get(position=position)
    with callbacks(execute=True):
        milestone_mark_due(milestone=milestone, by=provider.owner)
    return BillingDocument.objects.get(milestone=milestone, kind="invoice")


def test_a_due_milestone_is_invoiced_in_cny_with_vat_by_basis_and_the_buyer_currency(
    deal, django_capture_on_commit_callbacks
):
    _buyer, provider, contract = deal

    invoice = due(contract, 1, provider, django_capture_on_commit_callbacks)

    milestone = contract.milestones.get(position=1)
    assert invoice.number == f"INV-{provider.organisation.pk:05d}-000001"
    assert invoice.gross_amount == milestone.amount == Decimal("21504.00")
    assert (invoice.net_amount, invoice.vat_amount) == (Decimal("21000.00"), Decimal("504.00"))
    lines = {line["basis"]: line for line in invoice.content["vat_lines"]}
    assert (lines["zero_rated_export"]["net"], lines["zero_rated_export"]["vat"]) == (
        "12600.00", "0.00",
    )  # fmt: skip
    assert (lines["standard"]["net"], lines["standard"]["vat"]) == ("8400.00", "504.00")
    fx = contract.snapshot["quote"]["fx"]
    expected = round_amount(Decimal("21504.00") * Decimal(fx["rate"]), fx["buyer_currency"])
    assert invoice.content["buyer_amount"] == str(expected)
    text = pdf_text(invoice.file.read())
    assert "Invoice · 发票" in text and invoice.number in text
    assert "Zero-rated exported R&D service, VAT 0%" in text and "出口研发服务零税率" in text
    assert f"{fx['buyer_currency']} {expected}" in text and "CNY 21504.00" in text
    assert invoice.content_sha256 in text


def test_numbers_run_in_sequence_per_provider(deal, django_capture_on_commit_callbacks):
    buyer, provider, contract = deal
    other_provider = provider_party()
    other = signed_contract(buyer, other_provider)

    first = due(contract, 1, provider, django_capture_on_commit_callbacks)
    second = due(contract, 2, provider, django_capture_on_commit_callbacks)
    elsewhere = due(other, 1, other_provider, django_capture_on_commit_callbacks)

    assert (first.sequence, second.sequence, elsewhere.sequence) == (1, 2, 1)
    assert elsewhere.number == f"INV-{other_provider.organisation.pk:05d}-000001"
    assert invoice_issue(milestone_id=first.milestone_id) == first  # issued once


def test_a_paid_milestone_gets_a_receipt_against_its_invoice(
    deal, django_capture_on_commit_callbacks
):
    _buyer, provider, contract = deal
    invoice = due(contract, 1, provider, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        milestone_mark_paid(milestone=invoice.milestone, reference="pi_123")

    receipt = BillingDocument.objects.get(kind="receipt")
    assert receipt.invoice == invoice and receipt.reference == "pi_123"
    assert receipt.number == f"RCT-{provider.organisation.pk:05d}-000001"
    text = pdf_text(receipt.file.read())
    assert "Receipt · 收据" in text and invoice.number in text and "pi_123" in text


def test_a_refund_gets_one_credit_note(deal, django_capture_on_commit_callbacks):
    _buyer, provider, contract = deal
    invoice = due(contract, 1, provider, django_capture_on_commit_callbacks)

    for _attempt in range(2):  # the same refund told twice
        with django_capture_on_commit_callbacks(execute=True):
            events.publish(
                events.PAYMENT_REFUNDED, milestone_id=invoice.milestone_id,
                amount="5000.00", reference="re_1",
            )  # fmt: skip

    credit = BillingDocument.objects.get(kind="credit_note")
    assert credit.invoice == invoice and credit.gross_amount == Decimal("5000.00")
    assert credit.net_amount + credit.vat_amount == Decimal("5000.00")
    assert credit.number == f"CRN-{provider.organisation.pk:05d}-000001"
    assert "Credit note" in pdf_text(credit.file.read())
    again = credit_note_issue(
        milestone_id=invoice.milestone_id, amount=Decimal(5000), reference="re_1"
    )
    assert again == credit


def test_only_the_two_parties_download_billing_documents(
    client, deal, django_capture_on_commit_callbacks
):
    buyer, provider, contract = deal
    invoice = due(contract, 1, provider, django_capture_on_commit_callbacks)
    path = f"/deals/contracts/{contract.pk}/billing/{invoice.pk}.pdf"

    client.force_login(buyer.owner)
    page = client.get(f"/deals/contracts/{contract.pk}/").content.decode()
    got = client.get(path)
    client.force_login(buyer_party().owner)
    outsider = client.get(path)

    assert invoice.number in page and path in page
    assert got.status_code == 200 and got["X-Document-SHA256"] == invoice.content_sha256
    assert outsider.status_code == 404


def test_the_api_lists_the_billing_documents_to_the_parties_only(
    client, deal, django_capture_on_commit_callbacks
):
    buyer, provider, contract = deal
    invoice = due(contract, 1, provider, django_capture_on_commit_callbacks)
    path = f"/api/v1/contracts/{contract.pk}/billing"

    client.force_login(provider.owner)
    listed = client.get(path).json()
    client.force_login(buyer_party().owner)
    outsider = client.get(path)

    assert [(d["kind"], d["number"], d["gross_amount"]) for d in listed] == [
        ("invoice", invoice.number, "21504.00")
    ]
    assert listed[0]["pdf_url"].endswith(f"/billing/{invoice.pk}.pdf")
    assert outsider.status_code == 404
