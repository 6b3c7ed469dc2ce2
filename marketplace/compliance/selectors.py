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
