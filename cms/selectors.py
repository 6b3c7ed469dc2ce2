"""Reads for the public pages, tuned so a listing costs a fixed number of queries."""

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from cms.models import (
    Certification,
    JobPostingPage,
    ProviderIndexPage,
    ProviderPage,
    ServicePage,
    TCMServicePage,
)


def _providers() -> QuerySet[ProviderPage]:
    return (
        ProviderPage.objects.live()
        .select_related("zone", "organisation")
        .prefetch_related(
            Prefetch("certifications", queryset=Certification.objects.order_by("sort_order"))
        )
    )


def provider_listing(*, index: ProviderIndexPage) -> QuerySet[ProviderPage]:
    """Live providers under the index, alphabetical, with zone and certifications loaded."""
    return _providers().child_of(index).order_by("title")


def featured_providers(*, limit: int) -> list[ProviderPage]:
    """Verified providers first, then the rest, for the home page."""
    providers = list(_providers().order_by("title"))
    providers.sort(key=lambda provider: not provider.is_verified)
    return providers[:limit]


def open_job_postings() -> QuerySet[JobPostingPage]:
    """Live postings still open today, graduate and intern roles first."""
    today = timezone.localdate()
    postings = JobPostingPage.objects.live().exclude(closes_on__lt=today)
    return postings.order_by("level", "closes_on", "title")


def provider_profile(*, provider: ProviderPage) -> dict:
    """What a provider page shows beneath the profile: live listings and open jobs."""
    taxonomy = ("capabilities", "therapeutic_areas", "modalities", "species")
    return {
        "services": ServicePage.objects.live()
        .child_of(provider)
        .prefetch_related(*taxonomy)
        .order_by("title"),
        "tcm_services": TCMServicePage.objects.live()
        .child_of(provider)
        .prefetch_related(*taxonomy)
        .order_by("title"),
        "jobs": open_job_postings().child_of(provider),
        "sites": provider.sites.select_related("zone"),
        "certifications": provider.certifications.all(),
    }
