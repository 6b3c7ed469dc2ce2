from decimal import Decimal

from django import template

from cms.models import Localised
from marketplace.catalog.cities import city_name_zh
from marketplace.catalog.models import ISSUER_NAMES, LANGUAGE_NAMES, Standard
from marketplace.language import reads_chinese

register = template.Library()


@register.filter
def cny(amount: Decimal | str | None) -> str:
    """A CNY amount for display: "CNY 380,000" (decimals only when there are some)."""
    if amount is None or amount == "":
        return ""
    amount = Decimal(amount)
    # Grouped the same way in both languages: buyers compare figures across pages.
    if amount == amount.to_integral_value():
        return f"CNY {amount:,.0f}"
    return f"CNY {amount:,.2f}"


@register.simple_tag
def zone_name(zone) -> str:
    """The zone's name in the reader's language."""
    if zone is None:
        return ""
    return zone.name_zh if reads_chinese() else zone.name


@register.filter
def city_name(city: str) -> str:
    """A city's name in the reader's language ("Suzhou", "苏州")."""
    return city_name_zh(city) if reads_chinese() else city


@register.filter
def standard_name(code: str) -> str:
    """A standard's display name ("OECD GLP"), never its code."""
    return str(Standard(code).label) if code in Standard.values else code


@register.filter
def issuer_name(issuer: str) -> str:
    """A certification's issuer by name in the reader's language, when it is one we know."""
    return str(ISSUER_NAMES.get(issuer.strip(), issuer)) if issuer else ""


@register.filter
def language_names(codes) -> str:
    """Working languages by name in the reader's language ("英语、中文"; "English, Chinese")."""
    names = [str(LANGUAGE_NAMES.get(code, code)) for code in codes or ()]
    return ("、" if reads_chinese() else ", ").join(names)


@register.simple_tag
def node_label(node) -> str:
    """A taxonomy node's label in the reader's language."""
    return node.label_zh if reads_chinese() else node.label_en


@register.inclusion_tag("cms/includes/localised.html")
def localised(value: Localised, tag: str = "span", css_class: str = ""):
    """Text in the reader's language, or the other language marked with its ``lang`` and a label."""
    return {"value": value, "tag": tag, "css_class": css_class}
