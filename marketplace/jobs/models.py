"""Candidates and their applications to job postings (pages in the CMS), with the pipeline.

An application's status changes only through ``services``; each change is kept as an event the
candidate can follow. CVs are stored privately and served only through permission checks.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from marketplace.catalog.fields import StringListField
from marketplace.storage import private_storage


class CandidateProfile(models.Model):
    """What a job seeker tells employers about themselves."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="candidate_profile"
    )
    full_name = models.CharField(_("full name"), max_length=200)
    degree = models.CharField(_("degree"), max_length=20)
    school = models.CharField(_("school"), max_length=200)
    graduation_year = models.PositiveIntegerField(_("graduation year"))
    disciplines = models.ManyToManyField(
        "catalog.TaxonomyNode", blank=True, related_name="+", verbose_name=_("disciplines")
    )
    languages = StringListField(_("languages"), blank=True)
    cv = models.FileField(_("CV (PDF)"), storage=private_storage, upload_to="cvs/%Y/%m/")
    cv_name = models.CharField(max_length=200)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("candidate profile")

    def __str__(self) -> str:
        return self.full_name


class ApplicationStatus(models.TextChoices):
    NEW = "new", _("New")
    SCREENING = "screening", _("Screening")
    INTERVIEW = "interview", _("Interview")
    OFFER = "offer", _("Offer")
    HIRED = "hired", _("Hired")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Application(models.Model):
    """One candidate's application to one posting; the employer is the posting's organisation."""

    posting = models.ForeignKey(
        "cms.JobPostingPage", on_delete=models.PROTECT, related_name="applications"
    )
    employer = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="applications"
    )
    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications"
    )
    cover_note = models.TextField(_("cover note"), max_length=3000)
    cv = models.FileField(storage=private_storage, upload_to="applications/%Y/%m/")
    cv_name = models.CharField(max_length=200)
    status = models.CharField(
        max_length=12, choices=ApplicationStatus.choices, default=ApplicationStatus.NEW
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("application")
        constraints = [
            models.UniqueConstraint(
                fields=["posting", "candidate"], name="one_application_per_posting"
            )
        ]

    def __str__(self) -> str:
        return f"{self.candidate} → {self.posting_id}"


class ApplicationEvent(models.Model):
    """A status change with the employer's note: for the employer only, unless they chose to
    share it with the candidate (then on the candidate's applications page and in the email)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    note = models.TextField(blank=True)
    is_note_shared = models.BooleanField(default=False)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


_private_storage = private_storage  # the name the first migrations refer to


class SavedJob(models.Model):
    """A posting a reader keeps, to read again or apply to later."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_jobs"
    )
    posting = models.ForeignKey("cms.JobPostingPage", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("saved job")
        constraints = [
            models.UniqueConstraint(fields=["user", "posting"], name="one_save_per_posting")
        ]

    def __str__(self) -> str:
        return f"{self.user} ☆ {self.posting_id}"
