from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from marketplace.catalog.models import FxRate, TaxonomyNode, Zone


class TaxonomyNodeViewSet(SnippetViewSet):
    """Platform staff edit labels and synonyms; search rebuilds its synonym sets from these."""

    model = TaxonomyNode
    icon = "tag"
    menu_label = "Taxonomy"
    list_display = ["code", "label_en", "label_zh", "kind"]
    list_filter = ["kind"]
    search_fields = ["code", "label_en", "label_zh"]
    add_to_admin_menu = True
    menu_order = 300


class ZoneViewSet(SnippetViewSet):
    model = Zone
    icon = "site"
    menu_label = "Zones"
    list_display = ["code", "name", "name_zh", "tier"]
    add_to_admin_menu = True
    menu_order = 310


class FxRateViewSet(SnippetViewSet):
    """Staff correct or add rates; a quote keeps the rate it was made with."""

    model = FxRate
    icon = "form"
    menu_label = "Exchange rates"
    list_display = ["base_currency", "quote_currency", "rate", "source", "as_of"]
    list_filter = ["quote_currency", "source"]
    add_to_admin_menu = True
    menu_order = 315


register_snippet(TaxonomyNodeViewSet)
register_snippet(FxRateViewSet)
register_snippet(ZoneViewSet)
