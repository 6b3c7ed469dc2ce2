"""Evaluating a deal's facts against the rules: pure functions, no database.

Three-valued: a condition on a fact nobody has stated yet is *unknown*, and a rule whose conditions
are unknown (rather than false) is reported as "to confirm", never dropped. The semantics are those
written at the top of ``data/rules.yaml``.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal, InvalidOperation

COMPARISONS = {
    "lt": lambda value, limit: value < limit,
    "lte": lambda value, limit: value <= limit,
    "gt": lambda value, limit: value > limit,
    "gte": lambda value, limit: value >= limit,
}


@dataclass(frozen=True)
class DealFacts:
    """What a screening reads about a deal; ``None`` means nobody has said yet."""

    direction: str  # outbound | inbound
    provider_zone: str | None = None  # where in China the work is done
    partner_country: str | None = None  # the foreign counterparty's, ISO 3166-1 alpha-2
    capability_codes: tuple[str, ...] | None = None
    foreign_party: bool | None = None
    hgr_materials_leave_china: bool | None = None
    hgr_information_abroad: bool | None = None
    hgr_joint_research: bool | None = None
    registration_trial_at_institution: bool | None = None
    personal_info_subjects_ytd: int | None = None
    sensitive_personal_info_subjects_ytd: int | None = None
    important_data: bool | None = None
    provider_is_ciio: bool | None = None
    technology_transfer: bool | None = None
    technology_catalogue_item: str | None = None  # none | restricted | prohibited
    foreign_staff_on_site: bool | None = None
    single_payment_usd_equivalent: Decimal | None = None
    ai_generated_prescriptions: bool | None = None

    def value(self, name: str):
        if name not in FACT_NAMES:
            raise ConditionError(f"unknown fact {name!r}")
        return getattr(self, name)


FACT_NAMES = frozenset(f.name for f in fields(DealFacts))


class ConditionError(ValueError):
    """A rule's conditions use a fact or an operator the screening does not know."""


@dataclass(frozen=True)
class RuleData:
    """A rule as the screening reads it (from the database or straight from the YAML)."""

    slug: str
    title_en: str
    direction: str
    scope: str  # national | pilot_ftz | hainan_ftp
    restriction: str
    flow: str
    conditions: dict
    action_en: str
    authority: str
    source: str
    confidence: str
    zones: frozenset[str] = frozenset()
    supersedes: frozenset[str] = frozenset()
    title_zh: str = ""
    action_zh: str = ""
    authority_zh: str = ""
    source_zh: str = ""
    effective_from: date | None = None
    effective_until: date | None = None
    version: str = ""  # changes whenever the rule is edited

    def in_force_on(self, day: date) -> bool:
        return (self.effective_from is None or self.effective_from <= day) and (
            self.effective_until is None or day <= self.effective_until
        )


SEVERITY = {
    "prohibited": "blocked",
    "requires_approval": "needs_approval",
    "requires_local_partner": "needs_approval",
    "requires_filing": "needs_filing",
    "informational": "info",
}
SEVERITY_ORDER = ["blocked", "needs_approval", "needs_filing", "info"]


@dataclass(frozen=True)
class Finding:
    """One rule that applies to the deal (``status`` "applies") or may ("to_confirm")."""

    rule: str
    title_en: str
    title_zh: str
    severity: str  # blocked | needs_approval | needs_filing | info
    status: str  # applies | to_confirm
    flow: str
    action_en: str
    action_zh: str
    authority: str
    source: str
    confidence: str
    unknown_facts: tuple[str, ...] = ()
    effective_from: date | None = None
    effective_until: date | None = None
    rule_version: str = ""
    authority_zh: str = ""
    source_zh: str = ""

    def as_dict(self) -> dict:
        return {
            "rule": self.rule,
            "title_en": self.title_en,
            "title_zh": self.title_zh,
            "severity": self.severity,
            "status": self.status,
            "flow": self.flow,
            "action_en": self.action_en,
            "action_zh": self.action_zh,
            "authority": self.authority,
            "authority_zh": self.authority_zh,
            "source": self.source,
            "source_zh": self.source_zh,
            "confidence": self.confidence,
            "unknown_facts": list(self.unknown_facts),
            "effective_from": self.effective_from.isoformat() if self.effective_from else None,
            "effective_until": self.effective_until.isoformat() if self.effective_until else None,
            "rule_version": self.rule_version,
        }


@dataclass(frozen=True)
class Screening:
    findings: tuple[Finding, ...] = field(default_factory=tuple)

    @property
    def outcome(self) -> str:
        """The strictest severity that certainly applies (blocked, needs_approval, needs_filing);
        else "to_confirm" while a finding that matters waits on unknown facts; else "clear"."""
        applying = {f.severity for f in self.findings if f.status == "applies"}
        strictest = next((s for s in SEVERITY_ORDER[:-1] if s in applying), None)
        if strictest:
            return strictest
        if any(f.severity != "info" for f in self.findings):
            return "to_confirm"
        return "clear"

    @property
    def facts_to_confirm(self) -> list[str]:
        """Facts to state before the findings that matter (not the informational ones) settle."""
        return sorted(
            {fact for f in self.findings if f.severity != "info" for fact in f.unknown_facts}
        )

    @property
    def is_blocked(self) -> bool:
        """A prohibition applies, or may apply and its facts are still to confirm."""
        return any(f.severity == "blocked" for f in self.findings)


def _and(results: Iterable[bool | None]) -> bool | None:
    results = list(results)
    if False in results:
        return False
    return None if None in results else True


def _or(results: Iterable[bool | None]) -> bool | None:
    results = list(results)
    if True in results:
        return True
    return None if None in results else False


def _covers(codes: Iterable[str], wanted: Iterable[str]) -> bool:
    return any(code == w or code.startswith(w + ".") for code in codes for w in wanted)


def _fact_holds(
    name: str, expected, facts: DealFacts, agreements: dict[str, frozenset[str]], unknown: set
) -> bool | None:
    value = facts.value(name)
    if value is None:
        unknown.add(name)
        return None
    if not isinstance(expected, dict):
        return value == expected
    if set(expected) <= set(COMPARISONS):  # {gte: a, lte: b}: every bound must hold
        try:
            number = Decimal(str(value))
            return all(
                COMPARISONS[operator](number, Decimal(str(limit)))
                for operator, limit in expected.items()
            )
        except InvalidOperation as error:
            raise ConditionError(f"{name}: comparisons need numbers") from error
    operator, argument = next(iter(expected.items()))
    if operator == "any_of":
        return _covers(value, argument)
    if operator == "in_agreement":
        if argument not in agreements:
            raise ConditionError(f"{name}: unknown agreement {argument!r}")
        return value in agreements[argument]
    raise ConditionError(f"{name}: unknown operator {operator!r}")


def conditions_hold(
    conditions: dict, facts: DealFacts, agreements: dict[str, frozenset[str]], unknown: set
) -> bool | None:
    """Whether all ``conditions`` hold (True), one fails (False) or it depends on unknown facts
    (None, with their names added to ``unknown``)."""
    results = []
    for name, expected in conditions.items():
        if name == "any":
            results.append(_or(conditions_hold(c, facts, agreements, unknown) for c in expected))
        else:
            results.append(_fact_holds(name, expected, facts, agreements, unknown))
    return _and(results)


def validate_conditions(conditions, agreements: Iterable[str] | None = None) -> None:
    """Raise ``ConditionError`` if ``conditions`` use unknown facts, operators or agreements."""
    if not isinstance(conditions, dict):
        raise ConditionError("conditions must be a mapping of fact names to values")
    for name, expected in conditions.items():
        if name == "any":
            if not isinstance(expected, list) or not expected:
                raise ConditionError("any: needs a non-empty list of conditions")
            for condition in expected:
                validate_conditions(condition, agreements)
            continue
        if name not in FACT_NAMES:
            raise ConditionError(f"unknown fact {name!r}")
        if isinstance(expected, dict):
            if not expected:
                raise ConditionError(f"{name}: an empty condition")
            if set(expected) <= set(COMPARISONS):
                for operator, limit in expected.items():
                    if isinstance(limit, bool) or not isinstance(limit, int | float | str):
                        raise ConditionError(f"{name}: {operator} needs a number")
                    try:
                        Decimal(str(limit))
                    except InvalidOperation as error:
                        raise ConditionError(f"{name}: {operator} needs a number") from error
                continue
            if len(expected) != 1:
                raise ConditionError(f"{name}: any_of and in_agreement stand alone")
            operator, argument = next(iter(expected.items()))
            if operator not in ("any_of", "in_agreement"):
                raise ConditionError(f"{name}: unknown operator {operator!r}")
            if operator == "any_of" and not isinstance(argument, list):
                raise ConditionError(f"{name}: any_of needs a list of codes")
            if operator == "in_agreement" and agreements is not None and argument not in agreements:
                raise ConditionError(f"{name}: unknown agreement {argument!r}")


def screen(
    facts: DealFacts,
    *,
    rules: Iterable[RuleData],
    zone_tiers: dict[str, str],
    agreements: dict[str, frozenset[str]],
    on: date,
) -> Screening:
    """Findings of the rules that apply (or may) to a deal, strictest first.

    A national rule applies in every zone; a zone rule only where the work is done in one of its
    zones (every zone of its tier if it names none), and there the rules it supersedes do not.
    """
    in_scope: list[tuple[RuleData, bool]] = []  # (rule, whether its zone is certain)
    for rule in rules:
        if not rule.in_force_on(on):
            continue
        if rule.direction != "any" and rule.direction != facts.direction:
            continue
        if rule.scope == "national":
            in_scope.append((rule, True))
            continue
        if facts.provider_zone is None:
            in_scope.append((rule, False))  # may apply: to confirm once the zone is known
            continue
        zones = rule.zones or {code for code, tier in zone_tiers.items() if tier == rule.scope}
        if facts.provider_zone in zones:
            in_scope.append((rule, True))
    superseded = {slug for rule, certain in in_scope if certain for slug in rule.supersedes}
    findings = []
    for rule, zone_is_certain in in_scope:
        if rule.slug in superseded:
            continue
        unknown: set[str] = set()
        holds = conditions_hold(rule.conditions, facts, agreements, unknown)
        if not zone_is_certain and holds is not False:
            unknown.add("provider_zone")
            holds = None
        if holds is False:
            continue
        findings.append(
            Finding(
                rule=rule.slug,
                title_en=rule.title_en,
                title_zh=rule.title_zh,
                severity=SEVERITY[rule.restriction],
                status="applies" if holds else "to_confirm",
                flow=rule.flow,
                action_en=rule.action_en,
                action_zh=rule.action_zh,
                authority=rule.authority,
                authority_zh=rule.authority_zh,
                source=rule.source,
                source_zh=rule.source_zh,
                confidence=rule.confidence,
                unknown_facts=tuple(sorted(unknown)),
                effective_from=rule.effective_from,
                effective_until=rule.effective_until,
                rule_version=rule.version,
            )
        )
    findings.sort(key=lambda f: (SEVERITY_ORDER.index(f.severity), f.status != "applies", f.rule))
    return Screening(findings=tuple(findings))
