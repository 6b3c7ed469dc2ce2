"""Change orders: either party of an active contract proposes a change to its scope, to the
milestones still to fall due (and so its price) or to the deal's facts; the changed deal is
screened again as proposed, and the change is in force once both parties have signed it (the
signatures themselves are the agreements app's: it calls ``change_order_sign_record``).

One change order waits for signatures at a time per contract (a unique constraint, and the
contract's row lock to number them); applying re-screens with the rules of the day."""

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace import events
from marketplace.accounts.models import User
from marketplace.columns import column_error
from marketplace.compliance.selectors import rules_version
from marketplace.compliance.services import screen_deal
from marketplace.contracting.audit import audit
from marketplace.contracting.models import (
    CatalogueItem,
    ChangeOrder,
    ChangeOrderStatus,
    Contract,
    ContractStatus,
    Milestone,
    MilestoneStatus,
    Screening,
)
from marketplace.contracting.services.contracts import contract_side
from marketplace.contracting.services.notifications import notify
from marketplace.contracting.services.quotes import MilestoneInput
from marketplace.contracting.services.screening import (
    CHANGEABLE_FACTS,
    blocked_message,
    blocking_findings,
    checklist_extend,
    checklist_missing,
    contract_fact_values,
    contract_facts,
    deal_screen,
)
from marketplace.money import SETTLEMENT_CURRENCY, round_amount
from marketplace.transitions import DealBlocked, InvalidTransition

MAX_MILESTONES = 50
# Payment statuses (payments.models.PaymentStatus) of a payment that may still take money.
PAYMENTS_UNDER_WAY = ("created", "processing", "failed")
COUNT_FACTS = ("personal_info_subjects_ytd", "sensitive_personal_info_subjects_ytd")


def contract_scope(contract: Contract) -> str:
    """The contract's scope of work now: as accepted, or as its last applied change restated it."""
    applied = (
        contract.change_orders.filter(status=ChangeOrderStatus.APPLIED).order_by("-number").first()
    )
    return applied.after["scope"] if applied else contract.snapshot["rfq"]["scope"]


def _milestone_facts(milestone: Milestone) -> dict:
    return {
        "id": milestone.pk,
        "position": milestone.position,
        "name": milestone.name,
        "amount": str(milestone.amount),
        "due_date": milestone.due_date.isoformat() if milestone.due_date else None,
        "trigger": milestone.trigger,
        "status": milestone.status,
    }


def _new_milestones(milestones: list[MilestoneInput], errors: dict) -> list[dict]:
    """The milestones a change puts in place of those not yet due: each named, with a CNY amount
    (two decimals at most) and a due date (today or later) or a trigger."""
    if len(milestones) > MAX_MILESTONES:
        errors["milestones"] = _("At most %d milestones.") % MAX_MILESTONES
        return []
    planned = []
    today = timezone.localdate()
    for index, milestone in enumerate(milestones):
        key = f"milestones[{index}]"
        name = (milestone.name or "").strip()
        if not name:
            errors[f"{key}.name"] = _("Name the milestone.")
        try:
            amount = Decimal(str(milestone.amount)) if milestone.amount is not None else None
        except InvalidOperation:
            amount = None
        if amount is None or not amount.is_finite():
            errors[f"{key}.amount"] = _("Give the milestone's amount in CNY.")
        elif amount <= 0:
            errors[f"{key}.amount"] = _("A milestone must be more than zero.")
        elif amount != round_amount(amount, SETTLEMENT_CURRENCY):
            errors[f"{key}.amount"] = _("A CNY amount has at most two decimals (fen).")
        elif unfit := column_error(Milestone, "amount", amount):
            errors[f"{key}.amount"] = unfit
        if milestone.due_date is None and not (milestone.trigger or "").strip():
            errors[f"{key}.due_date"] = _("Give a due date or a trigger.")
        elif milestone.due_date is not None and milestone.due_date < today:
            errors[f"{key}.due_date"] = _("A new milestone cannot fall due in the past.")
        planned.append(
            {
                "name": name[:200],
                "amount": str(amount) if amount is not None and amount.is_finite() else None,
                "due_date": milestone.due_date.isoformat() if milestone.due_date else None,
                "trigger": (milestone.trigger or "").strip()[:200],
            }
        )
    return planned


def _fact_values(current: dict, changes: Mapping, errors: dict) -> dict:
    """The deal's facts with ``changes`` made: yes/no facts True or False, counts whole numbers,
    the catalogue entry one of its choices. A fact stated already cannot be made unknown again."""
    values = dict(current)
    for name, value in changes.items():
        if name not in CHANGEABLE_FACTS:
            errors[f"facts.{name}"] = _("A change order cannot change this.")
        elif value is None or value == "":
            if current.get(name) not in (None, ""):
                errors[f"facts.{name}"] = _("A fact once stated cannot be made unknown again.")
        elif name in COUNT_FACTS:
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                errors[f"facts.{name}"] = _("Give a whole number, 0 or more.")
            else:
                values[name] = value
        elif name == "technology_catalogue_item":
            if value not in CatalogueItem.values:
                errors[f"facts.{name}"] = _("Choose one of the catalogue entries.")
            else:
                values[name] = value
        elif not isinstance(value, bool):
            errors[f"facts.{name}"] = _("Answer yes or no.")
        else:
            values[name] = value
    return values


def _screening(contract: Contract, fact_values: dict, amounts: list[Decimal]) -> dict:
    """The changed deal screened with today's rules (refused when a finding blocks it), with the
    approvals and filings it needs that the contract's checklist does not hold yet."""
    facts = contract_facts(contract, fact_values=fact_values, amounts=amounts)
    result = screen_deal(facts=facts)
    findings = [finding.as_dict() for finding in result.findings]
    if result.is_blocked:
        stored = Screening(findings=findings)
        raise DealBlocked(
            blocked_message(screening=stored),
            details={"findings": blocking_findings(screening=stored)},
        )
    return {
        "outcome": result.outcome,
        "findings": findings,
        "rules_version": rules_version(),
        "screened_at": timezone.now().isoformat(),
        "new_checklist": [
            finding["rule"] for finding in checklist_missing(contract=contract, findings=findings)
        ],
    }


def _locked(contract: Contract) -> Contract:
    return (
        Contract.objects.select_for_update(of=("self",), no_key=True)
        .select_related("buyer", "provider", "rfq", "quote__provider__zone", "revision")
        .get(pk=contract.pk)
    )


def _open_check(contract: Contract) -> None:
    if contract.status == ContractStatus.COMPLETED:
        raise InvalidTransition(_("This contract is completed: a change order cannot amend it."))
    if contract.status != ContractStatus.ACTIVE:
        raise InvalidTransition(_("Only an active contract can be changed."))


@transaction.atomic
def change_order_propose(
    *,
    contract: Contract,
    by: User,
    reason: str,
    scope: str | None = None,
    milestones: list[MilestoneInput] | None = None,
    facts: Mapping | None = None,
) -> ChangeOrder:
    """Propose a change to an active contract: a new scope, new milestones in place of those not
    yet due (the total follows), restated deal facts. Screened at once (a blocking finding
    refuses it); nothing changes until both parties sign it. Refused, nothing written: a closed
    contract or one with a change already waiting (409), a change that changes nothing (400)."""
    contract = _locked(contract)
    side = contract_side(contract=contract, user=by)
    _open_check(contract)
    if contract.change_orders.filter(status=ChangeOrderStatus.PROPOSED).exists():
        raise InvalidTransition(
            _("A change to this contract is waiting for signatures: sign, decline or withdraw it.")
        )
    errors: dict[str, str] = {}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _("Say what changes and why.")
    current_scope = contract_scope(contract)
    new_scope = current_scope if scope is None else scope.strip()
    if not new_scope:
        errors["scope"] = _("A contract needs a scope of work.")
    existing = list(contract.milestones.order_by("position"))
    kept = [m for m in existing if m.status != MilestoneStatus.PLANNED]
    replaced = [m for m in existing if m.status == MilestoneStatus.PLANNED]
    new = None if milestones is None else _new_milestones(milestones, errors)
    if new is not None and not new and not kept and "milestones" not in errors:
        errors["milestones"] = _("A contract keeps at least one milestone.")
    current_facts = contract_fact_values(contract)
    fact_values = _fact_values(current_facts, facts or {}, errors)
    if errors:
        raise ValidationError(errors)
    kept_total = sum((m.amount for m in kept), Decimal(0))
    if new is None:
        after_milestones = [_milestone_facts(m) for m in existing]
        total_after = contract.total_amount
    else:
        after_milestones = [_milestone_facts(m) for m in kept] + [
            {**m, "position": index, "status": MilestoneStatus.PLANNED.value}
            for index, m in enumerate(new, start=max((m.position for m in kept), default=0) + 1)
        ]
        total_after = kept_total + sum(Decimal(m["amount"]) for m in new)
    if (unfit := column_error(Contract, "total_amount", total_after)) is not None:
        raise ValidationError({"milestones": unfit})
    if new_scope == current_scope and new is None and fact_values == current_facts:
        raise ValidationError(
            {"changes": _("Change the scope, the milestones or a deal fact: this changes nothing.")}
        )
    screening = _screening(contract, fact_values, [Decimal(m["amount"]) for m in after_milestones])
    number = (contract.change_orders.order_by("-number").values_list("number", flat=True).first()
              or 0) + 1  # fmt: skip
    try:
        with transaction.atomic():
            change_order = ChangeOrder.objects.create(
                contract=contract,
                number=number,
                proposed_by=by,
                proposed_side=side,
                reason=reason,
                before={
                    "scope": current_scope,
                    "total": str(contract.total_amount),
                    "milestones": [_milestone_facts(m) for m in existing],
                    "facts": current_facts,
                },
                after={
                    "scope": new_scope,
                    "total": str(total_after),
                    "milestones": after_milestones,
                    "facts": fact_values,
                    "replaces": None if new is None else [m.pk for m in replaced],
                },
                total_before=contract.total_amount,
                total_after=total_after,
                screening=screening,
            )
    except IntegrityError as error:  # the same proposal sent twice at once
        raise InvalidTransition(
            _("A change to this contract is waiting for signatures: sign, decline or withdraw it.")
        ) from error
    audit(change_order, action="propose", actor=by, to_status=change_order.status, reason=reason)
    notify("change_order_proposed", change_order_id=change_order.pk)
    events.publish(events.CHANGE_ORDER_PROPOSED, change_order_id=change_order.pk)
    return change_order


def _locked_change(change_order: ChangeOrder) -> ChangeOrder:
    return ChangeOrder.objects.select_for_update(no_key=True).get(pk=change_order.pk)


def _waiting_check(change_order: ChangeOrder) -> None:
    if change_order.status != ChangeOrderStatus.PROPOSED:
        raise InvalidTransition(
            _("This change order is %s: nothing more can be done with it.")
            % change_order.get_status_display().lower()
        )


@transaction.atomic
def change_order_sign_record(*, change_order: ChangeOrder, by: User) -> ChangeOrder:
    """Record that ``by``'s organisation signed a proposed change; with both signatures it is
    applied to the contract (see ``_apply``). Refused: a second signature by the same party, a
    change no longer waiting, a contract no longer active (409)."""
    contract = _locked(change_order.contract)
    change_order = _locked_change(change_order)
    side = contract_side(contract=contract, user=by)
    _waiting_check(change_order)
    _open_check(contract)
    if getattr(change_order, f"{side}_signed_at") is not None:
        raise InvalidTransition(_("Your organisation has already signed this change order."))
    setattr(change_order, f"{side}_signed_by", by)
    setattr(change_order, f"{side}_signed_at", timezone.now())
    change_order.save(update_fields=[f"{side}_signed_by", f"{side}_signed_at"])
    audit(change_order, action="sign", actor=by, reason=side)
    if change_order.buyer_signed_at and change_order.provider_signed_at:
        _apply(change_order, contract, by)
    return change_order


def _apply(change_order: ChangeOrder, contract: Contract, by: User) -> None:
    """Put a change signed by both in force: the milestones not yet due replaced, the total,
    the checklist's new approvals and filings, and the deal screened again on its new facts with
    today's rules (a blocking finding refuses it)."""
    after = change_order.after
    replaces = after.get("replaces")
    if replaces is not None:
        planned = list(
            contract.milestones.select_for_update(no_key=True).filter(
                status=MilestoneStatus.PLANNED
            )
        )
        if sorted(m.pk for m in planned) != sorted(replaces):
            raise InvalidTransition(
                _(
                    "A milestone this change replaces has fallen due since it was proposed: "
                    "withdraw it and propose it again."
                )
            )
        Milestone.objects.filter(pk__in=replaces).delete()
        Milestone.objects.bulk_create(
            Milestone(
                contract=contract,
                position=m["position"],
                name=m["name"],
                amount=Decimal(m["amount"]),
                due_date=date.fromisoformat(m["due_date"]) if m["due_date"] else None,
                trigger=m["trigger"],
            )
            for m in after["milestones"]
            if m["status"] == MilestoneStatus.PLANNED and m.get("id") is None
        )
    contract.total_amount = change_order.total_after
    contract.save(update_fields=["total_amount"])
    screening = deal_screen(
        rfq=contract.rfq,
        quote=contract.quote,
        facts=contract_facts(contract, fact_values=after["facts"]),
    )
    if screening.is_blocked:
        raise DealBlocked(
            blocked_message(screening=screening),
            details={"findings": blocking_findings(screening=screening)},
        )
    new_steps = checklist_missing(contract=contract, findings=screening.findings)
    # A payment under way was cleared against the checklist as it stood: a new approval would
    # leave its money taken but unrecordable. Such a change waits until the payment is through.
    if new_steps and contract.milestones.filter(payments__status__in=PAYMENTS_UNDER_WAY).exists():
        raise InvalidTransition(
            _(
                "A payment of this contract is under way and this change adds an approval or "
                "filing before payment: sign it once the payment is through."
            )
        )
    checklist_extend(contract=contract, findings=screening.findings)
    change_order.status = ChangeOrderStatus.APPLIED
    change_order.decided_at = timezone.now()
    change_order.save(update_fields=["status", "decided_at"])
    audit(change_order, action="apply", actor=by, from_status="proposed", to_status="applied")
    audit(contract, action="change_order", actor=by, reason=change_order.reference)
    notify("change_order_decided", change_order_id=change_order.pk)


@transaction.atomic
def change_order_withdraw(*, change_order: ChangeOrder, by: User, reason: str = "") -> ChangeOrder:
    """The proposing party withdraws a change still waiting; the other party declines it (saying
    why). Nothing of the contract changes."""
    contract = _locked(change_order.contract)
    change_order = _locked_change(change_order)
    side = contract_side(contract=contract, user=by)
    _waiting_check(change_order)
    reason = (reason or "").strip()
    declining = side != change_order.proposed_side
    if declining and not reason:
        raise ValidationError({"reason": _("Say why you decline the change.")})
    to = ChangeOrderStatus.DECLINED if declining else ChangeOrderStatus.WITHDRAWN
    change_order.status, change_order.closed_reason = to, reason
    change_order.decided_at = timezone.now()
    change_order.save(update_fields=["status", "closed_reason", "decided_at"])
    audit(change_order, action="decline" if declining else "withdraw", actor=by,
          from_status="proposed", to_status=to, reason=reason)  # fmt: skip
    notify("change_order_decided", change_order_id=change_order.pk)
    return change_order
