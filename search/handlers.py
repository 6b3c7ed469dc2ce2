"""Wagtail's page signals and the domain's events record index changes, taxonomy edits refresh
the synonyms (see search.services); nothing more happens here."""

from django.db.models.signals import post_delete, post_save
from wagtail.signals import page_published, page_unpublished, post_page_move

from cms.models import JobPostingPage, ProviderPage, ServicePage, TCMServicePage
from marketplace import events
from marketplace.catalog.models import TaxonomyNode
from search.models import IndexChange
from search.services import index_change_record, taxonomy_changed

INDEXED_PAGES = (ServicePage, TCMServicePage, JobPostingPage, ProviderPage)


def _changed(sender, instance, **kwargs):
    index_change_record(page=instance, action=IndexChange.Action.UPSERT)


def _deleted(sender, instance, **kwargs):
    index_change_record(page=instance, action=IndexChange.Action.DELETE)


@events.subscribe(events.REVIEWS_CHANGED)
@events.subscribe(events.CONCERN_FLAG_CHANGED)
def _trust_changed(*, organisation_id: int) -> None:
    """A provider's rating and concern flag are in its document and its listings' (sorted and
    filtered on)."""
    page = ProviderPage.objects.filter(organisation_id=organisation_id).first()
    if page is not None:
        index_change_record(page=page, action=IndexChange.Action.UPSERT)


@events.subscribe(events.TRACK_RECORDS_CHANGED)
def _track_records_changed(*, organisation_ids: list[int]) -> None:
    """Results show each provider's completed contracts (from its track record)."""
    for page in ProviderPage.objects.filter(organisation_id__in=organisation_ids):
        index_change_record(page=page, action=IndexChange.Action.UPSERT)


def _taxonomy_changed(sender, **kwargs):
    taxonomy_changed()


def connect() -> None:
    post_save.connect(_taxonomy_changed, sender=TaxonomyNode, dispatch_uid="search-taxonomy-save")
    post_delete.connect(
        _taxonomy_changed, sender=TaxonomyNode, dispatch_uid="search-taxonomy-delete"
    )
    for model in INDEXED_PAGES:
        page_published.connect(
            _changed, sender=model, dispatch_uid=f"search-publish-{model.__name__}"
        )
        page_unpublished.connect(
            _changed, sender=model, dispatch_uid=f"search-unpublish-{model.__name__}"
        )
        post_page_move.connect(_changed, sender=model, dispatch_uid=f"search-move-{model.__name__}")
        post_delete.connect(_deleted, sender=model, dispatch_uid=f"search-delete-{model.__name__}")
