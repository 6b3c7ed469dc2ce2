"""``DJANGO_SETTINGS_MODULE=marketplace.settings`` is the local site; see base.py."""

from .base import *  # noqa: F403
