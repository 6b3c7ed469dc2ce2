"""Verified reviews: only a buyer with a completed contract reviews its provider, once; the
provider answers once; platform staff hide one with a reason; the rating counts visible ones."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError

from marketplace.accounts.models import Membership, Organisation, Role
from marketplace.accounts.permissions import PLATFORM_MODERATORS
from marketplace.contracting.models import AuditEvent
from marketplace.trust.models import Review
from marketplace.trust.services import review_create
from tests.factories import (
    Party,
    UserFactory,
    buyer_party,
    completed_contract,
    contract_for,
    fx_rates,
    provider_party,
)

pytestmark = pytest.mark.django_db

RATINGS = {"overall": 4, "quality": 5, "timeliness": 3, "communication": 4, "value": 4}


def review_body(contract, **changes) -> dict:
    return {"contract": contract.pk, **RATINGS, "text": "Clean data, one week late.", **changes}


@pytest.fixture
def deal():
    buyer, provider = buyer_party(), provider_party()
    return buyer, provider, completed_contract(buyer, provider)


def post(client, user, path, body):
    client.force_login(user)
    return client.post(path, body, content_type="application/json")


def test_the_buyer_reviews_a_completed_contract_and_the_rating_shows_it(client, deal):
    buyer, provider, contract = deal

    response = post(client, buyer.owner, "/api/v1/reviews", review_body(contract))

    assert response.status_code == 201, response.json()
    assert response.json()["overall"] == 4 and response.json()["buyer_country"] == "US"
    review = Review.objects.get(contract=contract)
    assert (review.buyer, review.provider, review.author) == (
        buyer.organisation, provider.organisation, buyer.owner,
    )  # fmt: skip
    assert AuditEvent.objects.filter(subject_type="review", subject_id=review.pk).exists()
    client.logout()
    summary = client.get(f"/api/v1/providers/{provider.organisation.slug}/reviews").json()
    assert summary["rating"]["count"] == 1 and summary["rating"]["average"] == "4.0"
    assert summary["rating"]["aspects"]["timeliness"] == "3.0"
    assert [b["count"] for b in summary["rating"]["distribution"]] == [0, 1, 0, 0, 0]
    assert summary["reviews"][0]["text"] == "Clean data, one week late."


def test_a_contract_not_completed_cannot_be_reviewed(client):
    fx_rates()
    buyer, provider = buyer_party(), provider_party()
    contract = contract_for(buyer, provider)

    response = post(client, buyer.owner, "/api/v1/reviews", review_body(contract))

    assert response.status_code == 409
    assert "once it is completed" in response.json()["detail"]
    assert not Review.objects.exists()


def test_a_second_review_of_the_same_contract_is_refused(client, deal):
    buyer, _provider, contract = deal
    assert post(client, buyer.owner, "/api/v1/reviews", review_body(contract)).status_code == 201

    again = post(client, buyer.owner, "/api/v1/reviews", review_body(contract, overall=1))

    assert again.status_code == 409 and "reviewed already" in again.json()["detail"]
    assert Review.objects.get(contract=contract).overall == 4


@pytest.mark.parametrize("rating", [0, 6, "five", None, 4.5])
def test_a_rating_off_the_scale_is_refused_by_field(client, deal, rating):
    buyer, _provider, contract = deal

    response = post(client, buyer.owner, "/api/v1/reviews", review_body(contract, quality=rating))

    assert response.status_code == 400 and "quality" in response.json()
    assert not Review.objects.exists()


def test_the_service_refuses_a_rating_off_the_scale_too(deal):
    buyer, _provider, contract = deal
    with pytest.raises(ValidationError, match="from 1 to 5"):
        review_create(contract=contract, by=buyer.owner, text="x", **{**RATINGS, "value": 9})
    assert not Review.objects.exists()


def test_only_the_buyer_reviews_its_contract(client, deal):
    _buyer, provider, contract = deal

    by_provider = post(client, provider.owner, "/api/v1/reviews", review_body(contract))
    by_stranger = post(client, UserFactory(), "/api/v1/reviews", review_body(contract))

    assert by_provider.status_code == 403 and "buyer" in by_provider.json()["detail"]
    assert by_stranger.status_code == 400 and "contract" in by_stranger.json()  # not theirs
    assert not Review.objects.exists()


def test_the_provider_answers_once_and_nobody_else_can(client, deal):
    buyer, provider, contract = deal
    review_id = post(client, buyer.owner, "/api/v1/reviews", review_body(contract)).json()["id"]
    path = f"/api/v1/reviews/{review_id}/reply"

    by_buyer = post(client, buyer.owner, path, {"text": "We agree."})
    by_stranger = post(client, UserFactory(), path, {"text": "Nice."})
    answered = post(client, provider.owner, path, {"text": "数据已按时交付，谢谢。"})
    again = post(client, provider.owner, path, {"text": "Second thoughts."})

    assert by_buyer.status_code == 403 and "provider" in by_buyer.json()["detail"]
    assert by_stranger.status_code == 403
    assert answered.status_code == 200 and answered.json()["reply_language"] == "zh-hans"
    assert again.status_code == 409
    assert Review.objects.get(pk=review_id).reply == "数据已按时交付，谢谢。"


def test_staff_hide_a_review_with_a_reason_and_it_leaves_the_rating(client, deal):
    buyer, provider, contract = deal
    review_id = post(client, buyer.owner, "/api/v1/reviews", review_body(contract)).json()["id"]
    path = f"/api/v1/reviews/{review_id}/hide"
    moderator = UserFactory()
    moderator.groups.add(Group.objects.get_or_create(name=PLATFORM_MODERATORS)[0])

    by_buyer = post(client, buyer.owner, path, {"reason": "I changed my mind"})
    no_reason = post(client, moderator, path, {"reason": "  "})
    hidden = post(client, moderator, path, {"reason": "Names a person at the provider."})

    assert by_buyer.status_code == 403 and "staff" in by_buyer.json()["detail"]
    assert no_reason.status_code == 400
    assert hidden.status_code == 200 and hidden.json()["hidden_reason"].startswith("Names")
    review = Review.objects.get(pk=review_id)
    assert review.hidden_by == moderator and review.hidden_at is not None
    assert AuditEvent.objects.filter(subject_type="review", action="hide").count() == 1
    client.logout()
    summary = client.get(f"/api/v1/providers/{provider.organisation.slug}/reviews").json()
    assert summary["rating"]["count"] == 0 and summary["reviews"] == []
    assert summary["rating"]["average"] is None


def test_the_rating_averages_several_contracts(client):
    provider = provider_party()
    for overall in (5, 4, 4):
        buyer = buyer_party()
        contract = completed_contract(buyer, provider)
        review_create(
            contract=contract, by=buyer.owner, text="ok", **{**RATINGS, "overall": overall}
        )

    summary = client.get(f"/api/v1/providers/{provider.organisation.slug}/reviews").json()

    assert summary["rating"]["count"] == 3
    assert Decimal(summary["rating"]["average"]) == Decimal("4.3")
    assert [b["percent"] for b in summary["rating"]["distribution"]] == [33, 67, 0, 0, 0]


def test_the_contract_page_offers_the_form_to_the_buyer_and_the_answer_to_the_provider(client):
    provider_org = Organisation.objects.get(external_id="demo-p001")
    owner = UserFactory(email_verified=True)
    Membership.objects.create(user=owner, organisation=provider_org, role=Role.OWNER)
    buyer = buyer_party()
    contract = completed_contract(buyer, Party(provider_org, owner))
    page = f"/deals/contracts/{contract.pk}/"
    client.force_login(buyer.owner)
    assert "Publish the review" in client.get(page).text

    form = {**RATINGS, "text": "Solid GLP work."}
    response = client.post(f"/reviews/contracts/{contract.pk}/", form)

    assert response.status_code == 302 and response["Location"] == page
    assert "Publish the review" not in client.get(page).text
    client.force_login(owner)
    assert "Publish the answer" in client.get(page).text
    provider_page = provider_org.provider_page.url
    client.logout()
    english = client.get(provider_page).text
    assert "Solid GLP work." in english and "Reviews from verified buyers" in english
    assert "United States" in english
    chinese = client.get(provider_page, HTTP_ACCEPT_LANGUAGE="zh-hans").text
    assert "美国" in chinese and "Reviews from verified buyers" not in chinese


def test_a_form_with_a_rating_missing_says_so_and_writes_nothing(client, deal):
    buyer, _provider, contract = deal
    client.force_login(buyer.owner)

    response = client.post(
        f"/reviews/contracts/{contract.pk}/", {**RATINGS, "overall": "", "text": "x"}
    )

    assert response.status_code == 400 and "required" in response.text
    assert not Review.objects.exists()
