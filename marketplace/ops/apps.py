from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operations: the health of the services the site depends on."""

    name = "marketplace.ops"
    label = "ops"
    verbose_name = "Operations"
