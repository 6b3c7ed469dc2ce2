"""Form fields that choose from the catalogue, named in the reader's language."""

from django import forms

from marketplace.catalog.models import TaxonomyNode, Zone
from marketplace.language import reads_chinese


def taxonomy_label(node: TaxonomyNode) -> str:
    """A taxonomy node as a chooser lists it: indented by depth, in the reader's language."""
    label = node.label_zh if reads_chinese() and node.label_zh else node.label_en
    return f"{'— ' * node.depth}{label}"


def taxonomy_search_text(node: TaxonomyNode) -> str:
    return " ".join([node.label_en, node.label_zh, *node.synonyms])


class TaxonomyChoice(forms.ModelChoiceField):
    """One node of the taxonomy (a capability, therapeutic area, modality)."""

    def label_from_instance(self, node: TaxonomyNode) -> str:
        return taxonomy_label(node)


class TaxonomyMultipleChoice(forms.ModelMultipleChoiceField):
    """Several nodes of the taxonomy (capabilities, disciplines), found by either language's
    label or a synonym when the widget searches."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.widget.search_text = taxonomy_search_text

    def label_from_instance(self, node: TaxonomyNode) -> str:
        return taxonomy_label(node)


class ZoneChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, zone: Zone) -> str:
        return zone.name_zh if reads_chinese() and zone.name_zh else zone.name
