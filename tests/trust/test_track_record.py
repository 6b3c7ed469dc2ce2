"""A provider's track record, computed from its deals by the periodic task: response time,
share of requests quoted, completed contracts, milestones delivered on time, repeat buyers; too
little history is said, not shown as a number."""

from datetime import timedelta

import pytest
from django.utils import timezone

from marketplace.contracting.models import AuditEvent, Milestone, QuoteRevision
from marketplace.contracting.services import contract_sign, milestone_mark_due
from marketplace.trust.models import TrackRecord
from marketplace.trust.services import track_records_refresh
from marketplace.trust.tasks import track_records_refresh_task
from tests.factories import (
    buyer_party,
    completed_contract,
    contract_for,
    fx_rates,
    provider_party,
    quote_for,
    rfq_for,
)

pytestmark = pytest.mark.django_db


def answered_after(rfq, provider, hours: float):
    """The provider's quote on ``rfq``, submitted ``hours`` after it was invited."""
    quote = quote_for(rfq, provider)
    invited = rfq.invitations.get(provider=provider.organisation).created_at
    QuoteRevision.objects.filter(quote=quote).update(submitted_at=invited + timedelta(hours=hours))
    return quote


def test_the_track_record_counts_what_the_provider_did(client):
    fx_rates()
    provider = provider_party()
    regular, once = buyer_party(), buyer_party()
    for hours in (2, 4, 30):  # three requests answered, a fourth left unanswered
        answered_after(rfq_for(regular, invite=[provider]), provider, hours)
    rfq_for(once, invite=[provider])
    completed_contract(regular, provider)
    completed_contract(regular, provider)
    completed_contract(once, provider)

    track_records_refresh_task.delay()

    record = TrackRecord.objects.get(provider=provider.organisation)
    assert (record.rfqs_received, record.rfqs_quoted) == (7, 6)  # 3 + 1 + each contract's
    assert (record.contracts_completed, record.buyers, record.repeat_buyers) == (3, 2, 1)
    figures = client.get(f"/api/v1/providers/{provider.organisation.slug}/track-record").json()
    assert figures["quoted_percent"] == 86 and figures["repeat_buyer_percent"] is None  # 2 buyers
    assert figures["contracts_completed"] == 3


def test_the_median_response_is_from_invitation_to_first_quote():
    fx_rates()
    provider, buyer = provider_party(), buyer_party()
    for hours in (1, 5, 40):
        answered_after(rfq_for(buyer, invite=[provider]), provider, hours)

    track_records_refresh()

    assert TrackRecord.objects.get(provider=provider.organisation).median_response_hours == 5


def test_milestones_called_due_by_their_date_are_on_time_and_the_sweep_is_not_delivery():
    fx_rates()
    buyer, provider = buyer_party(), provider_party()
    contract = contract_for(buyer, provider)
    contract_sign(contract=contract, by=buyer.owner)
    contract_sign(contract=contract, by=provider.owner)
    first, second = contract.milestones.order_by("position")
    today = timezone.localdate()
    Milestone.objects.filter(pk=first.pk).update(due_date=today + timedelta(days=3))
    Milestone.objects.filter(pk=second.pk).update(due_date=today)
    milestone_mark_due(milestone=first, by=provider.owner)  # delivered early
    milestone_mark_due(milestone=second, by=None)  # the sweep, on the date: not a delivery
    assert AuditEvent.objects.filter(subject_type="milestone", action="mark_due").count() == 2

    track_records_refresh()

    record = TrackRecord.objects.get(provider=provider.organisation)
    assert (record.milestones_dated, record.milestones_on_time) == (2, 1)


def test_a_new_provider_shows_too_little_history_not_a_number(client):
    provider = provider_party()
    track_records_refresh()

    figures = client.get(f"/api/v1/providers/{provider.organisation.slug}/track-record").json()

    assert figures["rfqs_received"] == 0 and figures["quoted_percent"] is None
    assert figures["median_response_hours"] is None and figures["on_time_percent"] is None


def test_the_provider_page_shows_the_track_record_in_both_languages(client):
    from marketplace.accounts.models import Organisation

    organisation = Organisation.objects.get(external_id="demo-p001")
    track_records_refresh()
    url = organisation.provider_page.url

    english = client.get(url).text
    chinese = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").text

    assert "Track record on the platform" in english and "Too little history yet" in english
    assert "平台上的交易记录" in chinese and "Track record" not in chinese


def test_a_provider_without_a_computed_record_answers_404(client):
    provider = provider_party()
    response = client.get(f"/api/v1/providers/{provider.organisation.slug}/track-record")
    assert response.status_code == 404


def test_refreshing_again_without_new_deals_changes_nothing():
    provider_party()
    assert track_records_refresh() > 0
    assert track_records_refresh() == 0


def test_a_changed_track_record_reaches_the_provider_s_search_documents():
    from cms.models import ProviderPage, ServicePage
    from marketplace.accounts.models import Membership, Organisation, Role
    from search.indexing import provider_facts, service_document
    from search.models import IndexChange
    from tests.factories import Party, UserFactory

    organisation = Organisation.objects.get(external_id="demo-p001")
    owner = UserFactory(email_verified=True)
    Membership.objects.create(user=owner, organisation=organisation, role=Role.OWNER)
    completed_contract(buyer_party(), Party(organisation, owner))
    page = ProviderPage.objects.get(organisation=organisation)
    IndexChange.objects.all().delete()

    track_records_refresh()

    assert IndexChange.objects.filter(object_id=page.pk, action="upsert").exists()
    listing = ServicePage.objects.live().child_of(page).first()
    document = service_document(listing, provider_facts(page))
    assert document["provider"]["contracts_completed"] == 1
