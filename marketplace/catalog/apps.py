from django.apps import AppConfig


class CatalogConfig(AppConfig):
    """The capability taxonomy (bilingual labels, synonyms), zones and standards."""

    name = "marketplace.catalog"
    label = "catalog"
    verbose_name = "Catalogue"
