"""The same invitation sent several times at once (a double click, a retried request) is made
once: the RFQ's row lock orders them and the later ones find the invitation made. On PostgreSQL,
with every write committed, as in production."""

import pytest

from marketplace.contracting.models import AuditEvent, RfqInvitation
from marketplace.contracting.services import rfq_invite
from tests.concurrency import at_once
from tests.factories import buyer_party, fx_rates, provider_party, rfq_for


@pytest.mark.postgresql
def test_the_same_invitation_sent_three_times_at_once_is_made_once(committed_db):
    fx_rates()
    buyer, first, second = buyer_party(), provider_party(), provider_party()
    rfq = rfq_for(buyer, invite=[first])

    outcomes = at_once(
        lambda: len(rfq_invite(rfq=rfq, providers=[second.organisation], by=buyer.owner)),
        times=3,
    )

    assert sorted(outcomes) == [0, 0, 1]  # one call made it; the others found it made
    assert RfqInvitation.objects.filter(rfq=rfq, provider=second.organisation).count() == 1
    assert (
        AuditEvent.objects.filter(
            action="invite", reason=f"organisation {second.organisation.pk}"
        ).count()
        == 1
    )
