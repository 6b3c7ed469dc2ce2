"""Wagtail's own indexes (admin search, reference index) during bulk page writes.

Wagtail updates both on every save, and creating a published page saves it three times (create,
revision, publish). In bulk, ``deferred_wagtail_indexing`` skips those updates and indexes each
touched object once on exit, still inside the caller's transaction. For management commands only:
the search-index signal handlers are switched off process-wide while it runs, and reference-index
updates for other models saved in the block (organisations, memberships) are skipped; run
``manage.py rebuild_references_index`` if the admin's usage counts must include them.
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

    # Only models whose handler was connected get it back (a nested block leaves it to the outer).
    silenced = [
        model
        for model in models
        if post_save.disconnect(search_signals.post_save_signal_handler, sender=model)
    ]
    for model in models:
        post_save.connect(remember, sender=model, weak=False)
    try:
        with disable_reference_index_auto_update():
            yield
    finally:
        for model in models:
            post_save.disconnect(remember, sender=model)
        for model in silenced:
            post_save.connect(search_signals.post_save_signal_handler, sender=model)
    for instance in touched.values():
        insert_or_update_object(instance)
        ReferenceIndex.create_or_update_for_object(instance)
