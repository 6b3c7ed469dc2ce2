from django.apps import AppConfig


class SearchConfig(AppConfig):
    """Buyer-facing search on Elasticsearch: documents, index lifecycle, queries, views."""

    name = "search"
    label = "search"

    def ready(self) -> None:
        from search import handlers
        from search.client import configure

        configure()
        handlers.connect()
