"""Reads about organisations and memberships, always from the reader's side."""

from allauth.account.models import EmailAddress
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from marketplace.accounts.models import (
    Invitation,
    Membership,
    Organisation,
    OrganisationKind,
    User,
)
from marketplace.money import currency_of_country


def memberships_of(*, user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("organisation", "organisation__zone")


def membership_for(*, user: User, slug: str) -> Membership:
    """The user's membership of the organisation with this slug; 404 for non-members."""
    return get_object_or_404(
        Membership.objects.select_related("organisation"), user=user, organisation__slug=slug
    )


def organisation_members(*, organisation: Organisation) -> QuerySet[Membership]:
    return organisation.memberships.select_related("user").order_by("role", "user__email")


def has_verified_email(*, user: User, email: str) -> bool:
    """Whether the user has proved they receive mail at this address."""
    return EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()


def open_invitations_for(*, user: User) -> QuerySet[Invitation]:
    """Invitations to the user's verified email addresses that can still be accepted."""
    verified = EmailAddress.objects.filter(user=user, verified=True).values("email")
    return Invitation.objects.filter(
        email__in=verified, accepted_at__isnull=True, expires_at__gt=timezone.now()
    ).select_related("organisation")


def waiting_invitations(*, organisation: Organisation) -> QuerySet[Invitation]:
    """The organisation's invitations not yet accepted, expired ones included (shown as such)."""
    return organisation.invitations.filter(accepted_at__isnull=True).order_by("-created_at")


def candidate_facts(*, user: User) -> dict:
    """What the account page says of the user as a job candidate: whether they have a candidate
    profile, how many applications and saved jobs (through the job board's relations to the
    user)."""
    return {
        "has_profile": User.objects.filter(pk=user.pk, candidate_profile__isnull=False).exists(),
        "applications": user.applications.count(),
        "saved_jobs": user.saved_jobs.filter(posting__live=True).count(),
    }


def buyer_currency(*, user: User) -> str | None:
    """The currency a signed-in buyer reads prices in besides CNY: their buying organisation's
    country's (the first they belong to), or None (anonymous, no buying organisation, CNY)."""
    if not user.is_authenticated:
        return None
    buying = (OrganisationKind.BUYER, OrganisationKind.PLATFORM)
    membership = (
        Membership.objects.filter(user=user, organisation__kind__in=buying)
        .select_related("organisation")
        .order_by("pk")
        .first()
    )
    currency = currency_of_country(membership.organisation.country) if membership else None
    return None if currency in (None, "CNY") else currency
