"""Reads from the catalogue."""

from django.db.models import Q, QuerySet

from marketplace.catalog.models import TaxonomyNode


def taxonomy_subtree(*, code: str) -> QuerySet[TaxonomyNode]:
    """The node with this code and all its descendants (a filter on a code covers them all)."""
    return TaxonomyNode.objects.filter(Q(code=code) | Q(code__startswith=f"{code}."))


def taxonomy_nodes(*, kind: str) -> QuerySet[TaxonomyNode]:
    """Every node of one kind (capability, therapeutic area, modality, species), in file order."""
    return TaxonomyNode.objects.filter(kind=kind).order_by("position")
