"""Writes to contracts: signatures, completion, termination, milestones and the checklist."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace import events
from marketplace.accounts.models import User
from marketplace.accounts.permissions import require_member
from marketplace.contracting.audit import audit, transition
from marketplace.contracting.models import (
    ChecklistItem,
    Contract,
    ContractStatus,
    Milestone,
    MilestoneStatus,
    Screening,
)
from marketplace.contracting.selectors import acting_side
from marketplace.contracting.services.notifications import notify
from marketplace.contracting.services.screening import (
    blocked_message,
    contract_facts,
    deal_screen,
)
from marketplace.transitions import InvalidTransition, refusal

# The contract's and its milestones' moves: action -> (new status, the statuses it may leave).
MOVES = {
    "activate": (ContractStatus.ACTIVE, (ContractStatus.PENDING_SIGNATURE,)),
    "complete": (ContractStatus.COMPLETED, (ContractStatus.ACTIVE,)),
    "terminate": (
        ContractStatus.TERMINATED,
        (ContractStatus.PENDING_SIGNATURE, ContractStatus.ACTIVE),
    ),
    "mark_due": (MilestoneStatus.DUE, (MilestoneStatus.PLANNED,)),
    "mark_paid": (MilestoneStatus.PAID, (MilestoneStatus.DUE,)),
    "accept": (MilestoneStatus.ACCEPTED, (MilestoneStatus.PAID,)),
}


def _move(subject: Contract | Milestone, action: str, *, by: User | None, reason: str = "") -> None:
    """Move a locked contract or milestone by ``action`` of MOVES; save and audit it."""
    to, allowed_from = MOVES[action]
    transition(subject, to=to, allowed_from=allowed_from, action=action, actor=by, reason=reason)


def _locked(contract: Contract) -> Contract:
    return (
        Contract.objects.select_for_update(of=("self",), no_key=True)
        .select_related("buyer", "provider")
        .get(pk=contract.pk)
    )


def contract_side(*, contract: Contract, user: User) -> str:
    """Which party ``user`` acts for: "buyer" or "provider" (owners and editors only)."""
    side = acting_side(contract=contract, user=user)
    if side is None:
        raise PermissionDenied(_("Only the two parties' owners and editors can act on a contract."))
    return side


@transaction.atomic
def contract_sign(*, contract: Contract, by: User) -> Contract:
    """Record one party's acceptance; with both, the contract is active."""
    contract = _locked(contract)
    side = contract_side(contract=contract, user=by)
    if contract.status != ContractStatus.PENDING_SIGNATURE:
        raise InvalidTransition(_("This contract is no longer waiting for signatures."))
    if getattr(contract, f"{side}_signed_at") is not None:
        raise InvalidTransition(_("Your organisation has already signed this contract."))
    setattr(contract, f"{side}_signed_by", by)
    setattr(contract, f"{side}_signed_at", timezone.now())
    contract.save(update_fields=[f"{side}_signed_by", f"{side}_signed_at"])
    audit(contract, action="sign", actor=by, reason=side)
    if contract.buyer_signed_at and contract.provider_signed_at:
        _move(contract, "activate", by=by)
    return contract


def contract_work_is_accepted(*, contract: Contract) -> bool:
    """Whether the buyer has accepted the work of every milestone (what completing waits for)."""
    return not contract.milestones.exclude(status=MilestoneStatus.ACCEPTED).exists()


@transaction.atomic
def contract_complete(*, contract: Contract, by: User) -> Contract:
    """The buyer closes an active contract once every milestone is accepted."""
    contract = _locked(contract)
    require_member(user=by, organisation=contract.buyer)
    if not contract_work_is_accepted(contract=contract):
        raise InvalidTransition(_("Every milestone must be accepted first."))
    _move(contract, "complete", by=by)
    return contract


@transaction.atomic
def contract_terminate(*, contract: Contract, by: User, reason: str) -> Contract:
    """Either party ends a contract before completion, saying why."""
    contract = _locked(contract)
    contract_side(contract=contract, user=by)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the contract is terminated.")})
    _move(contract, "terminate", by=by, reason=reason.strip())
    return contract


def contract_lock(*, contract_id: int) -> None:
    """Lock the contract's row until the transaction ends: what every writer to a contract, its
    change orders or its milestones takes first, so none waits on another in a circle. A "no
    key" lock: rows that refer to the contract (an invoice, a signature) may still be written."""
    locked = Contract.objects.select_for_update(of=("self",), no_key=True)
    list(locked.filter(pk=contract_id).values("pk"))


def _locked_milestone(milestone: Milestone) -> Milestone:
    """The milestone locked after its contract (the order every writer takes: contract, then
    change order, then milestones), so no two writers wait on each other."""
    contract_lock(contract_id=milestone.contract_id)
    return (
        Milestone.objects.select_for_update(of=("self",), no_key=True)
        .select_related("contract__buyer", "contract__provider")
        .get(pk=milestone.pk)
    )


def contract_is_cleared_for_payment(*, contract: Contract) -> bool:
    """Money moves only on an active contract whose approvals and filings are all done."""
    return (
        contract.status == ContractStatus.ACTIVE
        and not contract.checklist.filter(completed_on__isnull=True).exists()
    )


def contract_payment_screen(*, contract: Contract, by: User | None) -> Screening:
    """Screen the deal again as money is about to move (rules may have changed since the
    contract was made, a change order may have restated its facts) and store it; a blocking
    finding is written to the contract's audit trail, and the contract page shows it to both."""
    screening = deal_screen(rfq=contract.rfq, quote=contract.quote, facts=contract_facts(contract))
    if screening.is_blocked:
        audit(contract, action="payment_blocked", actor=by,
              reason=blocked_message(screening=screening)[:2000])  # fmt: skip
    return screening


def contract_payment_block(*, contract: Contract) -> Screening | None:
    """The stored screening of the contract's deal, when it stops payments (else None)."""
    return Screening.objects.filter(quote_id=contract.quote_id, is_blocked=True).first()


@transaction.atomic
def milestone_mark_due(*, milestone: Milestone, by: User | None) -> Milestone:
    """The provider calls a milestone due (or the due-date sweep does, ``by`` None)."""
    milestone = _locked_milestone(milestone)
    if by is not None:
        require_member(user=by, organisation=milestone.contract.provider)
    if milestone.contract.status != ContractStatus.ACTIVE:
        raise InvalidTransition(_("Milestones fall due only on an active contract."))
    _move(milestone, "mark_due", by=by)
    notify("milestone_due", milestone_id=milestone.pk)
    events.publish(events.MILESTONE_DUE, milestone_id=milestone.pk)
    return milestone


@transaction.atomic
def milestone_mark_paid(
    *, milestone: Milestone, reference: str, by: User | None = None
) -> Milestone:
    """Payment of a due milestone arrived (called by payments with the payment's reference)."""
    milestone = _locked_milestone(milestone)
    if milestone.status != MilestoneStatus.DUE:
        raise refusal(milestone, action="mark_paid", allowed_from=MOVES["mark_paid"][1])
    if not contract_is_cleared_for_payment(contract=milestone.contract):
        raise InvalidTransition(_("The contract's approvals and filings are not all done yet."))
    _move(milestone, "mark_paid", by=by, reason=reference)
    notify("milestone_paid", milestone_id=milestone.pk)
    events.publish(events.MILESTONE_PAID, milestone_id=milestone.pk, reference=reference)
    return milestone


@transaction.atomic
def milestone_accept(*, milestone: Milestone, by: User) -> Milestone:
    """The buyer accepts the work of a paid milestone."""
    milestone = _locked_milestone(milestone)
    require_member(user=by, organisation=milestone.contract.buyer)
    _move(milestone, "accept", by=by)
    return milestone


def milestones_due_mark(*, today: date | None = None) -> int:
    """Planned milestones of active contracts whose due date has come become due."""
    today = today or timezone.localdate()
    marked = 0
    for milestone in Milestone.objects.filter(
        status=MilestoneStatus.PLANNED,
        due_date__lte=today,
        contract__status=ContractStatus.ACTIVE,
    ):
        try:
            milestone_mark_due(milestone=milestone, by=None)
        except (Milestone.DoesNotExist, InvalidTransition):
            continue  # replaced by a change order, or moved, since the list was read
        marked += 1
    return marked


@transaction.atomic
def checklist_item_complete(
    *, item: ChecklistItem, by: User, reference: str, completed_on: date
) -> ChecklistItem:
    """A party records the approval or filing a finding asked for: its reference and date."""
    contract_lock(contract_id=item.contract_id)  # contract first, as every writer
    item = (
        ChecklistItem.objects.select_for_update(of=("self",), no_key=True)
        .select_related("contract")
        .get(pk=item.pk)
    )
    contract_side(contract=item.contract, user=by)
    errors = {}
    if not (reference or "").strip():
        errors["reference"] = _("Give the approval's or filing's reference number.")
    if completed_on > timezone.localdate():
        errors["completed_on"] = _("The date cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    if item.contract.status not in (ContractStatus.PENDING_SIGNATURE, ContractStatus.ACTIVE):
        raise InvalidTransition(_("This contract is closed."))
    item.reference, item.completed_on, item.completed_by = reference.strip(), completed_on, by
    item.save(update_fields=["reference", "completed_on", "completed_by"])
    audit(item.contract, action="checklist", actor=by, reason=f"{item.rule}: {item.reference}")
    return item
