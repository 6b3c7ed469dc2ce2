from django.apps import AppConfig


class JobsConfig(AppConfig):
    """Graduates' profiles and applications to job postings; the employer's review pipeline."""

    name = "marketplace.jobs"
    label = "jobs"
    verbose_name = "Jobs"
