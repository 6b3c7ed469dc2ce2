"""A contract's documents on its page: the framework agreement and the statement of work, each a
PDF to download with the SHA-256 of what it says; who signed them; and the signing form for a
party still to sign."""

from django import template

from marketplace.agreements import selectors
from marketplace.agreements.models import DocumentKind
from marketplace.contracting.selectors import acting_side

register = template.Library()


@register.inclusion_tag("agreements/includes/contract_documents.html", takes_context=True)
def contract_documents(context, contract):
    issued: dict = {}
    for document in selectors.contract_documents(contract=contract):  # the latest version first
        issued.setdefault(document.kind, document)
    user = context["request"].user
    signatures = selectors.contract_signatures(contract=contract)
    side = acting_side(contract=contract, user=user)
    side_id = getattr(contract, f"{side}_id") if side else None
    signed_sow = {s.organisation_id for s in signatures if s.document.kind == DocumentKind.SOW}
    return {
        "contract": contract,
        "documents": [(kind, label, issued.get(kind)) for kind, label in DocumentKind.choices],
        "signatures": signatures,
        "may_sign": contract.status == "pending_signature"
        and side_id is not None
        and side_id not in signed_sow,
        "csrf_token": context.get("csrf_token"),
    }
