from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from marketplace.compliance.models import Rule, TradeAgreement


class RuleViewSet(SnippetViewSet):
    """Platform staff keep the rules current; open deals are screened again when one changes."""

    model = Rule
    icon = "warning"
    menu_label = "Compliance rules"
    list_display = ["slug", "title_en", "restriction", "scope", "flow", "confidence"]
    list_filter = ["restriction", "scope", "flow", "direction", "confidence"]
    search_fields = ["slug", "title_en", "title_zh", "source"]
    add_to_admin_menu = True
    menu_order = 320


class TradeAgreementViewSet(SnippetViewSet):
    model = TradeAgreement
    icon = "doc-full"
    menu_label = "Trade agreements"
    list_display = ["code", "name", "china_status", "in_force"]
    add_to_admin_menu = True
    menu_order = 330


register_snippet(RuleViewSet)
register_snippet(TradeAgreementViewSet)
