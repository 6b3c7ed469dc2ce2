from django.apps import AppConfig


class CmsConfig(AppConfig):
    """Wagtail pages: home, providers, services, TCM services, job postings; scoped editing."""

    name = "cms"
    label = "cms"
    verbose_name = "Pages"

    def ready(self) -> None:
        from cms import handlers

        handlers.connect()  # and the domain-event subscriptions, registered on import
