"""Writes about organisations and the people in them."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from marketplace import events
from marketplace.accounts.models import (
    PROVIDER_KINDS,
    Invitation,
    Membership,
    Organisation,
    OrganisationKind,
    Role,
    User,
    VerificationStatus,
)
from marketplace.accounts.permissions import require_owner
from marketplace.accounts.selectors import has_verified_email
from marketplace.catalog.models import Zone
from marketplace.ops.services import task_enqueue


def _unique_slug(*candidates: str | None) -> str:
    """A unique ASCII slug from the first candidate that gives one (Chinese names give none)."""
    base = next(
        (slugify(text)[:70] for text in candidates if text and slugify(text)), "organisation"
    )
    slug, counter = base, 2
    while Organisation.objects.filter(slug=slug).exists():
        slug, counter = f"{base}-{counter}", counter + 1
    return slug


def _zone(code: str | None) -> Zone | None:
    if not code:
        return None
    try:
        return Zone.objects.get(code=code)
    except Zone.DoesNotExist:
        raise ValidationError({"zone": _("Unknown zone %(code)s.") % {"code": code}}) from None


@transaction.atomic
def organisation_create(
    *,
    name: str,
    kind: str,
    country: str,
    name_zh: str = "",
    zone_code: str | None = None,
    city: str = "",
    website: str = "",
    external_id: str | None = None,
    owner: User | None = None,
    is_foreign_invested: bool | None = None,
) -> Organisation:
    """Create an organisation (and make ``owner`` its owner); providers get their workspace.

    Publishes ``organisation_created``: the CMS creates the provider's page, groups and permissions.
    """
    if kind not in OrganisationKind.values:
        raise ValidationError({"kind": _("Unknown organisation kind.")})
    organisation = Organisation(
        name=name.strip(),
        name_zh=name_zh.strip(),
        slug=_unique_slug(name, external_id, name_zh),
        kind=kind,
        country=country.upper(),
        zone=_zone(zone_code),
        city=city,
        website=website,
        external_id=external_id,
        is_foreign_invested=is_foreign_invested,
    )
    organisation.full_clean()
    organisation.save()
    events.publish(events.ORGANISATION_CREATED, organisation_id=organisation.pk)
    if owner is not None:
        membership_add(organisation=organisation, user=owner, role=Role.OWNER)
    return organisation


@transaction.atomic
def membership_add(*, organisation: Organisation, user: User, role: str) -> Membership:
    """Make ``user`` a member with ``role``; a member already keeps the role they have.

    The one way in, for owners, invitees and the demo's logins alike: publishes
    ``membership_changed`` every time (the CMS puts owners and editors in the organisation's
    editors group), so calling it again repairs a member's access.
    """
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    membership, _created = Membership.objects.get_or_create(
        user=user, organisation=organisation, defaults={"role": role}
    )
    events.publish(events.MEMBERSHIP_CHANGED, organisation_id=organisation.pk, user_id=user.pk)
    return membership


@transaction.atomic
def organisation_update(
    *, organisation: Organisation, zone_code: str | None = None, **fields
) -> Organisation:
    """Change an organisation's descriptive fields (name, kind, country, zone, city, website, and
    whether it is foreign-invested, which the compliance screening reads).

    A provider may change kind among the provider kinds; a buyer cannot become a provider here.
    """
    allowed = {"name", "name_zh", "kind", "country", "city", "website", "is_foreign_invested"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"Cannot update {', '.join(sorted(unknown))} here.")
    if "kind" in fields and fields["kind"] != organisation.kind:
        if not (organisation.is_provider and fields["kind"] in PROVIDER_KINDS):
            raise ValidationError(
                {"kind": _("Only a provider's kind can change, to another provider kind.")}
            )
    for field, value in fields.items():
        setattr(organisation, field, value)
    if zone_code is not None:
        organisation.zone = _zone(zone_code)
    organisation.full_clean()
    organisation.save()
    return organisation


@transaction.atomic
def organisation_verify(*, organisation: Organisation) -> Organisation:
    """Mark a provider verified by the platform; its editors may then publish directly.

    Publishes ``organisation_verified`` once (verifying twice changes nothing).
    """
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if organisation.is_verified:
        return organisation
    organisation.verification_status = VerificationStatus.VERIFIED
    organisation.verified_at = timezone.now()
    organisation.save(update_fields=["verification_status", "verified_at"])
    events.publish(events.ORGANISATION_VERIFIED, organisation_id=organisation.pk)
    return organisation


@transaction.atomic
def invitation_create(
    *, organisation: Organisation, email: str, role: str, invited_by: User
) -> Invitation:
    """Invite someone by email to join with a role; the email goes out after commit.

    Only owners invite; a new invitation to the same address replaces the open one.
    """
    require_owner(organisation=organisation, user=invited_by)
    email = email.strip().lower()
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise ValidationError({"email": _("%(email)s is already a member.") % {"email": email}})
    Invitation.objects.filter(
        organisation=organisation, email=email, accepted_at__isnull=True
    ).delete()
    invitation = Invitation.objects.create(
        organisation=organisation, email=email, role=role, invited_by=invited_by
    )
    task_enqueue("marketplace.accounts.tasks.invitation_email_task", invitation.pk)
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> Membership:
    """Join the organisation of an open invitation addressed to this user's email address."""
    try:
        invitation = Invitation.objects.select_for_update().get(token=token)
    except Invitation.DoesNotExist:
        raise ValidationError(_("This invitation does not exist.")) from None
    if not invitation.is_open:
        raise ValidationError(_("This invitation has expired or has already been used."))
    if not has_verified_email(user=user, email=invitation.email):
        raise PermissionDenied(
            _("This invitation was sent to an email address you have not verified.")
        )
    if Membership.objects.filter(user=user, organisation=invitation.organisation).exists():
        raise ValidationError(_("You are already a member of this organisation."))
    membership = membership_add(
        organisation=invitation.organisation, user=user, role=invitation.role
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return membership


def _owner_count(organisation: Organisation) -> int:
    return Membership.objects.filter(organisation=organisation, role=Role.OWNER).count()


@transaction.atomic
def membership_role_change(*, membership: Membership, role: str, by: User) -> Membership:
    """An owner gives a member another role; the organisation always keeps an owner."""
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    Organisation.objects.select_for_update().get(pk=membership.organisation_id)
    membership = Membership.objects.get(pk=membership.pk)
    require_owner(organisation=membership.organisation, user=by)
    if membership.role == Role.OWNER and role != Role.OWNER:
        if _owner_count(membership.organisation) <= 1:
            raise ValidationError(
                _("The last owner cannot step down; make someone else an owner first.")
            )
    membership.role = role
    membership.save(update_fields=["role"])
    events.publish(
        events.MEMBERSHIP_CHANGED,
        organisation_id=membership.organisation_id,
        user_id=membership.user_id,
    )
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, by: User) -> None:
    """Remove a member (an owner removing someone, or anyone leaving).

    The last owner cannot leave or be removed: an organisation always has an owner.
    """
    if by.pk != membership.user_id:
        require_owner(organisation=membership.organisation, user=by)
    if membership.role == Role.OWNER:
        owners = Membership.objects.select_for_update().filter(
            organisation=membership.organisation, role=Role.OWNER
        )
        if owners.count() <= 1:
            raise ValidationError(
                _("The last owner cannot leave; make someone else an owner first.")
            )
    organisation_id, user_id = membership.organisation_id, membership.user_id
    membership.delete()
    events.publish(events.MEMBERSHIP_CHANGED, organisation_id=organisation_id, user_id=user_id)


def organisation_capabilities_set(*, organisation: Organisation, codes: set[str]) -> None:
    """Record what a provider's live listings cover (the CMS calls this as they change)."""
    from marketplace.catalog.models import TaxonomyNode

    organisation.offered_capabilities.set(TaxonomyNode.objects.filter(code__in=codes))
