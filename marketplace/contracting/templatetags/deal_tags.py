from decimal import Decimal

from django import template
from django.utils.translation import gettext_lazy as _

from marketplace.language import reads_chinese
from marketplace.money import fx_source_name, round_amount

register = template.Library()

SEVERITY_LABELS = {
    "blocked": _("Blocked"),
    "needs_approval": _("Needs approval"),
    "needs_filing": _("Needs filing"),
    "info": _("For information"),
}
OUTCOME_LABELS = {
    **SEVERITY_LABELS,
    "to_confirm": _("Facts to confirm"),
    "clear": _("Nothing to obtain"),
}
STATUS_LABELS = {"applies": _("Applies"), "to_confirm": _("To confirm")}


@register.filter
def localised(mapping: dict, field: str) -> str:
    """``mapping[field + "_zh"]`` for Chinese readers when there is one, else the English."""
    if reads_chinese() and mapping.get(f"{field}_zh"):
        return mapping[f"{field}_zh"]
    return mapping.get(f"{field}_en", "")


@register.filter
def in_language(mapping, field: str) -> str:
    """``field`` of a finding or checklist item in the reader's language: its ``field + "_zh"``
    for a Chinese reader when it has one, else ``field`` (the English)."""
    get = (
        mapping.get
        if isinstance(mapping, dict)
        else lambda name, default="": getattr(mapping, name, default)
    )
    if reads_chinese() and get(f"{field}_zh", ""):
        return get(f"{field}_zh", "")
    return get(field, "")


@register.filter
def severity_label(severity: str) -> str:
    return OUTCOME_LABELS.get(severity, severity)


@register.filter
def finding_status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


@register.filter
def fact_descriptions(names) -> str:
    """Facts named by code, as plain words joined for a sentence: "where ...; whether ..."."""
    from marketplace.compliance.facts import fact_description

    return "; ".join(fact_description(name) for name in names or ())


@register.filter
def yes_no(value) -> str:
    return {True: _("Yes"), False: _("No")}.get(value, _("Not stated"))


@register.filter
def fx_source(source: str) -> str:
    """An exchange rate's source in the reader's language when it is a source we know."""
    return fx_source_name(source or "")


@register.filter
def money(amount, currency: str = "CNY") -> str:
    """``CNY 71,680.00``: the amount rounded to the currency's minor unit, with separators."""
    if amount in (None, ""):
        return "—"
    rounded = round_amount(Decimal(str(amount)), currency or "CNY")
    return f"{currency} {rounded:,}"


@register.filter
def vat_basis_label(value: str) -> str:
    from marketplace.contracting.models import VatBasis

    return dict(VatBasis.choices).get(value, value)
