from django.apps import AppConfig


class ContractingConfig(AppConfig):
    """RFQ -> quote (revisions) -> contract -> milestones; their state machines and audit log."""

    name = "marketplace.contracting"
    label = "contracting"
    verbose_name = "Contracting"
