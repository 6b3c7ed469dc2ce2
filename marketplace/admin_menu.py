"""The Wagtail admin menu's items for platform staff's own screens (certifications, concern
lists, the trade report): shown to platform staff only."""

from wagtail.admin.menu import MenuItem

from marketplace.accounts.permissions import is_platform_staff


class StaffMenuItem(MenuItem):
    def is_shown(self, request):
        return is_platform_staff(user=request.user)
