"""Data the browser tests put into the live site's database (run through ``site_python``)."""

import json
import uuid

PASSWORD = "password"  # noqa: S105 - test accounts on a throwaway database


def deal_parties() -> None:
    """A buyer (US) and a verified CRO (Shanghai FTZ) offering in vitro ADME, each with an owner
    who can sign in; prints their emails and the provider's slug as JSON."""
    from tests.factories import buyer_party, fx_rates, provider_party

    fx_rates()
    tag = uuid.uuid4().hex[:8]
    buyer = buyer_party(
        country="US", name=f"Helix Therapeutics {tag}", email=f"buyer-{tag}@example.com"
    )
    provider = provider_party(zone_code="shanghai_ftz", email=f"cro-{tag}@example.com")
    print(
        json.dumps(
            {
                "buyer": buyer.owner.email,
                "provider": provider.owner.email,
                "provider_slug": provider.organisation.slug,
                "provider_name": provider.organisation.name,
            }
        )
    )


def employer_of(external_id: str) -> None:
    """A signing-in editor of the demo provider ``external_id``; prints their email."""
    from marketplace import events
    from marketplace.accounts.models import Membership, Organisation, Role
    from tests.factories import UserFactory

    organisation = Organisation.objects.get(external_id=external_id)
    user = UserFactory(email=f"hr-{uuid.uuid4().hex[:8]}@example.com", email_verified=True)
    Membership.objects.create(user=user, organisation=organisation, role=Role.EDITOR)
    events.publish(events.MEMBERSHIP_CHANGED, organisation_id=organisation.pk, user_id=user.pk)
    print(user.email)
