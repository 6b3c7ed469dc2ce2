"""Saved jobs: a reader keeps postings to read again or apply to later, from the posting's page
or the API; each sees only their own, a posting taken down leaves the list, and the same save
sent twice at once is kept once."""

import pytest
from django.test import Client

from cms.models import JobPostingPage
from marketplace.jobs.models import Application, SavedJob
from tests.factories import UserFactory
from tests.jobs.test_applications import posting_with_employer
from tests.jobs.test_pages import signed_in

pytestmark = pytest.mark.django_db


def test_a_reader_saves_a_posting_finds_it_under_saved_jobs_and_removes_it():
    posting, _employer = posting_with_employer()
    reader = UserFactory(email_verified=True)
    as_reader = signed_in(reader)
    anonymous = Client().get(posting.url).text
    assert f"/accounts/login/?next={posting.url}" in anonymous  # saving needs an account

    saved = as_reader.post(f"/applications/saved/{posting.pk}/", {"action": "save"})
    assert saved.status_code == 302 and saved.url == posting.url
    page = as_reader.get(posting.url).text
    assert '<span aria-hidden="true">★</span> Saved' in page and 'aria-pressed="true"' in page
    as_reader.post(f"/applications/saved/{posting.pk}/", {"action": "save"})  # again: once
    assert SavedJob.objects.filter(user=reader).count() == 1

    listed = as_reader.get("/applications/saved/", headers={"accept-language": "zh-CN"}).text
    assert posting.title_zh in listed and f"/applications/apply/{posting.pk}/" in listed
    Application.objects.create(
        posting=posting, employer=posting.get_parent().specific.organisation, candidate=reader,
        cover_note="Hello", cv_name="cv.pdf",
    )  # fmt: skip
    listed = as_reader.get("/applications/saved/").text
    assert "You applied" in listed and f"/applications/apply/{posting.pk}/" not in listed
    assert "1 saved job" in as_reader.get("/account/").text
    assert posting.title not in signed_in(UserFactory()).get("/applications/saved/").text

    removed = as_reader.post(
        f"/applications/saved/{posting.pk}/", {"action": "remove", "next": "/applications/saved/"}
    )
    assert removed.url == "/applications/saved/"
    assert not SavedJob.objects.filter(user=reader).exists()
    assert '<span aria-hidden="true">☆</span> Save this job' in as_reader.get(posting.url).text


def test_a_posting_taken_down_leaves_the_list_and_cannot_be_saved():
    posting, _employer = posting_with_employer()
    reader = UserFactory(email_verified=True)
    as_reader = signed_in(reader)
    as_reader.post(f"/applications/saved/{posting.pk}/", {"action": "save"})

    JobPostingPage.objects.filter(pk=posting.pk).update(live=False)

    assert posting.title not in as_reader.get("/applications/saved/").text
    assert as_reader.get("/api/v1/saved-jobs").json() == []
    assert (
        as_reader.post(f"/applications/saved/{posting.pk}/", {"action": "save"}).status_code == 404
    )
    assert as_reader.put(f"/api/v1/saved-jobs/{posting.pk}").status_code == 404
    assert as_reader.get(f"/applications/saved/{posting.pk}/").status_code == 405


def test_the_api_saves_lists_and_removes_only_the_callers_saved_jobs():
    posting, _employer = posting_with_employer()
    reader, other = UserFactory(email_verified=True), UserFactory(email_verified=True)
    api = signed_in(reader)

    first = api.put(f"/api/v1/saved-jobs/{posting.pk}")
    assert first.status_code == 201
    assert first.json()["posting"] == posting.pk and first.json()["is_open"] is True
    assert api.put(f"/api/v1/saved-jobs/{posting.pk}").status_code == 200
    assert [item["title_zh"] for item in api.get("/api/v1/saved-jobs").json()] == [posting.title_zh]
    assert signed_in(other).get("/api/v1/saved-jobs").json() == []
    assert signed_in(other).delete(f"/api/v1/saved-jobs/{posting.pk}").status_code == 204
    assert SavedJob.objects.filter(user=reader).count() == 1  # another's delete touched nothing
    assert Client().get("/api/v1/saved-jobs").status_code in (401, 403)

    assert api.delete(f"/api/v1/saved-jobs/{posting.pk}").status_code == 204
    assert api.get("/api/v1/saved-jobs").json() == []


def test_saved_jobs_stop_at_the_limit_counting_only_postings_still_published(monkeypatch):
    from marketplace.jobs import services

    monkeypatch.setattr(services, "SAVED_JOBS_MAX", 2)
    postings = list(JobPostingPage.objects.live().order_by("pk")[:4])
    reader = UserFactory(email_verified=True)
    as_reader = signed_in(reader)
    for posting in postings[:2]:
        as_reader.post(f"/applications/saved/{posting.pk}/", {"action": "save"})

    refused = as_reader.post(f"/applications/saved/{postings[2].pk}/", {"action": "save"})

    assert refused.status_code == 400
    assert "You can keep up to 2 saved jobs; remove some first." in refused.text
    assert SavedJob.objects.filter(user=reader).count() == 2
    # A posting taken down leaves the list, and the room it took.
    JobPostingPage.objects.filter(pk=postings[0].pk).update(live=False)
    assert as_reader.put(f"/api/v1/saved-jobs/{postings[2].pk}").status_code == 201
    assert as_reader.put(f"/api/v1/saved-jobs/{postings[3].pk}").status_code == 400
