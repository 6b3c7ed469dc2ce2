from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    """The documents a deal is closed on: the framework agreement (MSA) between a buyer and a
    provider, and the statement of work of each contract, from versioned terms, as PDFs."""

    name = "marketplace.agreements"
    label = "agreements"
    verbose_name = "Agreements"

    def ready(self) -> None:
        from marketplace.agreements import handlers  # noqa: F401 - subscribes to domain events
