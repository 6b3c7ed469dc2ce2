"""The CMS's subscriptions to domain events (registered in CmsConfig.ready)."""

from cms.services import membership_groups_sync, provider_workspace_ensure
from marketplace import events
from marketplace.accounts.models import Organisation


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
