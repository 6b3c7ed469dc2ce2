from datetime import date

import pytest

from cms.models import JobPostingPage
from search.queries import JobQuery, search_jobs

pytestmark = pytest.mark.django_db


def test_a_graduate_looking_for_bioanalysis_in_suzhou_finds_that_job_first(engine):
    wanted = JobPostingPage.objects.live().filter(
        city="Suzhou", level="graduate", title_en__icontains="bioanalytical"
    )
    assert wanted.exists()  # the demo has one

    result = engine.jobs(JobQuery(text="graduate bioanalysis Suzhou"))

    assert result["results"][0]["id"] in set(wanted.values_list("pk", flat=True))


def test_closed_postings_are_kept_but_not_found(engine):
    closed = JobPostingPage.objects.live().filter(closes_on__lt=date(2026, 11, 27))
    assert closed.exists()  # the demo has postings that closed on 2026-10-31

    found = {hit["id"] for page in (1, 2, 3) for hit in engine.jobs(JobQuery(page=page))["results"]}

    assert not found & set(closed.values_list("pk", flat=True))
    assert (
        engine.jobs(JobQuery())["count"] == JobPostingPage.objects.live().count() - closed.count()
    )


def test_job_filters_and_their_facet_counts_agree(engine):
    unfiltered = engine.jobs(JobQuery())

    for name in ("city", "level", "sponsorship"):
        bucket = unfiltered["facets"][name][0]
        assert engine.jobs(JobQuery(filters={name: [bucket["value"]]}))["count"] == bucket["count"]


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


def test_a_chinese_search_finds_the_graduate_bioanalysis_job_in_suzhou(engine):
    result = engine.jobs(JobQuery(text="应届 生物分析 苏州"))

    first = JobPostingPage.objects.get(pk=result["results"][0]["id"])
    assert (first.city, first.level, first.disciplines.get().code) == (
        "Suzhou",
        "graduate",
        "dmpk.bioanalysis",
    )


def test_the_job_board_lists_open_jobs_graduate_roles_first_with_facets(client, search_indexes):
    response = client.get("/jobs/", {"q": "graduate bioanalysis Suzhou"})

    assert response.status_code == 200
    html = response.text
    assert "Graduate bioanalytical scientist" in html
    first_card = html.split('<li class="card">')[1]
    assert "Graduate bioanalytical scientist" in first_card and "Suzhou" in first_card
    facets = html.split('class="facets"')[1].split("</aside>")[0]
    assert facets.index("Graduate") < facets.index("Intern")  # graduate and intern roles first
    assert "Work permit" in facets and "City" in facets


def test_the_job_board_filters_by_facet_and_salary(client, search_indexes):
    response = client.get("/jobs/", {"level": "intern", "salary_at_least": "4000"})

    hits = response.context["result"]["results"]
    assert hits and all(hit["level"] == "intern" for hit in hits)
    assert all(int(hit["salary_max"].split(".")[0]) >= 4000 for hit in hits)
    closed = JobPostingPage.objects.live().filter(closes_on__lt=date(2026, 11, 27))
    assert not {hit["id"] for hit in hits} & set(closed.values_list("pk", flat=True))


def test_the_job_board_speaks_chinese_with_chinese_city_names(client, search_indexes):
    response = client.get("/jobs/", {"q": "应届 生物分析 苏州"}, HTTP_ACCEPT_LANGUAGE="zh-CN")

    first_card = response.text.split('<li class="card">')[1]
    assert "应届生物分析研究员" in first_card
    assert "苏州" in first_card and "应届毕业生" in first_card


def test_the_job_board_answers_from_the_database_when_elasticsearch_is_down(
    client, search_indexes, elasticsearch_unreachable
):
    response = client.get("/jobs/", {"q": "苏州"})

    assert response.status_code == 200
    assert "Basic search" in response.text
    hits = response.context["result"]["results"]
    assert hits and all(hit["city"] == "Suzhou" for hit in hits)


def test_the_job_board_refuses_bad_options_with_a_message(client, search_indexes):
    response = client.get("/jobs/", {"salary_at_least": "lots", "page": "0"})

    assert response.status_code == 400
    assert "salary_at_least" in response.text and "page" in response.text


def test_blank_fields_of_the_job_search_form_mean_no_filter(client, search_indexes):
    response = client.get("/jobs/?q=Suzhou&salary_at_least=&level=")

    assert response.status_code == 200
    assert response.context["result"]["count"] == search_jobs(JobQuery(text="Suzhou"))["count"]
