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


DESK_PROVIDER = "demo-p011"  # a demo provider no other browser test deals with


def provider_desk() -> None:
    """An owner of a demo provider with work waiting: a buyer's open RFQ inviting it, a contract
    both signed (nothing due yet), and a GLP certificate on its page expiring in 20 days. Prints
    the owner's email, the RFQ's and contract's titles, the contract's id, the buyer owner's
    email and the certificate's reference and expiry."""
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from marketplace.accounts.models import Role
    from tests.factories import Party, active_contract, certified_provider_page, fx_rates, rfq_for

    fx_rates()
    provider = _organisation(DESK_PROVIDER)
    owner = get_user_model().objects.get(email=_member(provider, role=Role.OWNER, prefix="cro"))
    party, buyer, tag = Party(provider, owner), _buyer("US"), uuid.uuid4().hex[:6]
    rfq = rfq_for(buyer, invite=[party], title=f"Hepatocyte clearance, 8 compounds ({tag})")
    contract = active_contract(_buyer("GB"), party)
    expiring = timezone.localdate() + timedelta(days=20)
    reference = f"GLP-{tag}"
    page = certified_provider_page(
        provider,
        {"standard": "GLP", "issuer": "NMPA", "reference": reference, "valid_until": expiring},
    )
    print(json.dumps({
        "email": owner.email, "rfq_title": rfq.title, "contract": contract.pk,
        "contract_title": contract.rfq.title, "buyer": contract.buyer.memberships.get().user.email,
        "certificate": reference, "expires": expiring.isoformat(), "page_id": page.pk,
        "other_page_id": _organisation(REVIEWED_PROVIDER).provider_page.pk,
    }))  # fmt: skip


def change_order_signed_by_buyer(contract_id: int, buyer_email: str) -> None:
    """The buyer signs the contract's change order waiting for signatures (password)."""
    from django.contrib.auth import get_user_model

    from marketplace.agreements.signing import change_order_sign
    from marketplace.contracting.models import ChangeOrder

    change = ChangeOrder.objects.get(contract_id=contract_id, status="proposed")
    buyer = get_user_model().objects.get(email=buyer_email)
    change_order_sign(change_order=change, by=buyer, typed_name="Sam Carter", method="password")
    print(json.dumps({"reference": change.reference}))


def screens() -> None:
    """One of each page type a signed-in user reaches, on demo data: a buyer's open RFQ with a
    provider's quote, and an active contract between them. Prints the two owners' emails and the
    pages' paths (a provider, a service, a TCM service and a job page among them)."""
    from django.contrib.auth import get_user_model

    from cms.models import ServicePage, TCMServicePage
    from marketplace.accounts.models import Role
    from tests.factories import Party, active_contract, fx_rates, quote_for, rfq_for

    fx_rates()
    provider = _organisation(REVIEWED_PROVIDER)
    owner = get_user_model().objects.get(email=_member(provider, role=Role.OWNER, prefix="cro"))
    party, buyer = Party(provider, owner), _buyer("US")
    rfq = rfq_for(buyer, invite=[party], title="Hepatocyte clearance for 8 compounds")
    quote = quote_for(rfq, party)
    contract = active_contract(buyer, party)
    graduate, job = _graduate()
    print(json.dumps({
        "buyer": buyer.owner.email, "provider": owner.email, "graduate": graduate,
        "rfq": f"/deals/rfqs/{rfq.pk}/", "compare": f"/deals/rfqs/{rfq.pk}/compare/",
        "quote": f"/deals/quotes/{quote.pk}/", "contract": f"/deals/contracts/{contract.pk}/",
        "quote_form": f"/deals/rfqs/{rfq.pk}/quote/",
        "change_form": f"/deals/contracts/{contract.pk}/changes/new/",
        "provider_page": provider.provider_page.url,
        "service_page": ServicePage.objects.live().filter(external_id__startswith="demo-p")
        .first().url,
        "tcm_page": TCMServicePage.objects.live().first().url,
        "job_page": job.url,
    }))  # fmt: skip


def _graduate():
    """A graduate with a candidate profile, who applied to one posting and saved two; their email
    and the posting they applied to."""
    from django.core.files.base import ContentFile

    from cms.models import JobPostingPage
    from marketplace.jobs.models import CandidateProfile
    from marketplace.jobs.services import application_create, job_save
    from tests.factories import UserFactory

    user = UserFactory(email=f"graduate-{uuid.uuid4().hex[:8]}@example.com", email_verified=True)
    CandidateProfile.objects.create(
        user=user, full_name="Wang Fang", degree="master", school="China Pharmaceutical University",
        graduation_year=2026, cv=ContentFile(b"%PDF-1.4\n%%EOF\n", name="cv.pdf"), cv_name="cv.pdf",
    )  # fmt: skip
    first, second = JobPostingPage.objects.live().order_by("pk")[:2]
    application_create(posting=first, candidate=user, cover_note="I would like to join the lab.")
    job_save(user=user, posting=first)
    job_save(user=user, posting=second)
    return user.email, first


def form_desk() -> None:
    """A buyer who can request quotes, and a demo provider's owner invited to a buyer's open RFQ
    (budget in USD); prints both emails and the paths of the RFQ and of its quote form."""
    from django.contrib.auth import get_user_model

    from marketplace.accounts.models import Role
    from tests.factories import Party, fx_rates, rfq_for

    fx_rates()
    provider = _organisation(REVIEWED_PROVIDER)
    owner = get_user_model().objects.get(email=_member(provider, role=Role.OWNER, prefix="cro"))
    buyer = _buyer("US")
    rfq = rfq_for(buyer, invite=[Party(provider, owner)], title="Caco-2 permeability, 8 compounds")
    print(json.dumps({
        "buyer": buyer.owner.email, "provider": owner.email,
        "quote_form": f"/deals/rfqs/{rfq.pk}/quote/", "rfq": f"/deals/rfqs/{rfq.pk}/",
    }))  # fmt: skip
