"""Reads of the compliance rules, shaped for the screening."""

import hashlib

from marketplace.catalog.models import Zone
from marketplace.compliance.models import Rule, TradeAgreement
from marketplace.compliance.screening import RuleData


def rules_for_screening() -> list[RuleData]:
    """Every rule with its zones and superseded rules (three queries)."""
    rules = Rule.objects.prefetch_related("zones", "supersedes")
    return [
        RuleData(
            slug=rule.slug,
            title_en=rule.title_en,
            title_zh=rule.title_zh,
            direction=rule.direction,
            scope=rule.scope,
            restriction=rule.restriction,
            flow=rule.flow,
            conditions=rule.conditions,
            action_en=rule.action_en,
            action_zh=rule.action_zh,
            authority=rule.authority,
            authority_zh=rule.authority_zh,
            source=rule.source,
            source_zh=rule.source_zh,
            confidence=rule.confidence,
            zones=frozenset(zone.code for zone in rule.zones.all()),
            supersedes=frozenset(other.slug for other in rule.supersedes.all()),
            effective_from=rule.effective_from,
            effective_until=rule.effective_until,
            version=rule_version(rule),
        )
        for rule in rules
    ]


def rule_version(rule: Rule) -> str:
    """A short name of this edit of the rule: its slug and when it was last changed."""
    return hashlib.sha256(f"{rule.slug}:{rule.updated_at.isoformat()}".encode()).hexdigest()[:12]


def zone_tiers() -> dict[str, str]:
    return dict(Zone.objects.values_list("code", "tier"))


def agreement_members() -> dict[str, frozenset[str]]:
    return {a.code: frozenset(a.members) for a in TradeAgreement.objects.all()}


def rules_version() -> str:
    """Changes whenever a rule or agreement is added, edited or removed."""
    parts = [
        f"{slug}:{updated.isoformat()}"
        for slug, updated in Rule.objects.order_by("slug").values_list("slug", "updated_at")
    ]
    parts += [
        f"{code}:{','.join(sorted(members))}"
        for code, members in TradeAgreement.objects.order_by("code").values_list("code", "members")
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


def _condition_facts(conditions: dict) -> tuple[set[str], list[str] | None]:
    """The facts a rule's conditions read (``any`` groups included), and the capabilities it is
    limited to (its ``capability_codes: {any_of: [...]}``), or None when it is not limited."""
    facts: set[str] = set()
    capabilities = None
    for name, value in conditions.items():
        if name == "any":
            for group in value:
                inner, limited = _condition_facts(group)
                facts |= inner
                capabilities = capabilities if limited is None else limited
        elif name == "capability_codes":
            capabilities = list(value.get("any_of", [])) if isinstance(value, dict) else None
        else:
            facts.add(name)
    return facts, capabilities


def fact_capabilities() -> dict[str, tuple[str, ...] | None]:
    """Which capabilities make each deal fact matter, read from the rules: None for a fact some
    rule reads whatever the capabilities, else the capability codes (and their children) of the
    rules that read it. A form asks a question only where its fact can matter."""
    answer: dict[str, set[str] | None] = {}
    for conditions in Rule.objects.values_list("conditions", flat=True):
        facts, capabilities = _condition_facts(conditions or {})
        for fact in facts:
            if capabilities is None or answer.get(fact, set()) is None:
                answer[fact] = None
            else:
                answer[fact] = answer.get(fact, set()) | set(capabilities)
    return {fact: None if codes is None else tuple(sorted(codes)) for fact, codes in answer.items()}
