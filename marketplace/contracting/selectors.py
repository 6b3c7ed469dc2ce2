"""Reads of RFQs, quotes and contracts, always through who is asking.

A buyer sees its organisations' RFQs, the quotes on them and its contracts; a provider sees the
RFQs it was invited to or that are open to it, and only its own quotes and contracts. Anything
else is simply not found.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from marketplace.accounts.models import PROVIDER_KINDS, Membership, Organisation, User
from marketplace.accounts.permissions import ACTING_ROLES
from marketplace.contracting.models import (
    ChangeOrder,
    ChangeOrderStatus,
    Contract,
    ContractStatus,
    MilestoneStatus,
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
        .prefetch_related("milestones", "checklist", "change_orders")
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


def change_new_approvals(change_order: ChangeOrder) -> list[dict]:
    """The findings of a change's screening that its contract's checklist lacked: the approvals
    and filings the change adds before payment."""
    screening = change_order.screening
    return [f for f in screening["findings"] if f["rule"] in screening["new_checklist"]]


def change_facts(change_order: ChangeOrder) -> list[str]:
    """The deal facts a change order restates (their names, in a stable order)."""
    before, after = change_order.before["facts"], change_order.after["facts"]
    return sorted(name for name, value in after.items() if before.get(name) != value)


@dataclass(frozen=True)
class NextAction:
    """What a deal waits for next: ``label`` in the reader's language, the page (and place on it)
    to do it at, and whether the reader's party is the one to act."""

    label: str
    path: str
    is_yours: bool


def contract_next_action(*, contract: Contract, side: str | None) -> NextAction | None:
    """What the contract waits for next, as ``side`` ("buyer", "provider" or None for a viewer)
    sees it; None once it is completed or terminated. Reads the contract's milestones, checklist
    and change orders (prefetch them for a list)."""
    page = f"/deals/contracts/{contract.pk}/"
    if contract.status == ContractStatus.PENDING_SIGNATURE:
        if side and getattr(contract, f"{side}_signed_at") is None:
            return NextAction(_("Sign the documents"), f"{page}#sign", True)
        return NextAction(_("Waiting for the other party to sign"), page, False)
    if contract.status != ContractStatus.ACTIVE:
        return None
    for change in contract.change_orders.all():
        if change.status == ChangeOrderStatus.PROPOSED:
            if side and getattr(change, f"{side}_signed_at") is None:
                label = _("Sign or decline change %s") % change.reference
                return NextAction(label, f"{page}#changes", True)
            return NextAction(
                _("Waiting for the other party to sign change %s") % change.reference,
                f"{page}#changes",
                False,
            )
    if any(not item.is_done for item in contract.checklist.all()):
        label = _("Record the approvals and filings")
        return NextAction(label, f"{page}#checklist-heading", side is not None)
    milestones = sorted(contract.milestones.all(), key=lambda milestone: milestone.position)
    buyer = side == "buyer"
    for milestone in milestones:
        if milestone.status == MilestoneStatus.DUE:
            label = _("Pay “%s”") if buyer else _("Waiting for payment of “%s”")
            return NextAction(label % milestone.name, f"{page}#milestones-heading", buyer)
        if milestone.status == MilestoneStatus.PAID:
            label = (
                _("Accept the work of “%s”") if buyer else _("Waiting for the buyer to accept “%s”")
            )
            return NextAction(label % milestone.name, f"{page}#milestones-heading", buyer)
    for milestone in milestones:
        if milestone.status == MilestoneStatus.PLANNED:
            provider = side == "provider"
            label = _("Deliver “%s”, then call it due") if provider else _("Waiting for “%s”")
            return NextAction(label % milestone.name, f"{page}#milestones-heading", provider)
    return NextAction(_("Complete the contract"), page, buyer)


def contracts_with_next_action(*, user: User) -> list[tuple[Contract, NextAction | None]]:
    """The user's contracts, newest first, each with what it waits for next as the user's party
    sees it (``contract_next_action``)."""
    acting = set(
        Membership.objects.filter(user=user, role__in=ACTING_ROLES).values_list(
            "organisation_id", flat=True
        )
    )
    answer = []
    for contract in contracts_for_user(user=user).order_by("-created_at"):
        sides = [s for s in ("buyer", "provider") if getattr(contract, f"{s}_id") in acting]
        side = sides[0] if sides else None
        answer.append((contract, contract_next_action(contract=contract, side=side)))
    return answer


def rfq_next_action(*, rfq: Rfq, organisation_ids: set[int]) -> NextAction | None:
    """What an RFQ waits for next as the reader's organisations see it: the buyer opens it and
    compares the quotes; an invited provider accepts its NDA and quotes. Reads the RFQ's quotes
    and invitations (prefetch them for a list)."""
    page = f"/deals/rfqs/{rfq.pk}/"
    if rfq.status == RfqStatus.DRAFT and rfq.buyer_id in organisation_ids:
        return NextAction(_("Open it to providers"), page, True)
    if rfq.status != RfqStatus.OPEN:
        return None
    live = (QuoteStatus.SUBMITTED, QuoteStatus.REVISED)
    quotes = [quote for quote in rfq.quotes.all() if quote.status in live]
    if rfq.buyer_id in organisation_ids:
        if quotes:
            label = ngettext("Compare %d quote", "Compare %d quotes", len(quotes)) % len(quotes)
            return NextAction(label, f"/deals/rfqs/{rfq.pk}/compare/", True)
        return NextAction(_("Waiting for quotes"), page, False)
    invitation = next((i for i in rfq.invitations.all() if i.provider_id in organisation_ids), None)
    if rfq.is_nda_required and (invitation is None or invitation.nda_accepted_at is None):
        return NextAction(_("Accept the NDA to read the request"), page, True)
    if any(q.provider_id in organisation_ids for q in quotes):
        return NextAction(_("Waiting for the buyer's decision"), page, False)
    return NextAction(_("Send your quote"), f"/deals/rfqs/{rfq.pk}/quote/", True)
