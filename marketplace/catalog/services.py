"""Writes to the catalogue: loading the taxonomy and zones from their YAML files."""

from pathlib import Path

import yaml
from django.db import transaction

from marketplace.catalog.models import TaxonomyNode, Zone, kind_for_code

DATA_DIR = Path(__file__).resolve().parent / "data"
TAXONOMY_FILE = DATA_DIR / "taxonomy.yaml"
ZONES_FILE = DATA_DIR / "zones.yaml"


class CatalogDataError(ValueError):
    """The YAML file does not describe a valid taxonomy or zone list."""


def _read_list(path: Path) -> list[dict]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, list):
        raise CatalogDataError(f"{path.name}: expected a list of entries.")
    return data


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
    for entry in _read_list(zones_path):
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
    for position, entry in enumerate(_read_list(taxonomy_path)):
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
