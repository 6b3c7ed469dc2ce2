"""Reads of the agreement documents: those of a contract, as its parties see them."""

from django.db.models import Q, QuerySet

from marketplace.agreements.models import AgreementDocument, DocumentKind, Signature
from marketplace.contracting.models import ChangeOrder, Contract


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


def contract_changes(*, contract: Contract) -> list[ChangeOrder]:
    """The contract's change orders, newest first, with their documents and signers."""
    return list(
        contract.change_orders.select_related(
            "document", "proposed_by", "buyer_signed_by", "provider_signed_by"
        )
        .prefetch_related("document__signatures__organisation", "document__signatures__signer")
        .order_by("-number")
    )
