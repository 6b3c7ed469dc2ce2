"""Data the browser tests put into the live site's database (run through ``site_python``): each
function prints what the test needs to know, as JSON or a bare email address.

The providers are demo providers, already in the search indexes built from the demo data.
"""

import json
import uuid

PASSWORD = "password"  # noqa: S105 - test accounts on a throwaway database
ADC_PROVIDER = "demo-p023"  # Suzhou Industrial Park Biologics: verified, Jiangsu FTZ, ADC


def _member(organisation, *, role: str, prefix: str) -> str:
    """A new user who can sign in, member of ``organisation`` with ``role``; their email."""
    from marketplace import events
    from marketplace.accounts.models import Membership
    from tests.factories import UserFactory

    user = UserFactory(email=f"{prefix}-{uuid.uuid4().hex[:8]}@example.com", email_verified=True)
    Membership.objects.create(user=user, organisation=organisation, role=role)
    events.publish(events.MEMBERSHIP_CHANGED, organisation_id=organisation.pk, user_id=user.pk)
    return user.email


def _buyer(country: str = "DE"):
    from tests.factories import buyer_party

    tag = uuid.uuid4().hex[:8]
    return buyer_party(
        country=country, name=f"Rhein Biologics {tag}", email=f"buyer-{tag}@example.com"
    )


def _organisation(external_id: str):
    from marketplace.accounts.models import Organisation

    return Organisation.objects.get(external_id=external_id)


def buyer(country: str = "DE") -> None:
    """A buyer organisation with an owner who can sign in; prints their email and its name."""
    party = _buyer(country)
    print(json.dumps({"email": party.owner.email, "name": party.organisation.name}))


def _adc_provider_facts(organisation) -> dict:
    return {"name": organisation.name, "name_zh": organisation.name_zh, "slug": organisation.slug}


def adc_provider() -> None:
    """Prints the demo ADC provider's names and slug."""
    print(json.dumps(_adc_provider_facts(_organisation(ADC_PROVIDER))))


def adc_provider_owner() -> None:
    """An owner who can sign in for the demo ADC provider; prints their email, its names and
    slug."""
    from marketplace.accounts.models import Role

    organisation = _organisation(ADC_PROVIDER)
    email = _member(organisation, role=Role.OWNER, prefix="cro")
    print(json.dumps({"email": email, **_adc_provider_facts(organisation)}))


def employer_of(external_id: str) -> None:
    """A signing-in editor of the demo provider ``external_id``; prints their email."""
    from marketplace.accounts.models import Role

    print(_member(_organisation(external_id), role=Role.EDITOR, prefix="hr"))


def cro_editor_with_rfq(external_id: str) -> None:
    """An editor of the demo provider ``external_id`` and a buyer's open RFQ inviting it; prints
    the editor's email, the provider's first live listing (id, title) and the RFQ's title."""
    from cms.models import ServicePage
    from marketplace.accounts.models import Role
    from tests.factories import fx_rates, rfq_for
    from tests.factories.contracting import Party

    fx_rates()
    organisation = _organisation(external_id)
    listing = ServicePage.objects.live().filter(external_id=f"{external_id}-s1").get()
    rfq = rfq_for(
        _buyer(),
        invite=[Party(organisation, None)],
        title=f"Caco-2 permeability for 8 compounds ({uuid.uuid4().hex[:8]})",
        capability_codes=("dmpk.in_vitro_adme",),
    )
    print(json.dumps({
        "editor": _member(organisation, role=Role.EDITOR, prefix="staff"),
        "listing_id": listing.pk,
        "listing_title": listing.title_en,
        "rfq_title": rfq.title,
    }))  # fmt: skip


REVIEWED_PROVIDER = "demo-p002"  # Shanghai Lingang DMPK Laboratories: verified, in vitro ADME


def reviewable_deal() -> None:
    """A contract between a new buyer and a demo provider, done, paid and completed: what a
    review needs. Prints the buyer's email, the contract's id and the provider's page and name."""
    from django.contrib.auth import get_user_model

    from marketplace.accounts.models import Role
    from tests.factories import Party, completed_contract

    provider = _organisation(REVIEWED_PROVIDER)
    owner = get_user_model().objects.get(email=_member(provider, role=Role.OWNER, prefix="cro"))
    buyer = _buyer("US")
    contract = completed_contract(buyer, Party(provider, owner))
    print(json.dumps({
        "email": buyer.owner.email, "contract": contract.pk, "provider": provider.name,
        "provider_zh": provider.name_zh, "provider_url": provider.provider_page.url,
    }))  # fmt: skip


def track_records() -> None:
    """What the hourly task does: every provider's track record, computed now."""
    from marketplace.trust.services import track_records_refresh

    print(json.dumps({"changed": track_records_refresh()}))
