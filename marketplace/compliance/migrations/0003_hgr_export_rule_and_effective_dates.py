from django.db import migrations

OLD_SECURITY_ASSESSMENT = {
    "any": [
        {"provider_is_ciio": True},
        {"important_data": True},
        {"personal_info_subjects_ytd": {"gt": 1000000}},
        {"sensitive_personal_info_subjects_ytd": {"gt": 10000}},
    ]
}


def forward(apps, schema_editor):
    """Rule edits made where the rules live (staff may have edited them since):
    - add the rules the file has and the database lacks (``hgr-materials-export``, the approval a
      Chinese party needs to ship HGR materials abroad);
    - record each rule's effective dates from the file where the database has none;
    - the CAC security assessment asks for a CIIO's transfer only when personal information
      leaves China (a deal sending none was shown "needs approval · to confirm"): changed only if
      the condition is still the one first loaded.
    """
    import yaml

    from marketplace.compliance.services import RULES_FILE, rules_load

    Rule = apps.get_model("compliance", "Rule")
    rules_load(
        rule_model=Rule,
        agreement_model=apps.get_model("compliance", "TradeAgreement"),
        zone_model=apps.get_model("catalog", "Zone"),
    )
    entries = {entry["id"]: entry for entry in yaml.safe_load(RULES_FILE.read_text("utf-8"))}
    for rule in Rule.objects.all():
        entry = entries.get(rule.slug)
        if entry is None:
            continue
        changed = []
        if rule.effective_from is None and entry.get("effective_from"):
            rule.effective_from = entry["effective_from"]
            changed.append("effective_from")
        if rule.effective_until is None and entry.get("effective_until"):
            rule.effective_until = entry["effective_until"]
            changed.append("effective_until")
        if rule.slug == "pi-security-assessment" and rule.conditions == OLD_SECURITY_ASSESSMENT:
            rule.conditions = entry["when"]
            changed.append("conditions")
        if changed:
            rule.save(update_fields=[*changed, "updated_at"])


class Migration(migrations.Migration):
    dependencies = [("compliance", "0002_load_rules")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
