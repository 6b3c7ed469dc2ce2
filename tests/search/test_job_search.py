from datetime import date

import pytest

from cms.models import JobPostingPage
from search.queries import JobQuery, search_jobs

pytestmark = pytest.mark.django_db


def test_a_graduate_looking_for_bioanalysis_in_suzhou_finds_that_job_first(search_indexes):
    wanted = JobPostingPage.objects.live().filter(
        city="Suzhou", level="graduate", title_en__icontains="bioanalytical"
    )
    assert wanted.exists()  # the demo has one

    result = search_jobs(JobQuery(text="graduate bioanalysis Suzhou"))

    assert result["results"][0]["id"] in set(wanted.values_list("pk", flat=True))


def test_closed_postings_are_kept_but_not_found(search_indexes):
    closed = JobPostingPage.objects.live().filter(closes_on__lt=date(2026, 11, 27))
    assert closed.exists()  # the demo has postings that closed on 2026-10-31

    found = {hit["id"] for page in (1, 2, 3) for hit in search_jobs(JobQuery(page=page))["results"]}

    assert not found & set(closed.values_list("pk", flat=True))
    assert (
        search_jobs(JobQuery())["count"] == JobPostingPage.objects.live().count() - closed.count()
    )


def test_job_filters_and_their_facet_counts_agree(search_indexes):
    unfiltered = search_jobs(JobQuery())

    for name in ("city", "level", "sponsorship"):
        bucket = unfiltered["facets"][name][0]
        assert search_jobs(JobQuery(filters={name: [bucket["value"]]}))["count"] == bucket["count"]


def test_the_jobs_api_and_its_database_fallback_answer_alike(
    client, search_indexes, elasticsearch_unreachable
):
    response = client.get("/api/v1/search/jobs", {"level": "graduate", "city": "Suzhou"})

    assert response.status_code == 200
    body = response.json()
    assert body["degraded"] is True
    assert body["count"] > 0
    assert all((hit["level"], hit["city"]) == ("graduate", "Suzhou") for hit in body["results"])


def test_the_jobs_api_refuses_bad_parameters(client):
    response = client.get("/api/v1/search/jobs", {"salary_at_least": "-5"})

    assert response.status_code == 400
    assert "salary_at_least" in response.json()
