"""Writes to the compliance rules (loading them from YAML) and the screening of a deal."""

from datetime import date
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from marketplace.compliance.screening import (
    ConditionError,
    DealFacts,
    Screening,
    screen,
    validate_conditions,
)
from marketplace.compliance.selectors import agreement_members, rules_for_screening, zone_tiers
from marketplace.data_files import read_yaml_list
from marketplace.ops.services import task_enqueue_once

DATA_DIR = Path(__file__).resolve().parent / "data"
RULES_FILE = DATA_DIR / "rules.yaml"
AGREEMENTS_FILE = DATA_DIR / "agreements.yaml"
RULE_FIELDS = (
    "direction", "scope", "restriction", "flow", "authority", "source", "confidence",
)  # fmt: skip


class RulesDataError(ValueError):
    """A rules or agreements file is not valid; nothing was loaded."""


@transaction.atomic
def rules_load(
    *,
    rules_path: Path = RULES_FILE,
    agreements_path: Path = AGREEMENTS_FILE,
    overwrite: bool = False,
    rule_model=None,
    agreement_model=None,
    zone_model=None,
) -> dict[str, int]:
    """Create the rules and agreements the files list that the database lacks.

    Staff edits are kept unless ``overwrite``; running it twice changes nothing. Every condition
    is validated first; a bad file loads nothing. Model classes are parameters so a data migration
    can pass its historical models.
    """
    from marketplace.catalog.models import Zone
    from marketplace.compliance.models import Rule, TradeAgreement

    rule_model = rule_model or Rule
    agreement_model = agreement_model or TradeAgreement
    zone_model = zone_model or Zone
    counts = dict.fromkeys(
        ("agreements_created", "agreements_updated", "rules_created", "rules_updated"), 0
    )
    agreements = read_yaml_list(agreements_path, error=RulesDataError)
    for entry in agreements:
        values = {
            "name": entry["name"],
            "china_status": entry.get("china_status", ""),
            "in_force": entry.get("in_force"),
            "members": [str(code).upper() for code in entry.get("members", [])],
        }
        agreement, created = agreement_model.objects.get_or_create(
            code=entry["code"], defaults=values
        )
        if created or overwrite:
            agreement_model.objects.filter(pk=agreement.pk).update(**values)
            counts["agreements_created" if created else "agreements_updated"] += 1

    entries = read_yaml_list(rules_path, error=RulesDataError)
    slugs = {entry.get("id") for entry in entries}
    zones = {zone.code: zone for zone in zone_model.objects.all()}
    for entry in entries:
        try:
            validate_conditions(entry.get("when") or {}, {a["code"] for a in agreements})
        except ConditionError as error:
            raise RulesDataError(f"{entry.get('id')}: {error}") from error
        for slug in entry.get("supersedes", []):
            if slug not in slugs:
                raise RulesDataError(f"{entry['id']}: supersedes unknown rule {slug!r}")
        for code in entry.get("zones", []):
            if code not in zones:
                raise RulesDataError(f"{entry['id']}: unknown zone {code!r}")

    rules = {}
    # A data migration's historical model may predate some fields (the Chinese authority and
    # source came later): only the fields it has are written.
    known = {field.name for field in rule_model._meta.get_fields()}
    for entry in entries:
        values = {
            **{name: entry[name] for name in RULE_FIELDS},
            "title_en": entry["title"],
            "title_zh": entry.get("title_zh", ""),
            "conditions": entry.get("when") or {},
            "action_en": entry["action"],
            "action_zh": entry.get("action_zh", ""),
            "authority_zh": entry.get("authority_zh", ""),
            "source_zh": entry.get("source_zh", ""),
            "effective_from": entry.get("effective_from"),
            "effective_until": entry.get("effective_until"),
        }
        values = {name: value for name, value in values.items() if name in known}
        rule, created = rule_model.objects.get_or_create(slug=entry["id"], defaults=values)
        rules[rule.slug] = rule
        if created or overwrite:
            if not created:
                rule_model.objects.filter(pk=rule.pk).update(**values)
            rule.zones.set([zones[code] for code in entry.get("zones", [])])
            counts["rules_created" if created else "rules_updated"] += 1
    for entry in entries:
        if entry.get("supersedes"):
            rule = rules[entry["id"]]
            if overwrite or not rule.supersedes.exists():
                rule.supersedes.set([rules[slug] for slug in entry["supersedes"]])
    return counts


def screen_deal(*, facts: DealFacts, on: date | None = None) -> Screening:
    """Screen a deal's facts against the rules in force ``on`` (today by default).

    Returns the findings, strictest first: what is blocked, needs approval or filing, or is worth
    knowing, and which rules may apply once unknown facts are stated. Writes nothing.
    """
    return screen(
        facts,
        rules=rules_for_screening(),
        zone_tiers=zone_tiers(),
        agreements=agreement_members(),
        on=on or timezone.localdate(),
    )


def rules_changed() -> None:
    """A rule or trade agreement changed: the deals in play are screened again once the change
    commits (through the outbox; the periodic sweep also finds stale screenings)."""
    task_enqueue_once("marketplace.contracting.tasks.screenings_refresh_task")
