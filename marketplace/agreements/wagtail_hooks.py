"""The terms templates in the Wagtail admin: platform staff keep each version of the framework
agreement's and the statement of work's terms, in English and Chinese."""

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from marketplace.agreements.models import TermsTemplate


class TermsTemplateViewSet(SnippetViewSet):
    model = TermsTemplate
    icon = "doc-full-inverse"
    menu_label = _("Terms templates")
    list_display = ["kind", "version", "title_en", "is_published", "created_at"]
    list_filter = ["kind", "is_published"]
    add_to_admin_menu = True
    menu_order = 335


register_snippet(TermsTemplateViewSet)
