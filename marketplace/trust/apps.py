from django.apps import AppConfig


class TrustConfig(AppConfig):
    """What a buyer can trust about a provider: verified reviews of work done on the platform."""

    name = "marketplace.trust"
    label = "trust"
    verbose_name = "Trust"
