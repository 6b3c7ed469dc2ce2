"""Saved searches and alerts: a buyer saves a services search, a graduate a job search (page or
API, the search's own parser refusing bad parameters by name, nothing written); each daily
alert emails only the listings published since the previous one, never one twice, nothing when
nothing is new, on Elasticsearch and on the database engine; each email carries a signed
one-click unsubscribe link that works signed out, and a bad signature is a 400, nothing written.
A user sees and deletes only their own saved searches (404 otherwise)."""

from datetime import timedelta
from smtplib import SMTPRecipientsRefused

import pytest
from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.http import QueryDict
from django.test import Client
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from elasticsearch import TransportError

from cms.importer import providers_import
from cms.models import JobPostingPage, ProviderPage, ServicePage
from search.alerts import (
    MAX_SAVED_SEARCHES,
    saved_search_alerts_send,
    saved_search_create,
    saved_search_query,
    unsubscribe_token,
)
from search.client import get_client, index_name
from search.indexing import INDEXES, index_rebuild
from search.models import SavedSearch, SavedSearchMatch
from search.params import job_query, service_query
from search.queries import JobQuery, ServiceQuery
from search.tasks import saved_search_alerts_send_task
from tests.factories import UserFactory, provider_bundle, provider_record
from tests.factories.search import SavedSearchFactory

pytestmark = pytest.mark.django_db

SITE = settings.SITE_URL.rstrip("/")


def _record(external_id: str) -> dict:
    """A provider with one tardigrade listing and one tardigrade job (no demo page says it)."""
    record = provider_record(external_id)
    record["services"][0]["title"] = {
        "en": f"Tardigrade desiccation assay {external_id}",
        "zh": f"水熊虫干燥耐受试验{external_id}",
    }
    record["jobs"][0]["title"] = {
        "en": f"Tardigrade husbandry graduate {external_id}",
        "zh": f"水熊虫饲养应届生{external_id}",
    }
    return record


def refreshed() -> None:
    """What Elasticsearch was sent is searchable now (nothing to do while it is unreachable)."""
    try:
        get_client().indices.refresh(index=index_name("*"))
    except TransportError:
        pass


@pytest.fixture
def publish(search_indexes, django_capture_on_commit_callbacks):
    """Publishes a new provider with its tardigrade listing and job, the indexes updated through
    the outbox as after each commit; returns (listing, job). The indexes outlive the test's
    transaction: afterwards its providers are unpublished and every index built afresh."""
    published = []

    def publish_one(external_id: str) -> tuple[ServicePage, JobPostingPage]:
        with django_capture_on_commit_callbacks(execute=True):
            assert providers_import(bundle=provider_bundle(_record(external_id))).ok
        published.append(external_id)
        refreshed()
        return (
            ServicePage.objects.get(external_id=f"{external_id}-s1"),
            JobPostingPage.objects.get(external_id=f"{external_id}-j1"),
        )

    yield publish_one
    if published:
        with django_capture_on_commit_callbacks(execute=True):
            for page in ProviderPage.objects.filter(organisation__external_id__in=published):
                page.unpublish()
        for name in INDEXES:
            index_rebuild(name=name)


@pytest.fixture(params=["elasticsearch", "database"])
def alert_engine(request, publish):
    """Alerts answered by Elasticsearch, then by the database's engine (Elasticsearch down)."""
    if request.param == "database":
        request.getfixturevalue("elasticsearch_unreachable")
    return request.param


def tardigrade_search(user, kind: str) -> SavedSearch:
    return saved_search_create(user=user, kind=kind, params=QueryDict("q=tardigrade"))


# The alerts ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["services", "jobs"])
def test_an_alert_tells_only_listings_new_since_the_last_one_and_never_twice(
    kind, alert_engine, publish, mailoutbox, django_capture_on_commit_callbacks
):
    owner = UserFactory(email_verified=True)
    publish("tg-gamma")  # published before the search was saved: not new
    saved_search = tardigrade_search(owner, kind)
    pages = dict(zip(("services", "jobs"), publish("tg-alpha"), strict=True))
    new = pages[kind]

    assert saved_search_alerts_send() == 1

    [mail] = mailoutbox
    assert mail.to == [owner.email]
    noun = "job posting" if kind == "jobs" else "listing"
    assert mail.subject.startswith(f"1 new {noun} for your saved search “tardigrade” · ")
    assert f"{SITE}{new.get_url()}" in mail.body
    assert new.title in mail.body and new.title_zh in mail.body  # English and Chinese
    assert "tg-gamma" not in mail.body
    token = unsubscribe_token(saved_search_id=saved_search.pk)
    unsubscribe_url = f"{SITE}/search/saved/unsubscribe/{token}/"
    assert f"Stop these alerts with one click: {unsubscribe_url}" in mail.body
    assert mail.body.endswith(f"{SITE}/search/saved/#saved-searches\n")  # to manage them
    assert mail.extra_headers == {
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }

    assert saved_search_alerts_send() == 0  # at once again: nothing new, no email
    newer = dict(zip(("services", "jobs"), publish("tg-beta"), strict=True))[kind]
    assert saved_search_alerts_send() == 1
    second = mailoutbox[1]
    assert newer.title in second.body and new.title not in second.body

    with django_capture_on_commit_callbacks(execute=True):
        new.save_revision().publish()  # published again: a newer date, the same listing
    refreshed()
    assert saved_search_alerts_send() == 0
    assert len(mailoutbox) == 2
    told = SavedSearchMatch.objects.filter(saved_search=saved_search)
    assert sorted(told.values_list("page_id", flat=True)) == sorted([new.pk, newer.pk])


def test_the_same_run_twice_sends_nothing_twice(publish, mailoutbox):
    owner = UserFactory(email_verified=True)
    saved_search = tardigrade_search(owner, "services")
    publish("tg-twice")
    now = timezone.now()

    assert saved_search_alerts_send(now=now) == 1
    assert saved_search_alerts_send(now=now) == 0
    assert saved_search_alerts_send_task.delay().get() == 0  # the daily task: nothing new

    saved_search.refresh_from_db()
    assert saved_search.alerted_through > now
    assert len(mailoutbox) == 1


def test_a_refused_email_is_sent_on_the_retry_without_holding_up_the_others(
    publish, mailoutbox, monkeypatch
):
    refused, told = UserFactory(email_verified=True), UserFactory(email_verified=True)
    first, second = tardigrade_search(refused, "services"), tardigrade_search(told, "jobs")
    publish("tg-retry")
    send = EmailMessage.send

    def refusing(message, *args, **kwargs):
        if message.to == [refused.email]:
            raise SMTPRecipientsRefused({refused.email: (550, b"mailbox unavailable")})
        return send(message, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", refusing)
    with pytest.raises(SMTPRecipientsRefused):
        saved_search_alerts_send()

    assert [mail.to for mail in mailoutbox] == [[told.email]]
    assert not SavedSearchMatch.objects.filter(saved_search=first).exists()
    assert SavedSearch.objects.get(pk=first.pk).alerted_through == first.alerted_through
    monkeypatch.setattr(EmailMessage, "send", send)
    assert saved_search_alerts_send() == 1  # the retry: the refused one only
    assert [mail.to for mail in mailoutbox] == [[told.email], [refused.email]]
    assert SavedSearchMatch.objects.filter(saved_search=second).count() == 1


def test_no_email_when_nothing_new_matches(publish, mailoutbox):
    owner = UserFactory(email_verified=True)
    saved_search = tardigrade_search(owner, "services")
    before = saved_search.alerted_through
    publish("tg-other-words")  # new, but the search is for other words:
    other = saved_search_create(user=owner, kind="services", params={"q": "axolotl"})

    assert saved_search_alerts_send() == 1  # the tardigrade search
    assert saved_search_alerts_send(now=timezone.now() + timedelta(days=1)) == 0

    other.refresh_from_db()
    assert other.alerted_through > before  # looked at, moved on, nothing sent
    assert [mail.to for mail in mailoutbox] == [[owner.email]]
    assert not SavedSearchMatch.objects.filter(saved_search=other).exists()


def test_alerts_switched_off_send_nothing(publish, mailoutbox):
    owner = UserFactory(email_verified=True)
    saved_search = tardigrade_search(owner, "jobs")
    SavedSearch.objects.filter(pk=saved_search.pk).update(is_active=False)
    publish("tg-off")

    assert saved_search_alerts_send() == 0
    assert mailoutbox == []


def test_the_beat_schedule_sends_the_alerts_daily():
    entry = settings.CELERY_BEAT_SCHEDULE["search-saved-search-alerts"]

    assert entry == {
        "task": "search.tasks.saved_search_alerts_send_task",
        "schedule": 24 * 3600.0,
    }


# The published-since restriction, on both engines ---------------------------------------------


def test_a_query_published_since_a_moment_finds_only_what_was_published_from_then(engine):
    later = timezone.now() + timedelta(days=1)
    every = timezone.now() - timedelta(days=365 * 50)

    assert engine.services(ServiceQuery(text="toxicology", published_since=later))["count"] == 0
    assert engine.jobs(JobQuery(published_since=later))["count"] == 0
    assert (
        engine.services(ServiceQuery(text="toxicology", published_since=every))["count"]
        == engine.services(ServiceQuery(text="toxicology"))["count"]
        > 0
    )
    assert (
        engine.jobs(JobQuery(published_since=every))["count"] == (engine.jobs(JobQuery())["count"])
    )


# Saving: the parameters as the search's own parser takes them ---------------------------------


def test_a_saved_search_keeps_the_parsers_parameters_and_searches_the_same_again():
    owner = UserFactory()
    given = QueryDict(
        "q=+glp+tox+&zone=jiangsu_ftz&zone=beijing_ftz&verified=true&sort=relevance"
        "&price_max=50000&exclude_flagged=false&page=3&unknown=1"
    )

    saved_search = saved_search_create(user=owner, kind="services", params=given, name="")

    assert saved_search.params == {
        "q": "glp tox",
        "zone": ["jiangsu_ftz", "beijing_ftz"],
        "price_max": "50000.00",
        "verified": "true",
    }
    assert saved_search.name == "glp tox"
    query, _errors = service_query(given)
    query.page = 1  # a saved search is the search, not one page of it
    assert saved_search_query(saved_search=saved_search) == query


def test_a_saved_job_search_keeps_the_job_parsers_parameters():
    owner = UserFactory()

    saved_search = saved_search_create(
        user=owner,
        kind="jobs",
        params={"q": "bioanalysis", "level": ["graduate"], "salary_at_least": 8000},
        name="Graduate bioanalysis",
    )

    assert saved_search.params == {
        "q": "bioanalysis",
        "level": ["graduate"],
        "salary_at_least": "8000.00",
    }
    query, _errors = job_query(QueryDict("q=bioanalysis&level=graduate&salary_at_least=8000"))
    assert saved_search_query(saved_search=saved_search) == query


# Pages ---------------------------------------------------------------------------------------


def test_a_signed_in_buyer_saves_a_search_from_the_results_page(client, services_index):
    buyer = UserFactory(email_verified=True)
    client.force_login(buyer)

    page = client.get("/search/", {"q": "toxicology", "verified": "true", "page": "2"})
    assert 'action="/search/saved/"' in page.text and "Save this search" in page.text
    assert page.context["saved_search_params"] == "q=toxicology&verified=true"
    saved = client.post(
        "/search/saved/",
        {"kind": "services", "params": "q=toxicology&verified=true", "name": "Tox, verified"},
    )

    assert saved.status_code == 302 and saved["Location"] == "/search/saved/"
    saved_search = SavedSearch.objects.get(owner=buyer)
    assert (saved_search.kind, saved_search.name, saved_search.params) == (
        "services",
        "Tox, verified",
        {"q": "toxicology", "verified": "true"},
    )
    listed = client.get("/search/saved/")
    assert listed.status_code == 200
    assert "Tox, verified" in listed.text
    assert "Words: “toxicology”" in listed.text and "Verified providers only" in listed.text
    assert 'href="/search/?q=toxicology&amp;verified=true"' in listed.text


def test_a_signed_in_graduate_saves_a_job_search_from_the_job_board(client, search_indexes):
    graduate = UserFactory(email_verified=True)
    client.force_login(graduate)

    board = client.get("/jobs/", {"q": "bioanalysis", "level": "graduate"})
    assert 'name="kind" value="jobs"' in board.text
    saved = client.post(
        "/search/saved/", {"kind": "jobs", "params": "q=bioanalysis&level=graduate"}
    )

    assert saved.status_code == 302
    saved_search = SavedSearch.objects.get(owner=graduate)
    assert (saved_search.kind, saved_search.name, saved_search.params) == (
        "jobs",
        "bioanalysis",
        {"q": "bioanalysis", "level": ["graduate"]},
    )
    listed = client.get("/search/saved/").text
    assert "Level: Graduate" in listed
    assert 'href="/jobs/?q=bioanalysis&amp;level=graduate"' in listed


def test_signed_out_readers_are_asked_to_sign_in_to_save_a_search(client, search_indexes):
    services = client.get("/search/", {"q": "toxicology"}).text
    jobs = client.get("/jobs/", {"q": "bioanalysis"}).text

    sign_in = '<a href="/accounts/login/?next=/search/%3Fq%3Dtoxicology">'
    assert f"{sign_in}Sign in to save this search</a> and get new matches by email." in services
    assert "Sign in to save this search" in jobs
    assert 'action="/search/saved/"' not in services + jobs
    assert client.get("/search/saved/").status_code == 302  # to sign in


def test_bad_parameters_on_the_page_are_a_400_with_messages_and_nothing_written(client):
    buyer = UserFactory(email_verified=True)
    client.force_login(buyer)

    response = client.post(
        "/search/saved/", {"kind": "services", "params": "q=tox&price_max=cheap&rating_min=9"}
    )

    assert response.status_code == 400
    assert "The search was not saved:" in response.text
    assert "Price up to (CNY): A valid number is required." in response.text
    assert "Buyers&#x27; rating at least: Ensure this value is less than or equal to 5." in (
        response.text
    )
    assert not SavedSearch.objects.exists()


def test_a_user_deletes_their_own_saved_search_and_not_anothers(client):
    mine, theirs = SavedSearchFactory(), SavedSearchFactory()
    client.force_login(mine.owner)

    assert client.post(f"/search/saved/{theirs.pk}/delete/").status_code == 404
    switched = client.post(f"/search/saved/{theirs.pk}/alerts/", {"is_active": "false"})
    assert switched.status_code == 404
    assert theirs.name not in client.get("/search/saved/").text
    assert client.post(f"/search/saved/{mine.pk}/delete/").status_code == 302

    assert list(SavedSearch.objects.values_list("pk", flat=True)) == [theirs.pk]
    theirs.refresh_from_db()
    assert theirs.is_active


def test_alerts_switched_on_again_tell_only_what_comes_from_then(client):
    saved_search = SavedSearchFactory(
        is_active=False, alerted_through=timezone.now() - timedelta(days=30)
    )
    client.force_login(saved_search.owner)

    response = client.post(f"/search/saved/{saved_search.pk}/alerts/", {"is_active": "true"})

    assert response.status_code == 302
    saved_search.refresh_from_db()
    assert saved_search.is_active
    assert saved_search.alerted_through > timezone.now() - timedelta(minutes=1)


# Unsubscribing -------------------------------------------------------------------------------


def test_the_signed_link_unsubscribes_signed_out_after_a_confirmation():
    saved_search = SavedSearchFactory(name="GLP tox")
    url = f"/search/saved/unsubscribe/{unsubscribe_token(saved_search_id=saved_search.pk)}/"
    browser = Client(enforce_csrf_checks=True)  # signed out, no CSRF cookie

    confirm = browser.get(url)
    saved_search.refresh_from_db()
    assert confirm.status_code == 200 and saved_search.is_active  # GET changes nothing
    assert "Stop the email alerts of your saved search “GLP tox”?" in confirm.text
    assert f'<form method="post" action="{url}">' in confirm.text

    done = browser.post(url)
    assert done.status_code == 200
    assert "Done: no more email alerts will come" in done.text
    saved_search.refresh_from_db()
    assert not saved_search.is_active
    assert browser.post(url).status_code == 200  # again: still off, nothing else


def test_a_mail_clients_one_click_post_unsubscribes():
    saved_search = SavedSearchFactory()
    url = f"/search/saved/unsubscribe/{unsubscribe_token(saved_search_id=saved_search.pk)}/"

    response = Client(enforce_csrf_checks=True).post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 200
    saved_search.refresh_from_db()
    assert not saved_search.is_active


@pytest.mark.parametrize(
    "token",
    [
        "tampered",
        "altered-signature",
        "other-salt",
        "not-a-token",
    ],
)
def test_a_bad_signature_is_a_400_with_a_message_and_nothing_written(token):
    saved_search = SavedSearchFactory()
    good = unsubscribe_token(saved_search_id=saved_search.pk)
    other = SavedSearchFactory()
    tokens = {
        # The other saved search's id under this one's signature.
        "tampered": unsubscribe_token(saved_search_id=other.pk).split(":")[0]
        + ":"
        + good.split(":", 1)[1],
        "altered-signature": good[:-2] + ("AA" if not good.endswith("AA") else "BB"),
        "other-salt": signing.dumps(saved_search.pk),
        "not-a-token": "12",
    }
    url = f"/search/saved/unsubscribe/{tokens[token]}/"
    browser = Client(enforce_csrf_checks=True)

    for response in (browser.get(url), browser.post(url)):
        assert response.status_code == 400
        assert "This unsubscribe link is not valid" in response.text
    assert SavedSearch.objects.filter(is_active=True).count() == 2


# The API -------------------------------------------------------------------------------------


def test_the_api_saves_lists_switches_and_deletes_ones_own_saved_searches(client):
    buyer = UserFactory(email_verified=True)
    theirs = SavedSearchFactory()
    client.force_login(buyer)

    created = client.post(
        "/api/v1/saved-searches",
        {"kind": "services", "name": "ADC", "params": {"q": "ADC", "zone": ["jiangsu_ftz"]}},
        content_type="application/json",
    )
    job = client.post(
        "/api/v1/saved-searches",
        {"kind": "jobs", "params": {"q": "bioanalysis", "sponsorship": ["B"]}},
        content_type="application/json",
    )

    assert (created.status_code, job.status_code) == (201, 201)
    body = created.json()
    assert {key: body[key] for key in ("kind", "name", "params", "is_active", "search_url")} == {
        "kind": "services",
        "name": "ADC",
        "params": {"q": "ADC", "zone": ["jiangsu_ftz"]},
        "is_active": True,
        "search_url": "/search/?q=ADC&zone=jiangsu_ftz",
    }
    assert job.json()["search_url"] == "/jobs/?q=bioanalysis&sponsorship=B"
    listed = client.get("/api/v1/saved-searches").json()
    assert [entry["id"] for entry in listed] == [job.json()["id"], body["id"]]  # not theirs

    switched = client.patch(
        f"/api/v1/saved-searches/{body['id']}", {"is_active": False}, "application/json"
    )
    assert switched.status_code == 200 and switched.json()["is_active"] is False
    assert client.delete(f"/api/v1/saved-searches/{body['id']}").status_code == 204
    assert list(SavedSearch.objects.filter(owner=buyer).values_list("kind", flat=True)) == ["jobs"]
    assert theirs.pk in SavedSearch.objects.values_list("pk", flat=True)


def test_another_users_saved_search_is_a_404_in_the_api(client):
    theirs = SavedSearchFactory()
    client.force_login(UserFactory())

    assert client.delete(f"/api/v1/saved-searches/{theirs.pk}").status_code == 404
    patched = client.patch(
        f"/api/v1/saved-searches/{theirs.pk}", {"is_active": False}, "application/json"
    )
    assert patched.status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_active


def test_the_api_refuses_bad_parameters_by_name_and_writes_nothing(client):
    client.force_login(UserFactory())

    bad = client.post(
        "/api/v1/saved-searches",
        {"kind": "services", "params": {"price_max": "cheap", "turnaround_max": 0}},
        content_type="application/json",
    )
    bad_kind = client.post(
        "/api/v1/saved-searches", {"kind": "providers"}, content_type="application/json"
    )
    bad_job = client.post(
        "/api/v1/saved-searches",
        {"kind": "jobs", "params": {"salary_at_least": "lots", "level": ["x" * 21]}},
        content_type="application/json",
    )

    assert bad.status_code == 400
    assert bad.json() == {
        "price_max": ["A valid number is required."],
        "turnaround_max": ["Ensure this value is greater than or equal to 1."],
    }
    assert bad_kind.status_code == 400 and set(bad_kind.json()) == {"kind"}
    assert bad_job.status_code == 400
    assert bad_job.json() == {
        "salary_at_least": ["A valid number is required."],
        "level": ["Ensure this field has no more than 20 characters."],
    }
    assert not SavedSearch.objects.exists()


def test_a_user_keeps_at_most_twenty_saved_searches_and_each_search_once(client):
    user = UserFactory()
    SavedSearchFactory.create_batch(MAX_SAVED_SEARCHES - 2, owner=user)
    client.force_login(user)

    def save(q: str):
        return client.post(
            "/api/v1/saved-searches",
            {"kind": "services", "params": {"q": q}},
            content_type="application/json",
        )

    assert save("toxicology").status_code == 201
    again = save("toxicology")
    assert save("bioanalysis").status_code == 201
    over = save("pharmacokinetics")

    assert MAX_SAVED_SEARCHES == 20
    assert (again.status_code, over.status_code) == (400, 400)
    assert again.json() == {"detail": ["You have saved this search already."]}
    assert over.json() == {
        "detail": [
            "You have 20 saved searches, as many as one can keep. Delete one to save another."
        ]
    }
    assert SavedSearch.objects.filter(owner=user).count() == 20


def test_the_api_needs_a_signed_in_user(client):
    assert client.get("/api/v1/saved-searches").status_code == 403
    assert client.post("/api/v1/saved-searches", {}, "application/json").status_code == 403


def test_the_schema_documents_the_saved_searches():
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]

    assert set(paths["/api/v1/saved-searches"]) == {"get", "post"}
    assert set(paths["/api/v1/saved-searches/{id}"]) == {"patch", "delete"}
    assert set(paths["/api/v1/saved-searches"]["post"]["responses"]) == {"201", "400", "403"}
    assert set(paths["/api/v1/saved-searches/{id}"]["delete"]["responses"]) == {
        "204",
        "403",
        "404",
    }
