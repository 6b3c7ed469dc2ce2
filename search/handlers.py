"""Wagtail's page signals record index changes; nothing more happens here (see search.services)."""

from django.db.models.signals import post_delete
from wagtail.signals import page_published, page_unpublished, post_page_move

from cms.models import JobPostingPage, ProviderPage, ServicePage, TCMServicePage
from search.models import IndexChange
from search.services import index_change_record

INDEXED_PAGES = (ServicePage, TCMServicePage, JobPostingPage, ProviderPage)


def _changed(sender, instance, **kwargs):
    index_change_record(page=instance, action=IndexChange.Action.UPSERT)


def _deleted(sender, instance, **kwargs):
    index_change_record(page=instance, action=IndexChange.Action.DELETE)


def connect() -> None:
    for model in INDEXED_PAGES:
        page_published.connect(
            _changed, sender=model, dispatch_uid=f"search-publish-{model.__name__}"
        )
        page_unpublished.connect(
            _changed, sender=model, dispatch_uid=f"search-unpublish-{model.__name__}"
        )
        post_page_move.connect(_changed, sender=model, dispatch_uid=f"search-move-{model.__name__}")
        post_delete.connect(_deleted, sender=model, dispatch_uid=f"search-delete-{model.__name__}")
