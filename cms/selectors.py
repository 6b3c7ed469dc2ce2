"""Reads for the public pages, tuned so a listing costs a fixed number of queries; and which
pages an editor may see in the admin."""

from datetime import timedelta

from django.db.models import Case, F, Prefetch, QuerySet, When, prefetch_related_objects
from django.utils import timezone
from wagtail.models import Page, PageQuerySet
from wagtail.permissions import page_permission_policy

from cms.models import (
    Certification,
    JobPostingPage,
    ProviderIndexPage,
    ProviderPage,
    ServicePage,
    TCMServicePage,
)
from marketplace.accounts.models import VerificationStatus


def _providers() -> QuerySet[ProviderPage]:
    return (
        ProviderPage.objects.live()
        .select_related("zone", "organisation")
        .prefetch_related(
            Prefetch(
                "certifications",
                queryset=Certification.objects.select_related("document").order_by("sort_order"),
            ),
            "organisation__certification_verifications",
        )
    )


def provider_listing(*, index: ProviderIndexPage) -> QuerySet[ProviderPage]:
    """Live providers under the index, alphabetical, with zone and certifications loaded."""
    return _providers().child_of(index).order_by("title")


def featured_providers(*, limit: int) -> QuerySet[ProviderPage]:
    """Verified providers first, then the rest, alphabetically, for the home page."""
    verified_first = Case(
        When(organisation__verification_status=VerificationStatus.VERIFIED, then=0), default=1
    )
    return _providers().order_by(verified_first, "title")[:limit]


def open_job_postings() -> QuerySet[JobPostingPage]:
    """Live postings still open today, graduate and intern roles first."""
    today = timezone.localdate()
    postings = JobPostingPage.objects.live().exclude(closes_on__lt=today)
    return postings.order_by("level", "closes_on", "title")


def provider_profile(*, provider: ProviderPage) -> dict:
    """What a provider page shows beneath the profile: live listings and open jobs."""
    return {
        "services": ServicePage.objects.live()
        .child_of(provider)
        .prefetch_related("capabilities")
        .order_by("title"),
        "tcm_services": TCMServicePage.objects.live()
        .child_of(provider)
        .prefetch_related("capabilities")
        .order_by("title"),
        "jobs": open_job_postings().child_of(provider),
        "sites": provider.sites.select_related("zone"),
        "certifications": certifications_shown(provider=provider),
    }


def certifications_shown(*, provider: ProviderPage) -> list[Certification]:
    """A provider's certifications as its pages show them, each knowing whether platform staff
    verified the facts it states (``is_checked``): two queries, also for a page in preview."""
    if provider.organisation is not None:
        prefetch_related_objects([provider.organisation], "certification_verifications")
    return list(provider.certifications.select_related("document").order_by("sort_order"))


def listing_provider(*, listing) -> dict:
    """What a listing's page shows of its provider: the provider page and its certifications."""
    provider = listing.provider
    certifications = certifications_shown(provider=provider)
    return {"provider": provider, "provider_certifications": certifications}


def certification_verifications(*, certification: Certification) -> QuerySet:
    """Every verification recorded of a certification, newest first, with who verified it."""
    return certification.verifications.select_related("verified_by")


def provider_standards(*, organisation_ids: list[int]) -> dict[int, list[str]]:
    """The standards each organisation's live provider page holds valid certifications for."""
    today = timezone.localdate()
    standards: dict[int, set[str]] = {}
    for provider in _providers().filter(organisation_id__in=organisation_ids):
        standards[provider.organisation_id] = {
            c.standard for c in provider.certifications.all() if c.is_valid_on(today)
        }
    return {organisation: sorted(values) for organisation, values in standards.items()}


def admin_pages_for(*, user) -> PageQuerySet:
    """The pages ``user`` may see anywhere in the admin: those of their organisations (the
    subtrees their editors group holds permissions on) and the pages above them up to the
    provider index; every page for platform staff (permissions on the home page) and superusers.

    Wagtail's explorer, page search and admin API apply this same rule (the page permission
    policy's explorable pages); the page chooser and the reports Wagtail leaves open go through
    this function (cms/wagtail_hooks.py, cms/admin_views.py).
    """
    return page_permission_policy.explorable_instances(user)


def admin_root_page_for(*, user) -> Page | None:
    """Where ``user``'s view of the page tree starts: their organisation's provider page for a
    provider editor, the home page for platform staff, the tree's root for superusers."""
    return page_permission_policy.explorable_root_instance(user)


CERTIFICATION_STATES = ("declared", "not_confirmed", "checked", "expired")


def certifications_to_verify(*, state: str | None) -> list[Certification]:
    """Certifications on providers' pages for platform staff to verify, in one state or all, the
    soonest to expire first (three queries)."""
    certifications = (
        Certification.objects.filter(page__organisation__isnull=False)
        .select_related("page__organisation", "document")
        .prefetch_related("page__organisation__certification_verifications")
        .order_by(F("valid_until").asc(nulls_last=True), "page__title", "sort_order")
    )
    return [c for c in certifications if state is None or c.verification_state == state]


def certifications_expiring(*, organisation_ids, within_days: int = 60) -> list[Certification]:
    """The certifications of the organisations' provider pages that expire within
    ``within_days`` (or have expired in the last month), soonest first: what to renew."""
    today = timezone.localdate()
    return list(
        Certification.objects.filter(
            page__organisation_id__in=organisation_ids,
            valid_until__gte=today - timedelta(days=30),
            valid_until__lte=today + timedelta(days=within_days),
        )
        .select_related("page")
        .order_by("valid_until", "pk")
    )
