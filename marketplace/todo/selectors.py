"""What needs a user's action, by role: read through each app's own selectors."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from cms.selectors import certifications_expiring
from marketplace.accounts.models import PROVIDER_KINDS, Membership, OrganisationKind, User
from marketplace.accounts.permissions import ACTING_ROLES
from marketplace.contracting.models import RfqStatus
from marketplace.contracting.selectors import (
    NextAction,
    contracts_with_next_action,
    rfq_next_action,
    rfqs_for_user,
)
from marketplace.jobs.selectors import applications_of

RECENT_DAYS = 30


@dataclass
class Item:
    title: str
    action: NextAction


@dataclass
class ToDo:
    """The user's items to act on by role (empty lists for a role they do not hold)."""

    buying: list[Item] = field(default_factory=list)
    selling: list[Item] = field(default_factory=list)
    certifications: list = field(default_factory=list)
    applications: list = field(default_factory=list)
    is_buyer: bool = False
    is_provider: bool = False

    @property
    def count(self) -> int:
        return len(self.buying) + len(self.selling) + len(self.certifications)


def todo_for(*, user: User) -> ToDo:
    """Buyers: quotes to compare, documents and changes to sign, milestones to pay or accept.
    Providers: requests to answer, documents and changes to sign, milestones to deliver,
    certifications to renew. Graduates: their applications whose status moved lately."""
    memberships = Membership.objects.filter(user=user, role__in=ACTING_ROLES).select_related(
        "organisation"
    )
    kinds = {m.organisation_id: m.organisation.kind for m in memberships}
    buying_kinds = (OrganisationKind.BUYER, OrganisationKind.PLATFORM)
    buyers = {pk for pk, kind in kinds.items() if kind in buying_kinds}
    providers = {pk for pk, kind in kinds.items() if kind in PROVIDER_KINDS}
    todo = ToDo(is_buyer=bool(buyers), is_provider=bool(providers))
    rfqs = (
        rfqs_for_user(user=user)
        .filter(status__in=(RfqStatus.DRAFT, RfqStatus.OPEN))
        .prefetch_related("quotes", "invitations")
        .order_by("deadline", "-created_at")
    )
    for rfq in rfqs:
        mine = buyers if rfq.buyer_id in buyers else providers
        action = rfq_next_action(rfq=rfq, organisation_ids=mine)
        if action is not None and action.is_yours:
            target = todo.buying if rfq.buyer_id in buyers else todo.selling
            target.append(Item(rfq.title, action))
    for contract, action in contracts_with_next_action(user=user):
        if action is not None and action.is_yours:
            target = todo.selling if contract.provider_id in providers else todo.buying
            target.append(Item(contract.rfq.title, action))
    if providers:
        todo.certifications = certifications_expiring(organisation_ids=providers)
    since = timezone.now() - timedelta(days=RECENT_DAYS)
    todo.applications = list(
        applications_of(candidate=user).filter(updated_at__gte=since).order_by("-updated_at")
    )
    return todo
