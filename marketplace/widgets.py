"""Form widgets the site's pages share."""

from django import forms
from django.utils.translation import gettext_lazy as _


class ChipsSelectMultiple(forms.SelectMultiple):
    """A multiple choice that the browser turns into type-to-search with chips
    (static/js/chips.js); without the script it stays a plain list to pick from.

    The field may name, for each choice, the words it is also found by (its other language,
    synonyms): `search_text(instance)` on a model choice field."""

    def __init__(self, attrs=None, choices=()):
        super().__init__(
            attrs={
                "size": 6,
                "data-chips": "",
                "data-placeholder": _("Type to search…"),
                "data-remove": _("Remove"),
                "data-added": _("Added"),
                "data-removed": _("Removed"),
                "data-empty": _("Nothing matches"),
                **(attrs or {}),
            },
            choices=choices,
        )
        self.search_text = None

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if self.search_text and instance is not None:
            option["attrs"]["data-search"] = self.search_text(instance)
        return option
