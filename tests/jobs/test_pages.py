"""The job board pages: apply from a posting, candidates and employers each see their side."""

from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from marketplace.jobs.models import Application
from tests.factories import UserFactory
from tests.jobs.test_applications import PDF, posting_with_employer

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_graduate_fills_a_profile_applies_and_follows_the_status():
    posting, employer_user = posting_with_employer()
    graduate = UserFactory(email_verified=True)
    as_graduate, as_employer = signed_in(graduate), signed_in(employer_user)
    assert f"/applications/apply/{posting.pk}/" in Client().get(posting.url).text

    first = as_graduate.get(f"/applications/apply/{posting.pk}/")
    assert first.status_code == 302 and first.url.startswith("/applications/profile/")
    saved = as_graduate.post(first.url, {
        "full_name": "Li Na", "degree": "master", "school": "Fudan University",
        "graduation_year": timezone.localdate().year, "languages": ["zh", "en"],
        "cv": SimpleUploadedFile("li-na.pdf", PDF, content_type="application/pdf"),
    })  # fmt: skip
    assert saved.status_code == 302 and saved.url == f"/applications/apply/{posting.pk}/"
    sent = as_graduate.post(saved.url, {"cover_note": "I would like to join the lab."})
    assert sent.status_code == 302
    application = Application.objects.get(candidate=graduate)

    employer_page = as_employer.get("/applications/").text
    assert "Li Na" in employer_page and "li-na.pdf" in employer_page
    assert as_employer.get(f"/applications/{application.pk}/cv/").status_code == 200
    as_employer.post(f"/applications/{application.pk}/move/", {"to": "screening"})
    as_employer.post(f"/applications/{application.pk}/move/", {"to": "interview", "note": "Call"})

    assert "Interview" in as_graduate.get("/applications/").text
    in_chinese = as_graduate.get("/applications/", headers={"accept-language": "zh-CN"}).text
    assert posting.title_zh and posting.title_zh in in_chinese  # the job in the reader's language
    again = as_graduate.post(f"/applications/apply/{posting.pk}/", {"cover_note": "Again"})
    assert again.status_code == 409 and "already applied" in again.text


def test_a_bad_cv_or_missing_fields_answer_400_and_save_nothing():
    graduate = UserFactory(email_verified=True)

    response = signed_in(graduate).post("/applications/profile/", {
        "full_name": "", "degree": "master", "school": "Fudan", "graduation_year": "2026",
        "cv": SimpleUploadedFile("cv.pdf", b"not a pdf", content_type="application/pdf"),
    })  # fmt: skip

    assert response.status_code == 400
    assert "full_name" in response.context["form"].errors
    assert not hasattr(graduate, "candidate_profile") or graduate.candidate_profile is None


def test_cvs_and_moves_are_refused_to_everyone_else():
    posting, employer_user = posting_with_employer()
    graduate = UserFactory(email_verified=True)
    from marketplace.jobs.services import application_create, candidate_profile_save

    candidate_profile_save(user=graduate, full_name="Li Na", degree="master", school="Fudan",
                           graduation_year=2026,
                           cv=SimpleUploadedFile("cv.pdf", PDF))  # fmt: skip
    application = application_create(posting=posting, candidate=graduate, cover_note="Hi")
    stranger = signed_in(UserFactory(email_verified=True))

    assert stranger.get(f"/applications/{application.pk}/cv/").status_code == 404
    assert (
        stranger.post(f"/applications/{application.pk}/move/", {"to": "screening"}).status_code
        == 404
    )
    assert signed_in(graduate).get(f"/applications/{application.pk}/cv/").status_code == 200
    application.refresh_from_db()
    assert application.status == "new"


def test_a_sponsoring_posting_explains_its_work_permit_class_in_both_languages():
    from cms.models import JobPostingPage

    posting = JobPostingPage.objects.live().first()
    JobPostingPage.objects.filter(pk=posting.pk).update(work_permit_sponsorship="B")

    english = Client(headers={"accept-language": "en"}).get(posting.url).text
    chinese = Client(headers={"accept-language": "zh-hans"}).get(posting.url).text

    assert "Class B: professionals, typically a bachelor's degree" in english.replace("&#x27;", "'")
    assert "B类" in chinese


def profile_form(**overrides) -> dict:
    return {
        "full_name": "Li Na", "degree": "master", "school": "Fudan University",
        "graduation_year": timezone.localdate().year, "languages": ["zh", "en"],
        "cv": SimpleUploadedFile("li-na.pdf", PDF, content_type="application/pdf"), **overrides,
    }  # fmt: skip


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "\\\\evil.example/",
        "javascript:alert(document.cookie)",
        "http://testserver.evil.example/",
    ],
)
def test_saving_the_profile_never_sends_the_candidate_off_site(target):
    graduate = signed_in(UserFactory(email_verified=True))

    response = graduate.post(
        f"/applications/profile/?{urlencode({'next': target})}", profile_form()
    )

    assert response.status_code == 302
    assert response["Location"] == "/applications/"


def test_saving_the_profile_returns_to_a_page_of_this_site_never_from_https_to_http():
    graduate = signed_in(UserFactory(email_verified=True))
    insecure_target = "/applications/profile/?next=http://testserver/jobs/"

    same_site = graduate.post("/applications/profile/?next=/jobs/%3Fq%3Dtox", profile_form())
    absolute = graduate.post(insecure_target, profile_form())
    downgraded = graduate.post(insecure_target, profile_form(), secure=True)

    assert same_site["Location"] == "/jobs/?q=tox"
    assert absolute["Location"] == "http://testserver/jobs/"
    assert downgraded["Location"] == "/applications/"


def test_a_posting_says_when_it_was_posted_where_and_that_the_reader_applied():
    from marketplace.jobs.services import application_create
    from tests.jobs.test_applications import candidate

    posting, _employer = posting_with_employer()
    graduate = candidate()
    before = signed_in(graduate).get(posting.url, headers={"accept-language": "zh-hans"}).text
    application_create(posting=posting, candidate=graduate, cover_note="Hello")

    after = signed_in(graduate).get(posting.url).text

    zone = posting.get_parent().specific.zone
    posted = timezone.localtime(posting.first_published_at)  # as the page shows it: local time
    assert f"发布于 {posted:%Y-%m-%d}" in before and zone.name_zh in before
    assert f'href="/applications/apply/{posting.pk}/"' in before and "您已于" not in before
    assert f"You applied on {timezone.localdate():%Y-%m-%d} · New" in after
    assert f'href="/applications/apply/{posting.pk}/"' not in after


def test_an_employer_shares_a_note_with_the_candidate_or_keeps_it(
    mailoutbox, django_capture_on_commit_callbacks
):
    from marketplace.jobs.services import application_create, application_move
    from tests.jobs.test_applications import candidate

    posting, employer = posting_with_employer()
    graduate = candidate()
    application = application_create(posting=posting, candidate=graduate, cover_note="Hello")
    application_move(application=application, to="screening", by=employer, note="Weak CV")
    with django_capture_on_commit_callbacks(execute=True):
        signed_in(employer).post(
            f"/applications/{application.pk}/move/",
            {"to": "interview", "note": "Tuesday 10:00, Zhangjiang campus", "share_note": "on"},
        )

    page = signed_in(graduate).get("/applications/").text
    assert "Tuesday 10:00, Zhangjiang campus" in page and "Weak CV" not in page
    assert "The employer's note: Tuesday 10:00, Zhangjiang campus" in mailoutbox[-1].body
    assert "Weak CV" not in mailoutbox[-1].body
