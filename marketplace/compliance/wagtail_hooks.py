from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from marketplace.admin_menu import StaffMenuItem
from marketplace.compliance.models import Rule, TradeAgreement
from marketplace.compliance.services import rules_changed


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


@hooks.register("after_create_snippet")
@hooks.register("after_edit_snippet")
@hooks.register("after_delete_snippet")
def rescreen_after_rule_change(request, instances_or_instance) -> None:
    """A rule or agreement changed: deals in play are screened again once it is saved."""
    instances = (
        instances_or_instance if isinstance(instances_or_instance, list | tuple)
        else [instances_or_instance]
    )  # fmt: skip
    if any(isinstance(instance, Rule | TradeAgreement) for instance in instances):
        rules_changed()


@hooks.register("register_admin_menu_item")
def register_trade_report_menu_item():
    """A link to the cross-border trade report, shown to platform staff only."""
    return StaffMenuItem(
        gettext_lazy("Trade report"),
        reverse_lazy("compliance:trade_report"),
        name="trade-report",
        icon_name="table",
        order=340,
    )
