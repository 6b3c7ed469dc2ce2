from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Users, organisations (buyers, providers, the platform), memberships and roles."""

    name = "marketplace.accounts"
    label = "accounts"
    verbose_name = "Accounts"
