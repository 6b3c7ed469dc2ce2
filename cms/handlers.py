"""The CMS's subscriptions to domain events, what publishing a listing tells the domain, and
what makes the kept anonymous pages stale (registered in CmsConfig.ready)."""

from django.db.models.signals import post_delete, post_save
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, post_page_move

from cms.models import ProviderPage, ServicePage, TCMServicePage
from cms.services import membership_groups_sync, provider_workspace_ensure
from marketplace import events
from marketplace.accounts.models import Organisation
from marketplace.accounts.services import organisation_capabilities_set
from marketplace.catalog.models import TaxonomyNode
from marketplace.page_cache import pages_changed


@events.subscribe(events.ORGANISATION_CREATED)
def create_provider_workspace(*, organisation_id: int) -> None:
    organisation = Organisation.objects.get(pk=organisation_id)
    if organisation.is_provider:
        provider_workspace_ensure(organisation=organisation)


@events.subscribe(events.ORGANISATION_VERIFIED)
def grant_publishing(*, organisation_id: int) -> None:
    organisation = Organisation.objects.get(pk=organisation_id)
    if organisation.is_provider:
        provider_workspace_ensure(organisation=organisation)
    pages_changed()  # its pages show the verified mark


@events.subscribe(events.REVIEWS_CHANGED)
@events.subscribe(events.CONCERN_FLAG_CHANGED)
def show_trust_signals(*, organisation_id: int) -> None:
    pages_changed()  # its pages and listings show its rating and any concern flag


@events.subscribe(events.TRACK_RECORDS_CHANGED)
def show_track_records(*, organisation_ids: list[int]) -> None:
    pages_changed()


@events.subscribe(events.MEMBERSHIP_CHANGED)
def sync_editor_groups(*, organisation_id: int, user_id: int) -> None:
    membership_groups_sync(
        organisation=Organisation.objects.get(pk=organisation_id), user_id=user_id
    )


def _offered_capabilities_sync(sender, instance, **kwargs) -> None:
    """A listing went live, offline or away: its organisation offers what its live listings do."""
    provider = ProviderPage.objects.filter(path=instance.path[: -ProviderPage.steplen]).first()
    if provider is None or provider.organisation_id is None:
        return
    codes = {
        node.code
        for model in (ServicePage, TCMServicePage)
        for listing in model.objects.live().child_of(provider).prefetch_related("capabilities")
        for node in listing.capabilities.all()
    }
    organisation_capabilities_set(organisation=provider.organisation, codes=codes)


def _pages_changed(sender, **kwargs) -> None:
    pages_changed()


def connect() -> None:
    # Any page's publish, unpublish, move or delete, and any label the pages show, may change
    # what another page lists (a provider lists its services, a listing names its provider).
    page_signals = {
        "publish": page_published,
        "unpublish": page_unpublished,
        "move": post_page_move,
    }
    for name, signal in page_signals.items():
        signal.connect(_pages_changed, dispatch_uid=f"cms-pages-{name}")
    post_delete.connect(_pages_changed, sender=Page, dispatch_uid="cms-pages-delete")
    for name, signal in {"save": post_save, "delete": post_delete}.items():
        signal.connect(
            _pages_changed, sender=TaxonomyNode, dispatch_uid=f"cms-pages-taxonomy-{name}"
        )
    signals = {"publish": page_published, "unpublish": page_unpublished, "delete": post_delete}
    for model in (ServicePage, TCMServicePage):
        for name, signal in signals.items():
            signal.connect(
                _offered_capabilities_sync, sender=model, dispatch_uid=f"cms-offered-{name}-{model}"
            )
