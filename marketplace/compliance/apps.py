from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    """China's cross-border services rules as data, and the screening of each deal against them."""

    name = "marketplace.compliance"
    label = "compliance"
    verbose_name = "Compliance"
