"""A contract's invoices, receipts and credit notes on its page."""

from django import template

from marketplace.billing import selectors

register = template.Library()


@register.inclusion_tag("billing/includes/contract_billing.html")
def contract_billing(contract):
    return {"contract": contract, "documents": selectors.contract_billing(contract=contract)}
