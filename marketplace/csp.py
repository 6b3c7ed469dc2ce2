"""The Content Security Policy (settings.CONTENT_SECURITY_POLICY), with one exception: Wagtail's
admin pages carry inline scripts of their own, so under /admin/ — signed-in editors only — inline
scripts are allowed as well. Every other directive holds there too."""

from csp.middleware import CSPMiddleware, PolicyParts

ADMIN_PREFIX = "/admin/"


class SitePolicyMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if request.path_info.startswith(ADMIN_PREFIX):
            parts.update = {**(parts.update or {}), "script-src": ["'unsafe-inline'"]}
        return parts
