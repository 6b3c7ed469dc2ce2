"""Writes for the job board: candidate profiles, applications and the employer's pipeline."""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.accounts.models import User
from marketplace.accounts.permissions import require_member
from marketplace.catalog.models import TaxonomyNode
from marketplace.jobs.models import (
    Application,
    ApplicationEvent,
    ApplicationStatus,
    CandidateProfile,
    SavedJob,
)
from marketplace.jobs.selectors import saved_jobs_of
from marketplace.ops.services import task_enqueue
from marketplace.storage import PDF, upload_check
from marketplace.transitions import InvalidTransition

logger = logging.getLogger(__name__)
S = ApplicationStatus
# The pipeline: where an application may go from each status (rejection from any open one).
MOVES = {
    S.NEW: (S.SCREENING, S.REJECTED),
    S.SCREENING: (S.INTERVIEW, S.REJECTED),
    S.INTERVIEW: (S.OFFER, S.REJECTED),
    S.OFFER: (S.HIRED, S.REJECTED),
}
FINAL = (S.HIRED, S.REJECTED, S.WITHDRAWN)


class InvalidMove(InvalidTransition):
    """The application's status does not allow this; the pages answer 409 with the message."""


def application_event(
    *, application: Application, to_status: str, actor: User, from_status: str = "",
    note: str = "", is_note_shared: bool = False,
) -> ApplicationEvent:  # fmt: skip
    """Record a job application's status change on its own timeline (``ApplicationEvent``); a
    note is shared with the candidate only when the employer says so (and there is a note)."""
    note = (note or "").strip()
    return ApplicationEvent.objects.create(
        application=application, from_status=from_status, to_status=to_status, note=note,
        is_note_shared=is_note_shared and bool(note), actor=actor,
    )  # fmt: skip


def cv_check(upload: UploadedFile) -> None:
    """A CV is a real PDF (by its first bytes, not the browser's word) within the size limit."""
    upload_check(
        upload, field="cv", types=PDF, max_bytes=settings.CV_MAX_BYTES,
        wrong_type=_("A CV is a PDF file."),
    )  # fmt: skip


@transaction.atomic
def candidate_profile_save(
    *,
    user: User,
    full_name: str,
    degree: str,
    school: str,
    graduation_year: int,
    discipline_codes: list[str] = (),
    languages: list[str] = (),
    cv: UploadedFile | None = None,
) -> CandidateProfile:
    """Create or update the candidate's profile; a CV is needed the first time."""
    profile = CandidateProfile.objects.filter(user=user).first()
    errors = {}
    if not (full_name or "").strip():
        errors["full_name"] = _("Give your name.")
    if not (school or "").strip():
        errors["school"] = _("Give your school or university.")
    this_year = timezone.localdate().year
    if not isinstance(graduation_year, int) or not 1950 <= graduation_year <= this_year + 6:
        errors["graduation_year"] = _("Give a graduation year between 1950 and %d.") % (
            this_year + 6
        )
    if not degree:
        errors["degree"] = _("Choose your degree.")
    if cv is None and profile is None:
        errors["cv"] = _("Attach your CV (PDF).")
    if errors:
        raise ValidationError(errors)
    if cv is not None:
        cv_check(cv)
    nodes = list(TaxonomyNode.objects.filter(code__in=discipline_codes))
    if len(nodes) != len(set(discipline_codes)):
        raise ValidationError({"disciplines": _("Unknown discipline.")})
    profile = profile or CandidateProfile(user=user)
    profile.full_name, profile.degree, profile.school = full_name.strip(), degree, school.strip()
    profile.graduation_year, profile.languages = graduation_year, list(languages)
    if cv is not None:
        profile.cv, profile.cv_name = cv, cv.name[:200]
    profile.save()
    profile.disciplines.set(nodes)
    return profile


def _notify(kind: str, application_id: int) -> None:
    task_enqueue("marketplace.jobs.tasks.application_email_task", kind, application_id)


@transaction.atomic
def application_create(*, posting, candidate: User, cover_note: str) -> Application:
    """Apply to an open, live posting with the profile's CV (copied: later CV changes do not
    alter the application). One application per posting; the employer is told by email."""
    profile = CandidateProfile.objects.filter(user=candidate).first()
    if profile is None:
        raise ValidationError({"profile": _("Fill in your profile and CV before applying.")})
    if not posting.live or not posting.is_open:
        raise InvalidMove(_("This posting is closed."))
    if not (cover_note or "").strip():
        raise ValidationError({"cover_note": _("Write a short cover note.")})
    if len(cover_note) > 3000:
        raise ValidationError({"cover_note": _("A cover note has at most 3,000 characters.")})
    if Application.objects.filter(posting=posting, candidate=candidate).exists():
        raise InvalidMove(_("You have already applied to this posting."))
    employer = posting.get_parent().specific.organisation
    application = Application(
        posting=posting, employer=employer, candidate=candidate, cover_note=cover_note.strip(),
        cv_name=profile.cv_name,
    )  # fmt: skip
    with profile.cv.open("rb") as cv:
        application.cv.save(profile.cv_name, ContentFile(cv.read()), save=False)
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError as error:  # a second request at the same moment
        application.cv.delete(save=False)
        raise InvalidMove(_("You have already applied to this posting.")) from error
    application_event(application=application, to_status=S.NEW, actor=candidate)
    _notify("received", application.pk)
    return application


def _locked(application: Application) -> Application:
    # The employer comes along (require_member reads it), locked is the application alone.
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("employer")
        .get(pk=application.pk)
    )


@transaction.atomic
def application_move(
    *, application: Application, to: str, by: User, note: str = "", share_note: bool = False
) -> Application:
    """The employer moves an application along the pipeline; the candidate is told by email
    (with the note, if the employer shares it)."""
    application = _locked(application)
    require_member(
        user=by,
        organisation=application.employer,
        message=_("Only the employer's owners and editors move applications."),
    )
    if to not in MOVES.get(application.status, ()):
        raise InvalidMove(
            _("An application that is %(status)s cannot move to %(to)s.")
            % {"status": application.get_status_display().lower(),
               "to": ApplicationStatus(to).label.lower() if to in S.values else to}
        )  # fmt: skip
    application_event(
        application=application, from_status=application.status, to_status=to, note=note,
        is_note_shared=share_note, actor=by,
    )  # fmt: skip
    application.status = to
    application.save(update_fields=["status", "updated_at"])
    _notify("status", application.pk)
    return application


@transaction.atomic
def application_withdraw(*, application: Application, by: User) -> Application:
    """The candidate withdraws an application still in progress."""
    application = _locked(application)
    if application.candidate_id != by.pk:
        raise PermissionDenied(_("Only the candidate withdraws an application."))
    if application.status in FINAL:
        raise InvalidMove(_("This application is already closed."))
    application_event(
        application=application, from_status=application.status, to_status=S.WITHDRAWN, actor=by
    )
    application.status = S.WITHDRAWN
    application.save(update_fields=["status", "updated_at"])
    return application


SAVED_JOBS_MAX = 200


def job_save(*, user: User, posting) -> tuple[SavedJob, bool]:
    """Keep a live posting in the user's saved jobs; saving it again changes nothing (the unique
    constraint holds when two saves race). Returns the saved job and whether it is new."""
    if not posting.live:
        raise ValidationError(_("This posting is no longer published."))
    with transaction.atomic():
        saved, created = SavedJob.objects.get_or_create(user=user, posting=posting)
        # Only what the reader can see and remove counts (a posting taken down leaves the list).
        if created and saved_jobs_of(user=user).count() > SAVED_JOBS_MAX:
            raise ValidationError(
                _("You can keep up to %(most)d saved jobs; remove some first.")
                % {"most": SAVED_JOBS_MAX}
            )
    return saved, created


def job_unsave(*, user: User, posting_id: int) -> bool:
    """Take a posting out of the user's saved jobs; whether it was there."""
    deleted, _counts = SavedJob.objects.filter(user=user, posting_id=posting_id).delete()
    return bool(deleted)
