"""The CMS's Wagtail admin hooks: editors see only the pages they may see (cms.selectors).

Wagtail scopes its explorer, page search and admin API to an editor's pages itself; its page
chooser lists every page unless told otherwise. What the chooser hook cannot reach (the
chooser's browse and "chosen" steps, the page-types report, the page bulk actions) is replaced
in cms/admin_views.py.
"""

from wagtail import hooks

from cms.admin_views import PAGE_BULK_ACTIONS
from cms.selectors import admin_pages_for


@hooks.register("construct_page_chooser_queryset")
def chooser_pages_for_editor(pages, request):
    """Browsing and searching in the page chooser offer only the editor's own pages."""
    return pages.filter(pk__in=admin_pages_for(user=request.user).values("pk"))


# After Wagtail's own registrations (order 0) of the same actions, which these replace.
for bulk_action in PAGE_BULK_ACTIONS:
    hooks.register("register_bulk_action", bulk_action, order=1)
