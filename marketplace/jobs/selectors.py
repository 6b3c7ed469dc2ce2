"""Reads for the job board, always through who is asking."""

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from marketplace.accounts.models import Membership, User
from marketplace.jobs.models import Application, ApplicationEvent, SavedJob


def applications_for_employer(*, user: User) -> QuerySet[Application]:
    """Applications to the postings of the user's organisations (no one else's)."""
    organisations = Membership.objects.filter(user=user).values("organisation")
    return Application.objects.filter(employer__in=organisations).select_related(
        "candidate__candidate_profile", "posting"
    )


def applications_of(*, candidate: User) -> QuerySet[Application]:
    """The candidate's applications, each with the notes its employer shared with them."""
    shared = ApplicationEvent.objects.filter(is_note_shared=True).order_by("at", "pk")
    return (
        Application.objects.filter(candidate=candidate)
        .select_related("posting", "employer")
        .prefetch_related(Prefetch("events", queryset=shared, to_attr="shared_notes"))
    )


def may_read_application(*, user: User, application: Application) -> bool:
    """The candidate, and members of the employer; nobody else (CVs included)."""
    return (
        application.candidate_id == user.pk
        or Membership.objects.filter(user=user, organisation_id=application.employer_id).exists()
    )


def saved_jobs_of(*, user: User) -> QuerySet[SavedJob]:
    """The user's saved jobs whose postings are still published, newest saved first, each with
    ``has_applied``: whether the user has applied to it."""
    applied = Application.objects.filter(candidate=user, posting=OuterRef("posting"))
    return (
        SavedJob.objects.filter(user=user, posting__live=True)
        .select_related("posting")
        .annotate(has_applied=Exists(applied))
    )


def is_saved(*, user: User, posting_id: int) -> bool:
    return (
        user.is_authenticated and SavedJob.objects.filter(user=user, posting_id=posting_id).exists()
    )
