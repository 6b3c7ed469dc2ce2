"""Quotes: CNY lines and VAT, milestones that sum exactly, revisions, FX snapshots, states."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from marketplace.catalog.models import FxRate
from marketplace.contracting.models import AuditEvent, Quote, QuoteRevision, QuoteStatus
from marketplace.contracting.services import (
    DealBlocked,
    InvalidTransition,
    LineInput,
    MilestoneInput,
    quote_accept,
    quote_decline,
    quote_submit,
    quote_withdraw,
    quotes_expire,
    rfq_update,
)
from tests.factories import buyer_party, fx_rates, provider_party, quote_for, rfq_for

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


@pytest.fixture
def deal():
    fx_rates()
    buyer, provider = buyer_party(), provider_party()
    return buyer, provider, rfq_for(buyer, invite=[provider])


def test_a_quote_totals_lines_and_vat_in_cny_to_the_fen(deal):
    buyer, provider, rfq = deal

    quote = quote_for(rfq, provider)

    revision = quote.revisions.get()
    assert (revision.net_amount, revision.vat_amount, revision.total_amount) == (
        Decimal("70000.00"), Decimal("1680.00"), Decimal("71680.00"),
    )  # fmt: skip
    zero_rated, standard = revision.lines.all()
    assert (zero_rated.vat_basis, zero_rated.vat_amount) == ("zero_rated_export", Decimal(0))
    assert standard.vat_amount == Decimal("1680.00")
    # 30 % / 70 % of CNY 71,680.00
    assert [m.amount for m in revision.milestones.all()] == [
        Decimal("21504.00"),
        Decimal("50176.00"),
    ]


def test_milestone_shares_round_to_the_fen_and_still_sum_to_the_total_exactly(deal):
    buyer, provider, rfq = deal
    lines = [LineInput("Study", Decimal(1), Decimal("100000.01"), Decimal(0), "exempt")]
    thirds = [MilestoneInput(f"Part {n}", share=Decimal("33.33"), trigger="t") for n in (1, 2)]
    thirds.append(MilestoneInput("Part 3", share=Decimal("33.34"), trigger="t"))

    revision = quote_for(rfq, provider, lines=lines, milestones=thirds).revisions.get()

    amounts = [m.amount for m in revision.milestones.all()]
    assert amounts == [Decimal("33330.00"), Decimal("33330.00"), Decimal("33340.01")]
    assert sum(amounts) == revision.total_amount == Decimal("100000.01")


@pytest.mark.parametrize(
    ("lines", "milestones", "field", "message"),
    [
        ([], None, "lines", "at least one line"),
        ([LineInput("X", Decimal(1), Decimal("-1"), Decimal(0), "exempt")], None,
         "lines[0].unit_price", "cannot be negative"),
        ([LineInput("X", Decimal(1), "lots", Decimal(0), "exempt")], None,
         "lines[0].unit_price", "Not a number"),
        ([LineInput("X", Decimal(1), Decimal("1.001"), Decimal(0), "exempt")], None,
         "lines[0].unit_price", "two decimals"),
        ([LineInput("X", Decimal(0), Decimal(1), Decimal(0), "exempt")], None,
         "lines[0].quantity", "more than zero"),
        ([LineInput("X", Decimal(1), Decimal(1), Decimal("0.06"), "zero_rated_export")], None,
         "lines[0].vat_rate", "rate of 0"),
        ([LineInput("X", Decimal(1), Decimal(1), Decimal(0), "standard")], None,
         "lines[0].vat_rate", "above 0"),
        ([LineInput("X", Decimal(1), Decimal(1), Decimal(6), "standard")], None,
         "lines[0].vat_rate", "a fraction"),
        (None, [MilestoneInput("A", share=Decimal(50), trigger="t")], "milestones", "not 100"),
        (None, [MilestoneInput("A", amount=Decimal("71679.99"), trigger="t")], "milestones",
         "not the total"),
        (None, [MilestoneInput("A", share=Decimal(50), trigger="t"),
                MilestoneInput("B", amount=Decimal(1), trigger="t")], "milestones", "every one"),
        (None, [MilestoneInput("A", share=Decimal(100))], "milestones[0].due_date", "trigger"),
        (None, [], "milestones", "at least one milestone"),
        ([LineInput("X", Decimal(1), Decimal(0), Decimal(0), "exempt")], None,
         "lines", "A quote's total must be more than zero"),
        ([LineInput("X", Decimal(10**9), Decimal(1), Decimal(0), "exempt")], None,
         "lines[0].quantity", "At most 999,999,999.999."),
        ([LineInput("X", Decimal("1.0001"), Decimal(1), Decimal(0), "exempt")], None,
         "lines[0].quantity", "At most 3 decimal places."),
        ([LineInput("X", Decimal(1), Decimal(10**12), Decimal(0), "exempt")], None,
         "lines[0].unit_price", "At most 999,999,999,999.99."),
        ([LineInput("X", Decimal(1), Decimal("1e30"), Decimal(0), "exempt")], None,
         "lines[0].unit_price", "At most 999,999,999,999.99."),
        ([LineInput("X", Decimal(1), Decimal(1), Decimal("0.06001"), "standard")], None,
         "lines[0].vat_rate", "At most 4 decimal places."),
        ([LineInput("X", Decimal(999_999_999), Decimal("999999999999.99"), Decimal(0), "exempt")],
         None, "lines[0].unit_price", "Quantity × unit price comes to CNY "
         "999,999,998,999,990,000,000.01; a line can be at most CNY 999,999,999,999.99."),
        ([LineInput("X", Decimal(1), Decimal("999999999999.99"), Decimal("0.06"), "standard")],
         None, "lines", "The lines come to CNY 1,059,999,999,999.99 with VAT; a quote can be at "
         "most CNY 999,999,999,999.99."),
        ([LineInput("X", Decimal(1), Decimal("600000000000.00"), Decimal(0), "exempt")] * 2,
         None, "lines", "The lines come to CNY 1,200,000,000,000.00 with VAT"),
        (None, [MilestoneInput(f"M{n}", share=Decimal(s), trigger="t")
                for n, s in enumerate(("33.333", "33.333", "33.334"))],
         "milestones[0].share", "At most 2 decimal places."),
        (None, [MilestoneInput("A", amount=Decimal("1e30"), trigger="t")],
         "milestones[0].amount", "At most 999,999,999,999.99."),
        ([LineInput("X", Decimal(1), Decimal("0.01"), Decimal(0), "exempt")],
         [MilestoneInput(n, share=Decimal(50), trigger="t") for n in "AB"],
         "milestones", "A share of CNY 0.01 comes to less than a fen"),
    ],
)  # fmt: skip
def test_bad_quote_input_is_refused_by_field_and_nothing_is_written(
    deal, lines, milestones, field, message
):
    buyer, provider, rfq = deal

    with pytest.raises(ValidationError) as error:
        quote_for(rfq, provider, lines=lines, milestones=milestones)

    assert message in " ".join(error.value.message_dict[field])
    assert not Quote.objects.exists()
    assert not QuoteRevision.objects.exists()


@pytest.mark.parametrize("days", [2**31, 2**63, 10**20, int("9" * 30)])
def test_a_turnaround_past_what_its_column_holds_is_refused_and_nothing_is_written(deal, days):
    buyer, provider, rfq = deal

    with pytest.raises(ValidationError) as error:
        quote_for(rfq, provider, turnaround_days=days)

    assert error.value.message_dict == {"turnaround_days": ["At most 2,147,483,647."]}
    assert not Quote.objects.exists()
    assert not QuoteRevision.objects.exists()


def test_a_total_too_large_for_the_buyers_currency_is_refused_on_submit_and_stays_a_draft():
    fx_rates()
    buyer, provider = buyer_party(), provider_party()
    rfq = rfq_for(buyer, invite=[provider], budget_currency="KRW")  # CNY 1 = KRW 196.42
    lines = [LineInput("Programme", Decimal(1), Decimal("10000000000.00"), Decimal(0), "exempt")]
    draft = quote_for(rfq, provider, lines=lines, submit=False)

    with pytest.raises(ValidationError) as error:
        quote_submit(quote=draft, by=provider.owner)

    assert error.value.message_dict == {
        "lines": [
            "In KRW the total comes to 1,964,200,000,000, more than a quote can show "
            "(at most 999,999,999,999.99): lower the total."
        ]
    }
    draft.refresh_from_db()
    revision = draft.revisions.get()
    assert (draft.status, revision.is_submitted, revision.total_buyer_amount) == (
        QuoteStatus.DRAFT, False, None,
    )  # fmt: skip


def test_the_largest_quote_a_column_holds_is_taken_to_the_fen():
    fx_rates()
    buyer, provider = buyer_party(), provider_party()
    rfq = rfq_for(buyer, invite=[provider], budget_currency="CNY")
    lines = [LineInput("All", Decimal(1), Decimal("999999999999.99"), Decimal(0), "exempt")]
    everything = [MilestoneInput("All", share=Decimal(100), trigger="Signed")]

    revision = quote_for(rfq, provider, lines=lines, milestones=everything).revisions.get()

    assert (revision.total_amount, revision.total_buyer_amount) == (
        Decimal("999999999999.99"), Decimal("999999999999.99"),
    )  # fmt: skip
    assert [m.amount for m in revision.milestones.all()] == [Decimal("999999999999.99")]


def test_a_validity_date_in_the_past_is_refused(deal):
    buyer, provider, rfq = deal

    with pytest.raises(ValidationError, match="validity date has passed"):
        quote_for(rfq, provider, valid_until=TODAY() - timedelta(days=1))


def test_the_fx_rate_is_snapshotted_on_submit_and_later_rates_change_nothing(deal):
    buyer, provider, rfq = deal  # the buyer budgets in USD
    quote = quote_for(rfq, provider)
    revision = quote.revisions.get()
    assert (revision.buyer_currency, revision.fx_rate) == ("USD", Decimal("0.1405"))
    assert revision.fx_source.startswith("Demo reference rates")
    assert revision.total_buyer_amount == Decimal("10071.04")  # 71,680.00 × 0.1405

    FxRate.objects.create(base_currency="CNY", quote_currency="USD", rate=Decimal("0.2"),
                          source="Bank B", as_of=timezone.now())  # fmt: skip
    FxRate.objects.filter(source__startswith="Demo", quote_currency="USD").update(rate=1)

    revision.refresh_from_db()
    assert (revision.fx_rate, revision.total_buyer_amount) == (
        Decimal("0.1405"), Decimal("10071.04"),
    )  # fmt: skip


def test_a_revision_keeps_the_history_and_takes_the_rate_of_its_day(deal):
    buyer, provider, rfq = deal
    first = quote_for(rfq, provider)
    FxRate.objects.create(base_currency="CNY", quote_currency="USD", rate=Decimal("0.15"),
                          source="Bank B", as_of=timezone.now())  # fmt: skip

    second = quote_for(rfq, provider, lines=[
        LineInput("Microsomal stability", Decimal(12), Decimal("3000.00"), Decimal(0), "exempt")
    ])  # fmt: skip

    assert second.pk == first.pk
    assert second.status == QuoteStatus.REVISED
    v1, v2 = second.revisions.order_by("number")
    assert (v1.number, v1.total_amount, v1.fx_rate) == (1, Decimal("71680.00"), Decimal("0.1405"))
    assert (v2.number, v2.total_amount, v2.fx_rate) == (2, Decimal("36000.00"), Decimal("0.15"))
    assert list(
        AuditEvent.objects.filter(subject_type="quote", subject_id=first.pk)
        .exclude(action="save_draft").values_list("to_status", flat=True)
    ) == ["submitted", "revised"]  # fmt: skip


def test_saving_a_draft_twice_rewrites_the_draft_not_a_new_revision(deal):
    buyer, provider, rfq = deal
    quote_for(rfq, provider, submit=False)

    quote = quote_for(rfq, provider, submit=False, turnaround_days=21)

    assert quote.status == QuoteStatus.DRAFT
    assert quote.revisions.get().turnaround_days == 21


def test_the_buyer_never_sees_a_drafted_quote_and_cannot_accept_it(deal):
    from marketplace.contracting.selectors import quotes_for_user

    buyer, provider, rfq = deal
    draft = quote_for(rfq, provider, submit=False)

    assert draft not in quotes_for_user(user=buyer.owner)
    with pytest.raises(InvalidTransition, match="is draft: it cannot be accepted"):
        quote_accept(quote=draft, by=buyer.owner)


def test_accepting_makes_a_contract_declines_the_rest_and_closes_the_rfq(deal):
    buyer, provider, rfq = deal
    rival = provider_party()
    from marketplace.contracting.services import rfq_invite

    rfq_invite(rfq=rfq, providers=[rival.organisation], by=buyer.owner)
    chosen, other = quote_for(rfq, provider), quote_for(rfq, rival)

    contract = quote_accept(quote=chosen, by=buyer.owner)

    chosen.refresh_from_db(), other.refresh_from_db(), rfq.refresh_from_db()
    assert (chosen.status, other.status, rfq.status) == ("accepted", "declined", "closed")
    assert contract.status == "pending_signature"
    assert contract.total_amount == Decimal("71680.00")
    assert contract.snapshot["quote"]["total"] == "71680.00"
    assert contract.snapshot["quote"]["fx"]["rate"] == "0.1405000000"
    assert [m.amount for m in contract.milestones.all()] == [
        Decimal("21504.00"),
        Decimal("50176.00"),
    ]
    assert contract.snapshot["accepted"]["email"] == buyer.owner.email


def test_only_the_buyer_accepts_or_declines_and_only_the_provider_withdraws(deal):
    buyer, provider, rfq = deal
    quote = quote_for(rfq, provider)

    with pytest.raises(PermissionDenied):
        quote_accept(quote=quote, by=provider.owner)
    with pytest.raises(PermissionDenied):
        quote_decline(quote=quote, by=provider.owner)
    with pytest.raises(PermissionDenied):
        quote_withdraw(quote=quote, by=buyer.owner)
    with pytest.raises(PermissionDenied):
        quote_submit(quote=quote, by=buyer_party().owner)


def test_a_withdrawn_or_declined_quote_cannot_be_accepted_or_revised(deal):
    buyer, provider, rfq = deal
    quote = quote_for(rfq, provider)
    quote_withdraw(quote=quote, by=provider.owner, reason="Capacity")

    with pytest.raises(InvalidTransition, match="is withdrawn: it cannot be accepted"):
        quote_accept(quote=quote, by=buyer.owner)
    with pytest.raises(InvalidTransition, match="can no longer be changed"):
        quote_for(rfq, provider)
    with pytest.raises(InvalidTransition):
        quote_decline(quote=quote, by=buyer.owner)


def test_an_expired_quote_cannot_be_accepted_and_the_sweep_marks_it(deal):
    buyer, provider, rfq = deal
    quote = quote_for(rfq, provider, valid_until=TODAY())
    tomorrow = TODAY() + timedelta(days=1)
    QuoteRevision.objects.filter(quote=quote).update(valid_until=TODAY() - timedelta(days=1))

    with pytest.raises(InvalidTransition, match="expired on"):
        quote_accept(quote=quote, by=buyer.owner)
    assert quotes_expire(today=tomorrow) == 1
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.EXPIRED
    assert quotes_expire(today=tomorrow) == 0
    # The provider may revive it with a new revision.
    assert quote_for(rfq, provider).status == QuoteStatus.REVISED


def test_a_blocked_deal_cannot_be_accepted_until_its_facts_change(deal):
    buyer, provider, rfq = deal
    rfq_update(rfq=rfq, by=buyer.owner, hgr_materials_leave_china=True, buyer_collects_hgr=True)
    quote = quote_for(rfq, provider)
    assert quote.screening.is_blocked

    with pytest.raises(DealBlocked, match="Foreign party collecting or exporting") as error:
        quote_accept(quote=quote, by=buyer.owner)
    assert error.value.details["findings"][0]["rule"] == "hgr-foreign-collection"
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.SUBMITTED
    assert not hasattr(quote, "contract") or quote.contract is None

    rfq_update(rfq=rfq, by=buyer.owner, hgr_materials_leave_china=False)
    assert quote_accept(quote=quote, by=buyer.owner).status == "pending_signature"


def test_an_unstated_fact_that_may_prohibit_the_deal_blocks_acceptance(deal):
    buyer, provider, rfq = deal
    rfq_update(rfq=rfq, by=buyer.owner, technology_catalogue_item="")
    quote = quote_for(rfq, provider)

    with pytest.raises(DealBlocked, match="prohibited export catalogue"):
        quote_accept(quote=quote, by=buyer.owner)


def test_a_large_milestone_brings_the_usd_50000_filing_into_an_inbound_deal():
    fx_rates()
    chinese_buyer = buyer_party(country="CN")
    foreign_provider = provider_party(country="DE", zone_code=None)
    rfq = rfq_for(chinese_buyer, invite=[foreign_provider], budget_currency="CNY")
    big = [LineInput("Study", Decimal(1), Decimal("400000.00"), Decimal(0), "exempt")]

    whole = [MilestoneInput("All", share=Decimal(100), trigger="t")]

    quote = quote_for(rfq, foreign_provider, lines=big, milestones=whole)

    assert quote.screening.facts["direction"] == "inbound"
    assert quote.screening.facts["single_payment_usd_equivalent"] == "56200.00"
    assert {f["rule"] for f in quote.screening.findings} >= {"payment-tax-record"}
    revision = quote.revisions.get()
    assert (revision.buyer_currency, revision.total_buyer_amount) == ("CNY", Decimal("400000.00"))
