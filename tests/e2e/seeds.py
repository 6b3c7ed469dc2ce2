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
    from marketplace.accounts.models import Organisation

    print(_editor(Organisation.objects.get(external_id=external_id)))


def cro_editor_with_rfq(external_id: str) -> None:
    """An editor of the demo provider ``external_id`` and a buyer's open RFQ inviting it; prints
    the editor's email, the provider's first live listing (id, title) and the RFQ's title."""
    from cms.models import ServicePage
    from marketplace.accounts.models import Organisation
    from tests.factories import buyer_party, fx_rates, rfq_for
    from tests.factories.contracting import Party

    fx_rates()
    organisation = Organisation.objects.get(external_id=external_id)
    listing = ServicePage.objects.live().filter(external_id=f"{external_id}-s1").get()
    tag = uuid.uuid4().hex[:8]
    buyer = buyer_party(
        country="DE", name=f"Rhein Biologics {tag}", email=f"buyer-{tag}@example.com"
    )
    rfq = rfq_for(
        buyer,
        invite=[Party(organisation, None)],
        title=f"Caco-2 permeability for 8 compounds ({tag})",
        capability_codes=("dmpk.in_vitro_adme",),
    )
    print(json.dumps({
        "editor": _editor(organisation),
        "listing_id": listing.pk,
        "listing_title": listing.title_en,
        "rfq_title": rfq.title,
    }))  # fmt: skip


def _editor(organisation) -> str:
    from marketplace import events
    from marketplace.accounts.models import Membership, Role
    from tests.factories import UserFactory

    user = UserFactory(email=f"staff-{uuid.uuid4().hex[:8]}@example.com", email_verified=True)
    Membership.objects.create(user=user, organisation=organisation, role=Role.EDITOR)
    events.publish(events.MEMBERSHIP_CHANGED, organisation_id=organisation.pk, user_id=user.pk)
    return user.email
