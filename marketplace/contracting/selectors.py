"""Reads of RFQs, quotes and contracts, always through who is asking.

A buyer sees its organisations' RFQs, the quotes on them and its contracts; a provider sees the
RFQs it was invited to or that are open to it, and only its own quotes and contracts. Anything
else is simply not found.
"""

from collections.abc import Callable

from django.db.models import Exists, OuterRef, Q, QuerySet

from marketplace.accounts.models import PROVIDER_KINDS, Membership, Organisation, User
from marketplace.accounts.permissions import ACTING_ROLES
from marketplace.contracting.models import (
    ChangeOrder,
    Contract,
    Quote,
    QuoteRevision,
    QuoteStatus,
    Rfq,
    RfqInvitation,
    RfqStatus,
    Visibility,
)


def organisations_of(*, user: User) -> QuerySet[Organisation]:
    return Organisation.objects.filter(memberships__user=user)


def _open_to(provider: Organisation) -> Q:
    """Open requests asking for something the verified ``provider`` offers (or a broader code)."""
    offered = provider.offered_capabilities.values_list("code", flat=True)
    codes = set(offered)
    wanted = set()
    for code in codes:
        parts = code.split(".")
        wanted.update(".".join(parts[: depth + 1]) for depth in range(len(parts)))
    return Q(visibility=Visibility.OPEN, status=RfqStatus.OPEN, capabilities__code__in=wanted)


def rfqs_for_provider(*, provider: Organisation) -> QuerySet[Rfq]:
    """Requests ``provider`` was invited to, and open ones it may answer (if verified).

    Drafts stay with the buyer until opened.
    """
    invited = Q(invitations__provider=provider) & ~Q(status=RfqStatus.DRAFT)
    condition = invited | _open_to(provider) if provider.is_verified else invited
    ids = Rfq.objects.filter(condition).values("pk")
    return Rfq.objects.filter(pk__in=ids).select_related("buyer")


def provider_may_see(*, rfq: Rfq, provider: Organisation) -> bool:
    return rfqs_for_provider(provider=provider).filter(pk=rfq.pk).exists()


def rfqs_for_user(*, user: User) -> QuerySet[Rfq]:
    """Every request the user may read: as a buyer's member, or as a provider's."""
    buyer_ids = Membership.objects.filter(user=user).values("organisation")
    visible = Rfq.objects.filter(buyer__in=buyer_ids).values("pk")
    ids = set(visible.values_list("pk", flat=True))
    for provider in organisations_of(user=user).filter(kind__in=PROVIDER_KINDS):
        ids.update(rfqs_for_provider(provider=provider).values_list("pk", flat=True))
    return (
        Rfq.objects.filter(pk__in=ids)
        .select_related("buyer", "therapeutic_area", "modality")
        .prefetch_related("capabilities")
    )


def is_buyer_member(*, user: User, rfq: Rfq) -> bool:
    return Membership.objects.filter(user=user, organisation_id=rfq.buyer_id).exists()


def nda_accepted(*, rfq: Rfq, provider: Organisation) -> bool:
    return (
        not rfq.is_nda_required
        or RfqInvitation.objects.filter(
            rfq=rfq, provider=provider, nda_accepted_at__isnull=False
        ).exists()
    )


def quotes_for_user(*, user: User) -> QuerySet[Quote]:
    """Quotes on the user's organisations' requests (not drafts), and its providers' own."""
    mine = Membership.objects.filter(user=user).values("organisation")
    return (
        Quote.objects.filter(
            Q(provider__in=mine) | (Q(rfq__buyer__in=mine) & ~Q(status=QuoteStatus.DRAFT))
        )
        .select_related("rfq__buyer", "provider__zone")
        .prefetch_related("revisions__lines__capability", "revisions__milestones")
    )


def quote_revisions_for(*, quote: Quote, viewer_is_provider: bool) -> list[QuoteRevision]:
    """A quote's revisions, oldest first, as its reader may see them: the buyer the submitted
    ones only, the provider its draft too."""
    return [
        revision
        for revision in sorted(quote.revisions.all(), key=lambda r: r.number)
        if revision.is_submitted or viewer_is_provider
    ]


def contracts_for_user(*, user: User) -> QuerySet[Contract]:
    mine = Membership.objects.filter(user=user).values("organisation")
    return (
        Contract.objects.filter(Q(buyer__in=mine) | Q(provider__in=mine))
        .select_related("buyer", "provider", "rfq", "revision")
        .prefetch_related("milestones", "checklist")
    )


def acting_side(*, contract: Contract, user: User) -> str | None:
    """The party ``user`` may act for on ``contract`` ("buyer" or "provider", as an owner or
    editor), or None."""
    if not user.is_authenticated:
        return None
    organisations = set(
        Membership.objects.filter(user=user, role__in=ACTING_ROLES).values_list(
            "organisation_id", flat=True
        )
    )
    for side in ("buyer", "provider"):
        if getattr(contract, f"{side}_id") in organisations:
            return side
    return None


def invited_providers(*, rfq: Rfq) -> QuerySet[Organisation]:
    return Organisation.objects.filter(
        Exists(RfqInvitation.objects.filter(rfq=rfq, provider=OuterRef("pk")))
    )


def full_rfq_reader(*, user: User) -> Callable[[Rfq], bool]:
    """Who may read a request in full (its scope, facts, screening, attachments and threads):
    the buyer's members, and members of a provider that may see it and accepted its NDA (or
    that needs none). Everyone else sees its summary only.

    The one home of that rule for the page, the API and the downloads. The user's organisations
    are read once and each request's answer kept, so a list costs a query per provider
    organisation and request it is not the buyer of, never one per field asked."""
    organisations = list(organisations_of(user=user))
    own = {organisation.pk for organisation in organisations}
    providers = [o for o in organisations if o.kind in PROVIDER_KINDS]
    answers: dict[int, bool] = {}

    def may_read(rfq: Rfq) -> bool:
        if rfq.pk not in answers:
            answers[rfq.pk] = rfq.buyer_id in own or any(
                nda_accepted(rfq=rfq, provider=provider)
                and provider_may_see(rfq=rfq, provider=provider)
                for provider in providers
            )
        return answers[rfq.pk]

    return may_read


def may_read_full_rfq(*, user: User, rfq: Rfq) -> bool:
    """Whether ``user`` may read ``rfq`` in full (see ``full_rfq_reader``)."""
    return full_rfq_reader(user=user)(rfq)


def thread_providers(*, user: User, rfq: Rfq) -> QuerySet[Organisation]:
    """The providers whose thread on ``rfq`` the user may read: every one taking part for the
    buyer, its own for a provider."""
    taking_part = Organisation.objects.filter(rfq_invitations__rfq=rfq)
    if is_buyer_member(user=user, rfq=rfq):
        return taking_part.order_by("name")
    return taking_part.filter(memberships__user=user).order_by("name")


def thread_messages(*, rfq: Rfq, provider: Organisation):
    from marketplace.contracting.models import Message

    return Message.objects.filter(rfq=rfq, provider=provider).select_related("author")


def change_facts(change_order: ChangeOrder) -> list[str]:
    """The deal facts a change order restates (their names, in a stable order)."""
    before, after = change_order.before["facts"], change_order.after["facts"]
    return sorted(name for name, value in after.items() if before.get(name) != value)
