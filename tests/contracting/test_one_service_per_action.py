"""One service per action, whatever the door: writing a quote from input rows, and creating,
inviting and sending an RFQ (the page keeps a blocked request as a draft, the API refuses it)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from marketplace.contracting.models import Quote, Rfq, RfqInvitation
from marketplace.contracting.services import DealBlocked, quote_write, rfq_create_and_send
from tests.factories import buyer_party, fx_rates, provider_party, rfq_for
from tests.factories.contracting import HARMLESS_FACTS

pytestmark = pytest.mark.django_db
LINES = [
    {"description": "Microsomal stability, 12 compounds", "quantity": Decimal(12),
     "unit_price": Decimal("3500.00"), "vat_rate": Decimal(0), "vat_basis": "zero_rated_export",
     "capability_code": "dmpk.in_vitro_adme"},
    {"description": "CYP inhibition panel", "quantity": Decimal(1),
     "unit_price": Decimal("28000.00"), "vat_rate": Decimal("0.06"), "vat_basis": "standard"},
]  # fmt: skip
MILESTONES = [
    {"name": "Kick-off", "share": Decimal(30), "trigger": "Contract signed"},
    {"name": "Final report", "share": Decimal(70), "trigger": None,
     "due_date": timezone.localdate() + timedelta(days=60)},
]  # fmt: skip
BLOCKED = {"hgr_materials_leave_china": True, "buyer_collects_hgr": True}


def rfq_values(**facts) -> dict:
    return {
        "title": "Metabolic stability panel",
        "scope": "12 compounds, human and rat microsomes.",
        "capability_codes": ["dmpk.in_vitro_adme"],
        "budget_currency": "USD",
        **HARMLESS_FACTS,
        **facts,
    }


def test_a_quote_written_from_input_rows_is_a_draft_or_sent_at_once():
    fx_rates()
    buyer, provider = buyer_party(), provider_party()
    rfq = rfq_for(buyer, invite=[provider])
    in_a_month = timezone.localdate() + timedelta(days=30)

    quote = quote_write(
        rfq=rfq, provider=provider.organisation, by=provider.owner, lines=LINES,
        milestones=MILESTONES, valid_until=in_a_month, provider_is_ciio=False,
    )  # fmt: skip

    revision = quote.revisions.get()
    assert (quote.status, revision.is_submitted, revision.total_amount) == (
        "draft", False, Decimal("71680.00"),
    )  # fmt: skip
    assert [line.capability.code if line.capability else None for line in revision.lines.all()] == [
        "dmpk.in_vitro_adme", None,
    ]  # fmt: skip
    assert [(m.amount, m.trigger) for m in revision.milestones.order_by("position")] == [
        (Decimal("21504.00"), "Contract signed"), (Decimal("50176.00"), ""),
    ]  # fmt: skip

    sent = quote_write(
        rfq=rfq, provider=provider.organisation, by=provider.owner, lines=LINES,
        milestones=MILESTONES, valid_until=in_a_month, provider_is_ciio=False, submit=True,
    )  # fmt: skip
    submitted = sent.revisions.get()
    assert (sent.pk, sent.status, submitted.is_submitted) == (quote.pk, "submitted", True)


def test_a_refused_quote_writes_nothing():
    fx_rates()
    buyer, provider = buyer_party(), provider_party()
    rfq = rfq_for(buyer, invite=[provider])

    with pytest.raises(ValidationError):
        quote_write(
            rfq=rfq, provider=provider.organisation, by=provider.owner, lines=LINES,
            milestones=MILESTONES, valid_until=timezone.localdate() - timedelta(days=1),
            submit=True,
        )  # fmt: skip

    assert not Quote.objects.filter(rfq=rfq).exists()


def test_a_new_rfq_is_created_invited_and_sent_in_one_call():
    buyer, provider = buyer_party(), provider_party()

    created = rfq_create_and_send(
        buyer=buyer.organisation, by=buyer.owner, providers=[provider.organisation],
        open_now=True, **rfq_values(),
    )  # fmt: skip

    assert (created.rfq.status, created.blocked) == ("open", None)
    assert list(created.rfq.invitations.values_list("provider", flat=True)) == [
        provider.organisation.pk
    ]
    draft = rfq_create_and_send(buyer=buyer.organisation, by=buyer.owner, **rfq_values())
    assert (draft.rfq.status, draft.blocked) == ("draft", None)


def test_a_blocked_new_rfq_is_kept_as_a_draft_only_when_asked():
    buyer, provider = buyer_party(), provider_party()
    kwargs = {"buyer": buyer.organisation, "by": buyer.owner, "open_now": True}

    with pytest.raises(DealBlocked, match="Foreign party collecting or exporting"):
        rfq_create_and_send(providers=[provider.organisation], **kwargs, **rfq_values(**BLOCKED))
    assert not Rfq.objects.filter(buyer=buyer.organisation).exists()
    assert not RfqInvitation.objects.filter(provider=provider.organisation).exists()

    kept = rfq_create_and_send(
        providers=[provider.organisation], keep_blocked_as_draft=True, **kwargs,
        **rfq_values(**BLOCKED),
    )  # fmt: skip
    assert kept.rfq.status == "draft"
    assert "Foreign party collecting or exporting" in kept.blocked.message
    assert list(kept.rfq.invitations.values_list("provider", flat=True)) == [
        provider.organisation.pk
    ]


def test_the_api_refuses_a_blocked_new_rfq_whole_where_the_page_keeps_a_draft():
    buyer, provider = buyer_party(), provider_party()
    api = Client(headers={"accept-language": "en"})
    api.force_login(buyer.owner)

    response = api.post("/api/v1/rfqs/", {
        **rfq_values(**BLOCKED), "invite": [provider.organisation.slug], "open": True,
    }, content_type="application/json")  # fmt: skip

    assert response.status_code == 409
    assert not Rfq.objects.filter(buyer=buyer.organisation).exists()
