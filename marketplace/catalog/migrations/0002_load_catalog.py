from django.db import migrations


def load(apps, schema_editor):
    from marketplace.catalog.services import catalog_load

    catalog_load(
        node_model=apps.get_model("catalog", "TaxonomyNode"),
        zone_model=apps.get_model("catalog", "Zone"),
    )


class Migration(migrations.Migration):
    """Zones and the taxonomy from marketplace/catalog/data/; `manage.py load_catalog` reloads."""

    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
