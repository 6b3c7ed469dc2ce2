"""Reads of the agreement documents: those of a contract, as its parties see them."""

from django.db.models import Q, QuerySet

from marketplace.agreements.models import AgreementDocument, DocumentKind, Signature
from marketplace.contracting.models import Contract


def contract_documents(*, contract: Contract) -> QuerySet[AgreementDocument]:
    """The latest framework agreement of the contract's pair and the contract's own documents,
    MSA first."""
    pair = Q(
        kind=DocumentKind.MSA,
        framework__buyer_id=contract.buyer_id,
        framework__provider_id=contract.provider_id,
    )
    return AgreementDocument.objects.filter(pair | Q(contract=contract)).order_by(
        "kind", "-version"
    )


def contract_signatures(*, contract: Contract) -> list[Signature]:
    """The signatures of the contract's statement of work and of its pair's framework agreement,
    oldest first."""
    return list(
        Signature.objects.filter(document__in=contract_documents(contract=contract))
        .select_related("organisation", "signer", "document")
        .order_by("signed_at")
    )


def signing_side_of(*, contract: Contract, user) -> int | None:
    """The organisation of the contract ``user`` may sign for (an owner or editor), or None."""
    from marketplace.accounts.models import Membership
    from marketplace.accounts.permissions import ACTING_ROLES

    if not user.is_authenticated:
        return None
    mine = set(
        Membership.objects.filter(user=user, role__in=ACTING_ROLES).values_list(
            "organisation_id", flat=True
        )
    )
    for organisation_id in (contract.buyer_id, contract.provider_id):
        if organisation_id in mine:
            return organisation_id
    return None
