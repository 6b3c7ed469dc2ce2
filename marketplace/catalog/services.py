"""Writes to the catalogue: loading the taxonomy and zones from their YAML files."""

from pathlib import Path

from django.db import transaction

from marketplace.catalog.models import TaxonomyNode, Zone, kind_for_code
from marketplace.data_files import read_yaml_list

DATA_DIR = Path(__file__).resolve().parent / "data"
TAXONOMY_FILE = DATA_DIR / "taxonomy.yaml"
ZONES_FILE = DATA_DIR / "zones.yaml"


class CatalogDataError(ValueError):
    """The YAML file does not describe a valid taxonomy or zone list."""


@transaction.atomic
def catalog_load(
    *,
    taxonomy_path: Path = TAXONOMY_FILE,
    zones_path: Path = ZONES_FILE,
    overwrite: bool = False,
    node_model=TaxonomyNode,
    zone_model=Zone,
) -> dict[str, int]:
    """Create the zones and taxonomy nodes the files list that the database lacks.

    Existing rows keep staff edits unless ``overwrite``; running it twice changes nothing.
    Model classes are parameters so a data migration can pass its historical models.
    Returns counts of created and updated rows.
    """
    counts = {"zones_created": 0, "zones_updated": 0, "nodes_created": 0, "nodes_updated": 0}
    for entry in read_yaml_list(zones_path, error=CatalogDataError):
        values = {
            "tier": entry["tier"],
            "name": entry["name"],
            "name_zh": entry["name_zh"],
            "note": entry.get("note", ""),
        }
        zone, created = zone_model.objects.get_or_create(code=entry["code"], defaults=values)
        if created:
            counts["zones_created"] += 1
        elif overwrite:
            zone_model.objects.filter(pk=zone.pk).update(**values)
            counts["zones_updated"] += 1

    nodes_by_code: dict[str, object] = {}
    for position, entry in enumerate(read_yaml_list(taxonomy_path, error=CatalogDataError)):
        code, parent_code = entry["code"], entry.get("parent")
        if parent_code is not None:
            if not code.startswith(parent_code + "."):
                raise CatalogDataError(
                    f"{code}: its code must start with its parent's ({parent_code})."
                )
            if parent_code not in nodes_by_code:
                raise CatalogDataError(f"{code}: parent {parent_code} must come before it.")
        values = {
            "parent": nodes_by_code.get(parent_code),
            "kind": kind_for_code(code),
            "label_en": entry["en"],
            "label_zh": entry["zh"],
            "synonyms": list(entry.get("synonyms") or []),
            "position": position,
        }
        node, created = node_model.objects.get_or_create(code=code, defaults=values)
        if created:
            counts["nodes_created"] += 1
        elif overwrite:
            for field, value in values.items():
                setattr(node, field, value)
            node.save()
            counts["nodes_updated"] += 1
        nodes_by_code[code] = node
    return counts


FX_RATES_FILE = DATA_DIR / "fx-rates.csv"
FX_FIELDS = ("base_currency", "quote_currency", "rate", "source", "as_of")


@transaction.atomic
def fx_rates_load(*, path: Path = FX_RATES_FILE) -> dict[str, int]:
    """Add the rates a CSV or JSON file lists (fields: base_currency, quote_currency, rate,
    source, as_of in ISO 8601 with a time zone); rows already there are skipped.

    Every row is checked first; a file with one bad row loads nothing and says which row.
    """
    import csv
    import json
    from datetime import datetime
    from decimal import Decimal, InvalidOperation

    from marketplace.catalog.models import FxRate
    from marketplace.money import MINOR_UNITS

    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".json":
        rows = json.loads(text)
        if not isinstance(rows, list):
            raise CatalogDataError(f"{path.name}: expected a list of rates.")
    else:
        rows = list(csv.DictReader(text.splitlines()))
    rates = []
    for number, row in enumerate(rows, start=1):
        where = f"{path.name}, rate {number}"
        if not isinstance(row, dict) or any(not row.get(name) for name in FX_FIELDS):
            raise CatalogDataError(f"{where}: needs {', '.join(FX_FIELDS)}.")
        base, quote = row["base_currency"].upper(), row["quote_currency"].upper()
        for currency in (base, quote):
            if currency not in MINOR_UNITS:
                raise CatalogDataError(f"{where}: unknown currency {currency!r}.")
        if base == quote:
            raise CatalogDataError(f"{where}: a rate needs two different currencies.")
        try:
            rate = Decimal(str(row["rate"]))
        except InvalidOperation as error:
            raise CatalogDataError(f"{where}: rate {row['rate']!r} is not a number.") from error
        if not rate.is_finite() or rate <= 0:
            raise CatalogDataError(f"{where}: the rate must be positive.")
        try:
            as_of = datetime.fromisoformat(str(row["as_of"]))
        except ValueError as error:
            raise CatalogDataError(
                f"{where}: as_of {row['as_of']!r} is not a date-time."
            ) from error
        if as_of.tzinfo is None:
            raise CatalogDataError(f"{where}: as_of needs a time zone (e.g. +08:00 or Z).")
        rates.append(
            FxRate(base_currency=base, quote_currency=quote, rate=rate,
                   source=str(row["source"])[:100], as_of=as_of)
        )  # fmt: skip
    before = FxRate.objects.count()
    FxRate.objects.bulk_create(rates, ignore_conflicts=True)
    created = FxRate.objects.count() - before
    return {"created": created, "skipped": len(rates) - created}
