"""The trust screens in the Wagtail admin, for platform staff: the company-of-concern lists."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from marketplace.admin_menu import StaffMenuItem
from marketplace.trust.admin_views import (
    ConcernListDeleteView,
    ConcernListFormView,
    ConcernListIndexView,
)


@hooks.register("register_admin_urls")
def concern_list_urls():
    return [
        path("concern-lists/", ConcernListIndexView.as_view(), name="trust_concern_lists"),
        path("concern-lists/add/", ConcernListFormView.as_view(), name="trust_concern_list_add"),
        path(
            "concern-lists/<int:pk>/", ConcernListFormView.as_view(), name="trust_concern_list_edit"
        ),
        path(
            "concern-lists/<int:pk>/withdraw/",
            ConcernListDeleteView.as_view(),
            name="trust_concern_list_delete",
        ),
    ]


@hooks.register("register_admin_menu_item")
def concern_list_menu_item():
    return StaffMenuItem(
        _("Company-of-concern lists"),
        reverse("trust_concern_lists"),
        icon_name="warning",
        order=260,
    )
