from django.db import migrations

# Names buyers type that the taxonomy lacked (taxonomy.yaml has them for new sites): "PK" for the
# whole of DMPK, "fingerprinting" for TCM quality standards (it found only listings written in
# English). Added where missing; staff may have edited the synonyms since, so nothing is removed.
ADDED = {"dmpk": ["PK"], "tcm.quality_standards": ["fingerprinting"]}


def synonyms_add(apps, schema_editor):
    TaxonomyNode = apps.get_model("catalog", "TaxonomyNode")
    for node in TaxonomyNode.objects.filter(code__in=ADDED):
        known = {synonym.lower() for synonym in node.synonyms}
        missing = [name for name in ADDED[node.code] if name.lower() not in known]
        if missing:
            node.synonyms = [*node.synonyms, *missing]
            node.save(update_fields=["synonyms"])


class Migration(migrations.Migration):
    dependencies = [("catalog", "0003_fx_rates")]

    operations = [migrations.RunPython(synonyms_add, migrations.RunPython.noop)]
