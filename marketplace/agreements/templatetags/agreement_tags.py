"""A contract's documents on its page: the framework agreement and the statement of work, each a
PDF to download with the SHA-256 of what it says; who signed them; and the signing form for a
party still to sign."""

from django import template

from marketplace.agreements import selectors
from marketplace.agreements.models import DocumentKind
from marketplace.contracting.models import ChangeOrderStatus, ContractStatus
from marketplace.contracting.selectors import acting_side, change_facts, change_new_approvals

register = template.Library()


@register.inclusion_tag("agreements/includes/contract_documents.html", takes_context=True)
def contract_documents(context, contract):
    issued: dict = {}
    for document in selectors.contract_documents(contract=contract):  # the latest version first
        issued.setdefault(document.kind, document)
    user = context["request"].user
    signatures = [  # a change order's are listed with the change
        signature
        for signature in selectors.contract_signatures(contract=contract)
        if signature.document.kind != DocumentKind.CHANGE_ORDER
    ]
    side = acting_side(contract=contract, user=user)
    side_id = getattr(contract, f"{side}_id") if side else None
    signed_sow = {s.organisation_id for s in signatures if s.document.kind == DocumentKind.SOW}
    return {
        "contract": contract,
        "documents": [
            (kind, label, issued.get(kind))
            for kind, label in DocumentKind.choices
            if kind != DocumentKind.CHANGE_ORDER  # listed with the changes
        ],
        "signatures": signatures,
        "may_sign": contract.status == "pending_signature"
        and side_id is not None
        and side_id not in signed_sow,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("agreements/includes/contract_changes.html", takes_context=True)
def contract_changes(context, contract):
    """The contract's change orders, newest first, each with its document, signatures and what
    the reader's party may do with it; the link to propose one."""
    side = acting_side(contract=contract, user=context["request"].user)
    changes = selectors.contract_changes(contract=contract)
    waiting = any(change.status == ChangeOrderStatus.PROPOSED for change in changes)
    rows = []
    for change in changes:
        signed_sides = {
            side_name
            for side_name in ("buyer", "provider")
            if getattr(change, f"{side_name}_signed_at") is not None
        }
        rows.append(
            {
                "change": change,
                "document": getattr(change, "document", None),
                "facts": change_facts(change),
                "new_approvals": change_new_approvals(change),
                "may_sign": change.status == ChangeOrderStatus.PROPOSED
                and side is not None
                and side not in signed_sides,
                "may_close": change.status == ChangeOrderStatus.PROPOSED and side is not None,
                "is_proposer": side == change.proposed_side,
            }
        )  # fmt: skip
    return {
        "contract": contract,
        "rows": rows,
        "may_propose": side is not None
        and contract.status == ContractStatus.ACTIVE
        and not waiting,
        "csrf_token": context.get("csrf_token"),
    }
