"""Wagtail's own indexes (admin search, reference index) during bulk page writes.

Wagtail updates both on every save, and creating a published page saves it three times (create,
revision, publish). In bulk, ``deferred_wagtail_indexing`` skips those updates and indexes each
touched object once on exit, still inside the caller's transaction. For management commands only:
the search-index signal handlers are switched off process-wide while it runs.
"""

from contextlib import contextmanager

from django.db.models.signals import post_save
from modelsearch import signal_handlers as search_signals
from modelsearch.index import insert_or_update_object
from wagtail.models import ReferenceIndex
from wagtail.signal_handlers import disable_reference_index_auto_update


@contextmanager
def deferred_wagtail_indexing(*models):
    """Within the block, saves of ``models`` do not touch Wagtail's indexes; on exit, index once."""
    touched: dict[tuple[type, int], object] = {}

    def remember(sender, instance, raw=False, **kwargs):
        if not raw:
            touched[(sender, instance.pk)] = instance

    for model in models:
        post_save.disconnect(search_signals.post_save_signal_handler, sender=model)
        post_save.connect(remember, sender=model, weak=False)
    try:
        with disable_reference_index_auto_update():
            yield
    finally:
        for model in models:
            post_save.disconnect(remember, sender=model)
            post_save.connect(search_signals.post_save_signal_handler, sender=model)
    for instance in touched.values():
        insert_or_update_object(instance)
        ReferenceIndex.create_or_update_for_object(instance)
