"""The CMS's Wagtail admin hooks: editors see only the pages they may see (cms.selectors); platform
staff get the screen where they verify providers' certifications (cms/verification_views.py).

Wagtail scopes its explorer, page search and admin API to an editor's pages itself; its page
chooser lists every page unless told otherwise. What the chooser hook cannot reach (the
chooser's browse and "chosen" steps, the page-types report, the page bulk actions) is replaced
in cms/admin_views.py.
"""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from cms.admin_views import PAGE_BULK_ACTIONS
from cms.selectors import admin_pages_for
from cms.verification_views import CertificationListView, CertificationVerifyView
from marketplace.admin_menu import StaffMenuItem


@hooks.register("construct_page_chooser_queryset")
def chooser_pages_for_editor(pages, request):
    """Browsing and searching in the page chooser offer only the editor's own pages."""
    return pages.filter(pk__in=admin_pages_for(user=request.user).values("pk"))


# After Wagtail's own registrations (order 0) of the same actions, which these replace.
for bulk_action in PAGE_BULK_ACTIONS:
    hooks.register("register_bulk_action", bulk_action, order=1)


@hooks.register("register_admin_urls")
def certification_verification_urls():
    return [
        path("certifications/", CertificationListView.as_view(), name="cms_certifications"),
        path(
            "certifications/<int:pk>/verify/",
            CertificationVerifyView.as_view(),
            name="cms_certification_verify",
        ),
    ]


@hooks.register("register_admin_menu_item")
def certification_verification_menu_item():
    return StaffMenuItem(
        _("Certifications"), reverse("cms_certifications"), icon_name="tick-inverse", order=250
    )
