"""The CRO marketplace: the Django project package and its domain apps."""

from .celery import app as celery_app

__all__ = ["celery_app"]
