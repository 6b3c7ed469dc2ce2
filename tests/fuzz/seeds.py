"""Data the API fuzz test puts into the live site's database (run through ``site_python``).

Deals in each state (draft, NDA-bound and open requests, draft and submitted quotes, pending and
active contracts with milestones and a checklist) between the buyer and the provider the fuzzer
signs in as, and the same between another buyer and another provider, whose names and texts
carry a marker that must never appear in an answer to anyone but them.
"""

import json
import uuid


def _session(user) -> str:
    """A signed-in session for ``user``: the value of its session cookie."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def world() -> None:
    """Seed both sides; print the sessions, the marker and the ids the fuzzer may aim at."""
    from django.conf import settings

    from marketplace.accounts.models import Organisation
    from marketplace.contracting.models import ChecklistItem, Milestone
    from marketplace.contracting.services import contract_sign, quote_accept
    from tests.factories import buyer_party, fx_rates, provider_party, quote_for
    from tests.factories import rfq_for as _rfq_for

    fx_rates()
    tag = uuid.uuid4().hex[:8]
    marker = f"zqx{uuid.uuid4().hex[:12]}"
    # A transfer of know-how not on the catalogue needs a filing: its contract has a checklist.
    filing = {"technology_transfer": True, "technology_catalogue_item": "none"}

    buyer = buyer_party(
        country="DE", name=f"Ostsee Pharma {tag}", email=f"fuzz-buyer-{tag}@example.com"
    )
    provider = provider_party(email=f"fuzz-cro-{tag}@example.com")
    other_buyer = buyer_party(
        country="FR", name=f"{marker} Buyer", email=f"fuzz-other-buyer-{tag}@example.com"
    )
    other_provider = provider_party(email=f"fuzz-other-cro-{tag}@example.com")
    Organisation.objects.filter(pk=other_provider.organisation.pk).update(
        name=f"{marker} Labs", name_zh=f"{marker} 实验室"
    )

    def rfq_for(party, invite, marked=False, **values):
        text = f"{marker} " if marked else ""
        return _rfq_for(
            party,
            invite=invite,
            title=f"{text}Hepatocyte clearance panel {tag}",
            summary=f"{text}Twelve compounds, three species.",
            scope=f"{text}Human, rat and dog hepatocytes; intrinsic clearance.",
            **values,
        )

    def quote(rfq, party, marked=False, **values):
        text = f"{marker} " if marked else ""
        assumptions = f"{text}Compounds supplied as 10 mM DMSO stocks."
        return quote_for(rfq, party, assumptions=assumptions, **values)

    def contract(party, partner, marked):
        accepted = quote(rfq_for(party, [partner], marked, **filing), partner, marked)
        return quote_accept(quote=accepted, by=party.owner)

    own, others = {}, {}
    for ids, party, partner, marked in (
        (own, buyer, provider, False),
        (others, other_buyer, other_provider, True),
    ):
        draft = rfq_for(party, [partner], marked, open_it=False)
        nda = rfq_for(
            party, [partner], marked, is_nda_required=True, nda_terms="Mutual, five years."
        )
        submitted = quote(rfq_for(party, [partner], marked), partner, marked)
        drafted = quote(rfq_for(party, [partner], marked), partner, marked, submit=False)
        pending, active = contract(party, partner, marked), contract(party, partner, marked)
        for side in (party, partner):
            active = contract_sign(contract=active, by=side.owner)
        contracts = [pending, active]
        ids["rfq"] = [draft.pk, nda.pk, submitted.rfq_id, drafted.rfq_id]
        ids["rfq"] += [contract.rfq_id for contract in contracts]
        ids["quote"] = [submitted.pk, drafted.pk] + [contract.quote_id for contract in contracts]
        ids["contract"] = [contract.pk for contract in contracts]
        ids["milestone"] = list(
            Milestone.objects.filter(contract__in=contracts).values_list("pk", flat=True)
        )
        ids["item"] = list(
            ChecklistItem.objects.filter(contract__in=contracts).values_list("pk", flat=True)
        )
    print(json.dumps({
        "marker": marker,
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
        "other_buyer": {"session": _session(other_buyer.owner)},
        "buyer": {"session": _session(buyer.owner), "slug": buyer.organisation.slug},
        "provider": {"session": _session(provider.owner), "slug": provider.organisation.slug},
        "provider_slugs": [provider.organisation.slug, other_provider.organisation.slug],
        "own": own,
        "others": others,
    }))  # fmt: skip
