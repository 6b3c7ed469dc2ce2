"""The deal through the REST API: each party sees and does only what is theirs."""

from datetime import timedelta
from functools import cache

import pytest
from django.test import Client
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from marketplace.contracting.models import Quote, QuoteRevision, Rfq
from marketplace.contracting.services import rfq_update
from tests.factories import buyer_party, fx_rates, provider_party, quote_for, rfq_for

pytestmark = pytest.mark.django_db
IN_A_MONTH = (timezone.localdate() + timedelta(days=30)).isoformat()
# Signing a contract: the signer's name typed and their password again (the factories' password).
SIGNING = {"typed_name": "Alex Chen", "password": "password"}
QUOTE = {
    "lines": [
        {"description": "Microsomal stability, 12 compounds", "quantity": "12",
         "unit_price": "3500.00", "vat_rate": "0", "vat_basis": "zero_rated_export",
         "capability_code": "dmpk.in_vitro_adme"},
        {"description": "CYP inhibition panel", "quantity": "1", "unit_price": "28000.00",
         "vat_rate": "0.06", "vat_basis": "standard"},
    ],
    "milestones": [
        {"name": "Kick-off", "share": "30", "trigger": "Contract signed"},
        {"name": "Final report", "share": "70", "trigger": "Report delivered"},
    ],
    "valid_until": IN_A_MONTH,
    "provider_is_ciio": False,
}  # fmt: skip


def client_for(party) -> Client:
    client = Client()
    client.force_login(party.owner)
    return client


@pytest.fixture
def parties():
    fx_rates()
    return buyer_party(), provider_party()


def test_a_buyer_sends_an_rfq_a_provider_quotes_and_the_buyer_accepts(parties):
    buyer, provider = parties
    as_buyer, as_provider = client_for(buyer), client_for(provider)

    created = as_buyer.post("/api/v1/rfqs/", {
        "title": "Metabolic stability panel", "scope": "12 compounds, human and rat microsomes.",
        "capability_codes": ["dmpk.in_vitro_adme"], "budget_currency": "EUR",
        "budget_max_amount": "20000.00", "invite": [provider.organisation.slug], "open": True,
        "hgr_materials_leave_china": False, "technology_catalogue_item": "none",
    }, content_type="application/json")  # fmt: skip
    assert created.status_code == 201, created.json()
    rfq = created.json()
    assert (rfq["status"], rfq["is_redacted"], rfq["screening"]["outcome"]) == (
        "open", False, "to_confirm",  # personal data, HGR information... not stated
    )  # fmt: skip

    quoted = as_provider.post(
        f"/api/v1/rfqs/{rfq['id']}/quotes/", {**QUOTE, "submit": True},
        content_type="application/json",
    )  # fmt: skip
    assert quoted.status_code == 201, quoted.json()
    quote = quoted.json()
    current = quote["current"]
    assert (current["total_amount"], current["currency"]) == ("71680.00", "CNY")
    assert (current["buyer_currency"], current["fx_rate"]) == ("EUR", "0.1212000000")
    assert current["total_buyer_amount"] == "8687.62"
    assert [m["amount"] for m in current["milestones"]] == ["21504.00", "50176.00"]

    seen = as_buyer.get(f"/api/v1/rfqs/{rfq['id']}/quotes/").json()
    assert [q["id"] for q in seen] == [quote["id"]]
    accepted = as_buyer.post(f"/api/v1/quotes/{quote['id']}/accept")
    assert accepted.status_code == 201, accepted.json()
    contract = accepted.json()
    assert (contract["status"], contract["total_amount"]) == ("pending_signature", "71680.00")

    again = as_buyer.post(f"/api/v1/quotes/{quote['id']}/accept")
    assert again.status_code == 409
    assert "is accepted: it cannot be accepted" in again.json()["detail"]
    for party in (as_buyer, as_provider):  # signing: the name typed, the password again
        signed = party.post(f"/api/v1/contracts/{contract['id']}/sign", SIGNING, "application/json")
        assert signed.status_code == 200, signed.json()
    assert as_buyer.get(f"/api/v1/contracts/{contract['id']}/").json()["status"] == "active"


def test_another_buyer_finds_none_of_it(parties):
    buyer, provider = parties
    rfq = rfq_for(buyer, invite=[provider])
    quote = quote_for(rfq, provider)
    other = client_for(buyer_party())

    assert other.get("/api/v1/rfqs/").json() == []
    assert other.get(f"/api/v1/rfqs/{rfq.pk}/").status_code == 404
    assert other.get(f"/api/v1/rfqs/{rfq.pk}/quotes/").status_code == 404
    assert other.get(f"/api/v1/quotes/{quote.pk}/").status_code == 404
    assert other.post(f"/api/v1/quotes/{quote.pk}/accept").status_code == 404
    assert other.post(f"/api/v1/rfqs/{rfq.pk}/close").status_code == 404
    assert other.patch(f"/api/v1/rfqs/{rfq.pk}/", {"title": "Mine"},
                       content_type="application/json").status_code == 404  # fmt: skip
    from marketplace.contracting.services import quote_accept

    contract = quote_accept(quote=quote, by=buyer.owner)
    assert other.get(f"/api/v1/contracts/{contract.pk}/").status_code == 404
    signing = other.post(f"/api/v1/contracts/{contract.pk}/sign", SIGNING, "application/json")
    assert signing.status_code == 404
    assert other.get("/api/v1/contracts/").json() == []


def test_a_provider_sees_neither_uninvited_rfqs_nor_other_providers_quotes(parties):
    buyer, provider = parties
    rival, outsider = provider_party(), provider_party(offers=("clinical.trial_management",))
    rfq = rfq_for(buyer, invite=[provider, rival])
    mine, theirs = quote_for(rfq, provider), quote_for(rfq, rival)
    as_provider, as_outsider = client_for(provider), client_for(outsider)

    assert as_outsider.get(f"/api/v1/rfqs/{rfq.pk}/").status_code == 404
    assert as_outsider.post(f"/api/v1/rfqs/{rfq.pk}/quotes/", QUOTE,
                            content_type="application/json").status_code == 404  # fmt: skip
    assert [q["id"] for q in as_provider.get(f"/api/v1/rfqs/{rfq.pk}/quotes/").json()] == [mine.pk]
    assert as_provider.get(f"/api/v1/quotes/{theirs.pk}/").status_code == 404
    assert as_provider.post(f"/api/v1/quotes/{mine.pk}/accept").status_code == 403


def test_providers_read_only_the_summary_until_they_accept_the_nda(parties):
    buyer, provider = parties
    rfq = rfq_for(buyer, invite=[provider], is_nda_required=True, nda_terms="Keep it secret.",
                  summary="ADME screening for a small-molecule series.")  # fmt: skip
    as_provider = client_for(provider)

    before = as_provider.get(f"/api/v1/rfqs/{rfq.pk}/").json()
    assert (before["is_redacted"], before["scope"], before["facts"]) == (True, None, None)
    assert before["summary"] == "ADME screening for a small-molecule series."
    assert before["nda_terms"] == "Keep it secret."
    assert as_provider.post(f"/api/v1/rfqs/{rfq.pk}/quotes/", QUOTE,
                            content_type="application/json").status_code == 409  # fmt: skip

    assert as_provider.post(f"/api/v1/rfqs/{rfq.pk}/accept-nda").status_code == 200

    after = as_provider.get(f"/api/v1/rfqs/{rfq.pk}/").json()
    assert after["is_redacted"] is False
    assert after["scope"] == rfq.scope


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"budget_max_amount": "-1"}, "budget_max_amount"),
        ({"budget_max_amount": "a lot"}, "budget_max_amount"),
        ({"budget_currency": "XYZ"}, "budget_currency"),
        ({"capability_codes": ["safety.nothing"]}, "capability_codes"),
        ({"invite": ["no-such-provider"]}, "invite"),
        ({"title": ""}, "title"),
    ],
)
def test_bad_rfq_input_answers_400_by_field_and_writes_nothing(parties, change, field):
    buyer, _provider = parties
    body = {"title": "T", "scope": "S", "capability_codes": ["dmpk.in_vitro_adme"], **change}

    response = client_for(buyer).post("/api/v1/rfqs/", body, content_type="application/json")

    assert response.status_code == 400
    assert field in response.json()
    assert not Rfq.objects.filter(buyer=buyer.organisation).exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"lines": [{**QUOTE["lines"][0], "unit_price": "-5"}]}, "lines[0].unit_price"),
        ({"lines": [{**QUOTE["lines"][0], "unit_price": "cheap"}]}, "lines"),
        ({"milestones": [{"name": "All", "amount": "1.00", "trigger": "t"}]}, "milestones"),
        ({"valid_until": "2020-01-01"}, "valid_until"),
    ],
)
def test_bad_quote_input_answers_400_by_field_and_writes_nothing(parties, change, field):
    buyer, provider = parties
    rfq = rfq_for(buyer, invite=[provider])

    response = client_for(provider).post(
        f"/api/v1/rfqs/{rfq.pk}/quotes/", {**QUOTE, **change}, content_type="application/json"
    )

    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert not Quote.objects.exists() and not QuoteRevision.objects.exists()


@pytest.mark.parametrize("count", [2**31, 2**63, int("9" * 30)])
@pytest.mark.parametrize(
    "field", ["personal_info_subjects_ytd", "sensitive_personal_info_subjects_ytd"]
)
def test_a_head_count_past_its_column_answers_400_naming_it_and_writes_nothing(
    parties, field, count
):
    buyer, _provider = parties
    as_buyer = client_for(buyer)
    body = {"title": "T", "scope": "S", "capability_codes": ["dmpk.in_vitro_adme"]}
    draft = rfq_for(buyer, open_it=False, **{field: 40})

    created = as_buyer.post("/api/v1/rfqs/", {**body, field: count},
                            content_type="application/json")  # fmt: skip
    edited = as_buyer.patch(f"/api/v1/rfqs/{draft.pk}/", {field: count},
                            content_type="application/json")  # fmt: skip

    limit = {field: ["Ensure this value is less than or equal to 2147483647."]}
    assert (created.status_code, created.json()) == (400, limit)
    assert (edited.status_code, edited.json()) == (400, limit)
    assert list(Rfq.objects.filter(buyer=buyer.organisation)) == [draft]
    draft.refresh_from_db()
    assert getattr(draft, field) == 40


@pytest.mark.parametrize(
    ("change", "errors"),
    [
        ({"turnaround_days": 2**31},
         {"turnaround_days": ["Ensure this value is less than or equal to 2147483647."]}),
        ({"turnaround_days": 10**20},
         {"turnaround_days": ["Ensure this value is less than or equal to 2147483647."]}),
        ({"lines": [{**QUOTE["lines"][0], "unit_price": "0"}],
          "milestones": [{"name": "All", "share": "100", "trigger": "t"}]},
         {"lines": ["A quote's total must be more than zero: price at least one line."]}),
        ({"lines": [{**QUOTE["lines"][0], "quantity": "999999999.999",
                     "unit_price": "999999999999.99"}]},
         {"lines[0].unit_price": ["Quantity × unit price comes to CNY "
                                  "999,999,999,998,990,000,000.00; a line can be at most CNY "
                                  "999,999,999,999.99."]}),
        ({"lines": [{**QUOTE["lines"][1], "unit_price": "999999999999.99"}]},
         {"lines": ["The lines come to CNY 1,059,999,999,999.99 with VAT; a quote can be at most "
                    "CNY 999,999,999,999.99."]}),
    ],
)  # fmt: skip
def test_a_quote_past_what_its_columns_hold_answers_400_naming_the_field_and_writes_nothing(
    parties, change, errors
):
    buyer, provider = parties
    rfq = rfq_for(buyer, invite=[provider])

    response = client_for(provider).post(
        f"/api/v1/rfqs/{rfq.pk}/quotes/", {**QUOTE, **change, "submit": True},
        content_type="application/json",
    )  # fmt: skip

    assert (response.status_code, response.json()) == (400, errors)
    assert not Quote.objects.exists() and not QuoteRevision.objects.exists()


def test_a_total_too_large_for_the_buyers_currency_answers_400_and_writes_nothing(parties):
    buyer, provider = parties
    rfq = rfq_for(buyer, invite=[provider], budget_currency="KRW")  # CNY 1 = KRW 196.42
    lines = [{**QUOTE["lines"][0], "quantity": "1", "unit_price": "10000000000.00"}]

    response = client_for(provider).post(
        f"/api/v1/rfqs/{rfq.pk}/quotes/", {**QUOTE, "lines": lines, "submit": True},
        content_type="application/json",
    )  # fmt: skip

    assert response.status_code == 400
    assert response.json() == {
        "lines": [
            "In KRW the total comes to 1,964,200,000,000, more than a quote can show "
            "(at most 999,999,999,999.99): lower the total."
        ]
    }
    assert not Quote.objects.exists() and not QuoteRevision.objects.exists()


def test_accepting_an_expired_quote_answers_409_and_says_when_it_expired(parties):
    buyer, provider = parties
    quote = quote_for(rfq_for(buyer, invite=[provider]), provider)
    QuoteRevision.objects.filter(quote=quote).update(
        valid_until=timezone.localdate() - timedelta(days=2)
    )

    response = client_for(buyer).post(f"/api/v1/quotes/{quote.pk}/accept")

    assert response.status_code == 409
    assert "expired on" in response.json()["detail"]


def test_a_blocked_deal_answers_409_with_the_blocking_findings(parties):
    buyer, provider = parties
    rfq = rfq_for(buyer, invite=[provider])
    rfq_update(rfq=rfq, by=buyer.owner, technology_catalogue_item="prohibited")  # after sending
    quote = quote_for(rfq, provider)

    response = client_for(buyer).post(f"/api/v1/quotes/{quote.pk}/accept")

    assert response.status_code == 409
    assert [f["rule"] for f in response.json()["findings"]] == ["tech-prohibited"]


def test_the_checklist_and_milestones_through_the_api(parties):
    buyer, provider = parties
    quote = quote_for(rfq_for(buyer, invite=[provider], foreign_staff_on_site=True), provider)
    as_buyer, as_provider = client_for(buyer), client_for(provider)
    contract = as_buyer.post(f"/api/v1/quotes/{quote.pk}/accept").json()
    item = contract["checklist"][0]
    milestone = contract["milestones"][0]
    base = f"/api/v1/contracts/{contract['id']}"

    early = as_provider.post(f"{base}/milestones/{milestone['id']}/due")
    assert early.status_code == 409
    for party in (as_buyer, as_provider):
        assert party.post(f"{base}/sign", SIGNING, "application/json").status_code == 200
    assert as_provider.post(f"{base}/milestones/{milestone['id']}/due").status_code == 200
    ticked = as_buyer.post(
        f"{base}/checklist/{item['id']}/complete",
        {"reference": "WP-2026-1187", "completed_on": timezone.localdate().isoformat()},
        content_type="application/json",
    )
    assert ticked.status_code == 200
    body = ticked.json()
    assert (body["checklist"][0]["rule"], body["checklist"][0]["reference"]) == (
        "work-permit", "WP-2026-1187",
    )  # fmt: skip
    assert body["is_cleared_for_payment"] is True
    assert as_buyer.post(f"{base}/milestones/{milestone['id']}/explode").status_code in (301, 404)


def test_the_screening_endpoint_screens_planned_facts_without_saving(parties):
    buyer, _provider = parties

    response = client_for(buyer).post("/api/v1/screening", {
        "direction": "inbound", "provider_zone": "shanghai_ftz", "foreign_party": True,
        "capability_codes": ["cell_gene_therapy.car_t"],
    }, content_type="application/json")  # fmt: skip

    assert response.status_code == 200
    rules = {f["rule"]: f for f in response.json()["findings"]}
    assert rules["gene-therapy-pilot"]["status"] == "applies"
    assert "gene-therapy-foreign-investment" not in rules


def test_the_api_needs_a_signed_in_user_and_a_csrf_token(parties):
    buyer, _provider = parties
    assert Client().get("/api/v1/rfqs/").status_code == 403
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(buyer.owner)

    response = strict.post("/api/v1/rfqs/", {"title": "T"}, content_type="application/json")

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


@cache
def documented_statuses(path: str, method: str) -> set[int]:
    """The status codes the OpenAPI schema documents for one operation."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {int(code) for code in schema["paths"][path][method]["responses"]}


def test_opening_an_rfq_on_creation_without_providers_answers_a_documented_409(parties):
    buyer, _provider = parties
    body = {"title": "T", "scope": "S", "capability_codes": ["dmpk.in_vitro_adme"], "open": True}

    response = client_for(buyer).post("/api/v1/rfqs/", body, content_type="application/json")

    assert response.status_code == 409
    assert response.json()["detail"] == "Invite at least one provider, or open the request to all."
    assert 409 in documented_statuses("/api/v1/rfqs/", "post")


def test_completing_a_checklist_item_of_a_closed_contract_answers_a_documented_409(parties):
    buyer, provider = parties
    quote = quote_for(rfq_for(buyer, invite=[provider], foreign_staff_on_site=True), provider)
    as_buyer = client_for(buyer)
    contract = as_buyer.post(f"/api/v1/quotes/{quote.pk}/accept").json()
    base = f"/api/v1/contracts/{contract['id']}"
    as_buyer.post(f"{base}/terminate", {"reason": "Budget cut"}, content_type="application/json")

    response = as_buyer.post(
        f"{base}/checklist/{contract['checklist'][0]['id']}/complete",
        {"reference": "WP-2026-1187", "completed_on": timezone.localdate().isoformat()},
        content_type="application/json",
    )

    assert (response.status_code, response.json()) == (409, {"detail": "This contract is closed."})
    path = "/api/v1/contracts/{id}/checklist/{item_pk}/complete"
    assert 409 in documented_statuses(path, "post")


def test_every_answer_the_anonymous_the_stranger_and_the_wrong_party_get_is_documented(parties):
    buyer, provider = parties
    quote = quote_for(rfq_for(buyer, invite=[provider]), provider)

    answers = {
        ("/api/v1/rfqs/", "get"): Client().get("/api/v1/rfqs/"),
        ("/api/v1/quotes/{id}/", "get"): client_for(buyer_party()).get(
            f"/api/v1/quotes/{quote.pk}/"
        ),
        ("/api/v1/quotes/{id}/accept", "post"): client_for(provider).post(
            f"/api/v1/quotes/{quote.pk}/accept"
        ),
        ("/api/v1/screening", "post"): client_for(buyer).post("/api/v1/screening", {}),
    }

    assert {operation: r.status_code for operation, r in answers.items()} == {
        ("/api/v1/rfqs/", "get"): 403,
        ("/api/v1/quotes/{id}/", "get"): 404,
        ("/api/v1/quotes/{id}/accept", "post"): 403,
        ("/api/v1/screening", "post"): 400,
    }
    for (path, method), response in answers.items():
        assert response.status_code in documented_statuses(path, method), (path, method)


@pytest.mark.parametrize(
    "path", ["/api/v1/rfqs/null,null/", "/api/v1/contracts/1/milestones/2/dueX", "/api/v1/nope/"]
)
def test_a_malformed_id_or_an_unknown_api_path_answers_a_json_404(parties, path):
    buyer, _provider = parties

    response = client_for(buyer).post(path)

    assert (response.status_code, response["Content-Type"]) == (404, "application/json")
    assert response.json() == {"detail": "Not found."}


def test_an_api_path_without_its_slash_still_redirects_to_the_one_with_it():
    response = Client().get("/api/v1/rfqs?status=open")

    assert (response.status_code, response["Location"]) == (301, "/api/v1/rfqs/?status=open")


def test_an_rfq_without_therapeutic_area_or_modality_answers_nulls_the_schema_allows(parties):
    buyer, _provider = parties
    rfq = rfq_for(buyer, open_it=False)

    answer = client_for(buyer).get(f"/api/v1/rfqs/{rfq.pk}/").json()

    assert (answer["therapeutic_area"], answer["modality"]) == (None, None)
    schema = SchemaGenerator().get_schema(request=None, public=True)
    fields = schema["components"]["schemas"]["Rfq"]["properties"]
    assert fields["therapeutic_area"]["nullable"] and fields["modality"]["nullable"]


def test_listing_rfqs_costs_the_same_queries_for_two_or_twelve():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    buyer = buyer_party()
    client = client_for(buyer)

    def queries_for_listing() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/api/v1/rfqs/").status_code == 200
        return len(captured)

    for _ in range(2):
        rfq_for(buyer, open_it=False)
    with_two = queries_for_listing()
    for _ in range(10):
        rfq_for(buyer, open_it=False)

    assert queries_for_listing() == with_two
