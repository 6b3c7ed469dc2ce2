"""Who may act: membership and role checks, platform staff, the platform's group names.

The one home for these rules; every app imports them from here.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from marketplace.accounts.models import Membership, Organisation, Role, User

# The roles that may act for an organisation (a viewer only reads).
ACTING_ROLES = (Role.OWNER, Role.EDITOR)
# The Wagtail group of platform staff who are not ``is_staff`` users (cms creates it).
PLATFORM_MODERATORS = "Platform moderators"


def is_member(*, user: User, organisation_id: int, acting: bool = True) -> bool:
    """Whether ``user`` belongs to the organisation (as owner or editor when ``acting``)."""
    if not user.is_authenticated:
        return False
    roles = ACTING_ROLES if acting else tuple(Role)
    return Membership.objects.filter(
        user=user, organisation_id=organisation_id, role__in=roles
    ).exists()


def require_member(
    *, user: User, organisation: Organisation, acting: bool = True, message: str | None = None
) -> None:
    """Refuse unless ``user`` belongs to ``organisation`` (as owner or editor when ``acting``).

    ``message`` replaces the default refusal where a page says who may do the thing.
    """
    if not is_member(user=user, organisation_id=organisation.pk, acting=acting):
        raise PermissionDenied(
            message
            or _("Only owners and editors of %(organisation)s can do this.")
            % {"organisation": organisation}
        )


def require_owner(*, user: User, organisation: Organisation) -> None:
    """Refuse unless ``user`` is an owner of ``organisation`` (who manages its members)."""
    if not Membership.objects.filter(
        organisation=organisation, user=user, role=Role.OWNER
    ).exists():
        raise PermissionDenied(_("Only an owner of the organisation can manage its members."))


def is_platform_staff(*, user) -> bool:
    """Platform staff: ``is_staff`` users and members of the platform moderators group."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return user.groups.filter(name=PLATFORM_MODERATORS).exists()


class PlatformStaffRequiredMixin:
    """A view for platform staff only: the admin screens where they verify and keep lists."""

    def dispatch(self, request, *args, **kwargs):
        if not is_platform_staff(user=request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)
