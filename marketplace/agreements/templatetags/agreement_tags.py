"""A contract's documents on its page: the framework agreement and the statement of work, each a
PDF to download with the SHA-256 of what it says."""

from django import template

from marketplace.agreements import selectors
from marketplace.agreements.models import DocumentKind

register = template.Library()


@register.inclusion_tag("agreements/includes/contract_documents.html")
def contract_documents(contract):
    issued: dict = {}
    for document in selectors.contract_documents(contract=contract):  # the latest version first
        issued.setdefault(document.kind, document)
    return {
        "contract": contract,
        "documents": [(kind, label, issued.get(kind)) for kind, label in DocumentKind.choices],
    }
