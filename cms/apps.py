from django.apps import AppConfig


class CmsConfig(AppConfig):
    """Wagtail pages: home, providers, services, TCM services, job postings."""

    name = "cms"
    label = "cms"
    verbose_name = "Pages"
