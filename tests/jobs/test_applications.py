"""The job board's rules: profiles with a real PDF CV, one application per open posting, the
employer's pipeline, and who may read what."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cms.models import JobPostingPage
from marketplace.accounts.models import Membership, Role
from marketplace.jobs.models import Application, CandidateProfile
from marketplace.jobs.selectors import applications_for_employer, may_read_application
from marketplace.jobs.services import (
    InvalidMove,
    application_create,
    application_move,
    application_withdraw,
    candidate_profile_save,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def cv(name="cv.pdf", content=PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def candidate(**overrides):
    user = UserFactory(email_verified=True)
    values = {"full_name": "Li Na", "degree": "master", "school": "Fudan University",
              "graduation_year": timezone.localdate().year, "discipline_codes": [],
              "languages": ["zh", "en"], "cv": cv(), **overrides}  # fmt: skip
    candidate_profile_save(user=user, **values)
    return user


def posting_with_employer():
    posting = JobPostingPage.objects.live().filter(level="graduate").first()
    employer_user = UserFactory(email_verified=True)
    organisation = posting.get_parent().specific.organisation
    Membership.objects.create(user=employer_user, organisation=organisation, role=Role.EDITOR)
    return posting, employer_user


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (cv("cv.docx", b"PK\x03\x04"), "A CV is a PDF file"),
        (cv("cv.pdf", b"<html>"), "not a real PDF"),
        (cv("big.pdf", PDF + b"0" * (5 * 1024 * 1024)), "the limit is 5 MB"),
        (None, "Attach your CV"),
    ],
)
def test_a_profile_needs_a_real_pdf_cv_within_the_limit(upload, message):
    user = UserFactory(email_verified=True)

    with pytest.raises(ValidationError, match=message):
        candidate_profile_save(user=user, full_name="Li Na", degree="master", school="Fudan",
                               graduation_year=2026, cv=upload)  # fmt: skip
    assert not CandidateProfile.objects.filter(user=user).exists()


def test_a_graduate_applies_once_and_the_employer_is_told(
    mailoutbox, django_capture_on_commit_callbacks
):
    posting, employer_user = posting_with_employer()
    graduate = candidate()

    with django_capture_on_commit_callbacks(execute=True):
        application = application_create(posting=posting, candidate=graduate, cover_note="Hello")

    assert (application.status, application.employer) == (
        "new", posting.get_parent().specific.organisation,
    )  # fmt: skip
    assert application.cv.read() == PDF
    assert employer_user.email in mailoutbox[-1].to
    assert "New application" in mailoutbox[-1].subject and "新的求职申请" in mailoutbox[-1].subject
    with pytest.raises(InvalidMove, match="already applied"):
        application_create(posting=posting, candidate=graduate, cover_note="Again")
    assert Application.objects.filter(candidate=graduate).count() == 1


def test_closed_postings_take_no_applications_and_profiles_come_first():
    posting, _employer = posting_with_employer()
    JobPostingPage.objects.filter(pk=posting.pk).update(
        closes_on=timezone.localdate() - timedelta(days=1)
    )
    posting.refresh_from_db()

    with pytest.raises(InvalidMove, match="closed"):
        application_create(posting=posting, candidate=candidate(), cover_note="Hello")
    with pytest.raises(ValidationError, match="profile"):
        application_create(
            posting=posting, candidate=UserFactory(email_verified=True), cover_note="Hi"
        )
    assert not Application.objects.exists()


def test_the_employer_moves_an_application_along_the_pipeline_only(
    mailoutbox, django_capture_on_commit_callbacks
):
    posting, employer_user = posting_with_employer()
    graduate = candidate()
    application = application_create(posting=posting, candidate=graduate, cover_note="Hello")

    with pytest.raises(InvalidMove, match="cannot move to interview"):
        application_move(application=application, to="interview", by=employer_user)
    application_move(application=application, to="screening", by=employer_user, note="Good CV")
    with django_capture_on_commit_callbacks(execute=True):
        application = application_move(application=application, to="interview", by=employer_user)
    with pytest.raises(PermissionDenied):
        application_move(application=application, to="offer", by=graduate)

    assert application.status == "interview"
    assert list(application.events.values_list("to_status", flat=True)) == [
        "new", "screening", "interview",
    ]  # fmt: skip
    assert mailoutbox[-1].to == [graduate.email]
    assert "Interview" in mailoutbox[-1].body


def test_employers_see_only_their_own_applications_and_cvs():
    posting, employer_user = posting_with_employer()
    other_posting = (
        JobPostingPage.objects.live().exclude(path__startswith=posting.path[:-4]).first()
    )
    assert other_posting.get_parent().pk != posting.get_parent().pk
    mine = application_create(posting=posting, candidate=candidate(), cover_note="Hi")
    theirs = application_create(posting=other_posting, candidate=candidate(), cover_note="Hi")

    assert list(applications_for_employer(user=employer_user)) == [mine]
    assert may_read_application(user=employer_user, application=mine)
    assert not may_read_application(user=employer_user, application=theirs)
    assert may_read_application(user=theirs.candidate, application=theirs)
    assert not may_read_application(user=mine.candidate, application=theirs)


def test_a_candidate_withdraws_an_open_application_once():
    posting, employer_user = posting_with_employer()
    graduate = candidate()
    application = application_create(posting=posting, candidate=graduate, cover_note="Hi")

    with pytest.raises(PermissionDenied):
        application_withdraw(application=application, by=employer_user)
    application_withdraw(application=application, by=graduate)
    with pytest.raises(InvalidMove, match="already closed"):
        application_withdraw(application=application, by=graduate)
