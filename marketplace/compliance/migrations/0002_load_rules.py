from django.db import migrations


def load(apps, schema_editor):
    from marketplace.compliance.services import rules_load

    rules_load(
        rule_model=apps.get_model("compliance", "Rule"),
        agreement_model=apps.get_model("compliance", "TradeAgreement"),
        zone_model=apps.get_model("catalog", "Zone"),
    )


class Migration(migrations.Migration):
    """The starter rules and agreements; `manage.py load_compliance_rules` reloads them."""

    dependencies = [("compliance", "0001_initial"), ("catalog", "0002_load_catalog")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
