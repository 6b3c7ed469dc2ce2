"""The CMS's subscriptions to domain events, and what publishing a listing tells the domain
(registered in CmsConfig.ready)."""

from django.db.models.signals import post_delete
from wagtail.signals import page_published, page_unpublished

from cms.models import ProviderPage, ServicePage, TCMServicePage
from cms.services import membership_groups_sync, provider_workspace_ensure
from marketplace import events
from marketplace.accounts.models import Organisation
from marketplace.accounts.services import organisation_capabilities_set


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


def connect() -> None:
    signals = {"publish": page_published, "unpublish": page_unpublished, "delete": post_delete}
    for model in (ServicePage, TCMServicePage):
        for name, signal in signals.items():
            signal.connect(
                _offered_capabilities_sync, sender=model, dispatch_uid=f"cms-offered-{name}-{model}"
            )
