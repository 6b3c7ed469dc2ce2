from django.db import migrations


def rows_inline(apps, schema_editor):
    """PostgreSQL keeps each entry (about 6 kB) in its table page rather than compressed and
    moved out of line: searches read every matching entry's vector, and fetching and
    decompressing them from TOAST was half of a search's time on 100,000 listings. Rows written
    from now on (``search_reindex`` rewrites them all) are stored so."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE search_searchentry SET (toast_tuple_target = 8160)")


def rows_default(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE search_searchentry RESET (toast_tuple_target)")


class Migration(migrations.Migration):
    dependencies = [("search", "0002_database_engine")]

    operations = [migrations.RunPython(rows_inline, rows_default)]
