"""The deal pages: forms that say what is wrong, parties that see only their own deals."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from cms.models import ServicePage
from marketplace.contracting.models import Quote, Rfq
from tests.contracting.test_messages_and_documents import PDF as PDF_BYTES
from tests.factories import buyer_party, fx_rates, provider_party, quote_for, rfq_for

pytestmark = pytest.mark.django_db


def client_for(party, language="en") -> Client:
    client = Client(headers={"accept-language": language})
    client.force_login(party.owner)
    return client


@pytest.fixture
def parties():
    fx_rates()
    return buyer_party(), provider_party()


def test_request_a_quote_on_a_service_page_names_the_provider_and_capabilities(client):
    service = ServicePage.objects.live().get(external_id="demo-p001-s1")
    organisation = service.get_parent().specific.organisation

    html = client.get(service.url).text

    assert f"/deals/rfqs/new/?provider={organisation.slug}&amp;capability=" in html


def test_the_rfq_form_is_prefilled_from_the_call_to_action(parties):
    buyer, provider = parties
    url = f"/deals/rfqs/new/?provider={provider.organisation.slug}&capability=dmpk.in_vitro_adme"

    form = client_for(buyer).get(url).context["form"]

    assert [p.slug for p in form.initial["providers"]] == [provider.organisation.slug]
    assert [n.code for n in form.initial["capabilities"]] == ["dmpk.in_vitro_adme"]


def test_a_buyer_sends_an_rfq_from_the_form_and_sees_it_screened(parties):
    buyer, provider = parties
    response = client_for(buyer).post("/deals/rfqs/new/", {
        "buyer": buyer.organisation.slug, "title": "Rat PK study", "scope": "Two doses, IV and PO.",
        "capabilities": ["dmpk.in_vivo_pk"], "budget_currency": "USD", "visibility": "invited",
        "providers": [provider.organisation.slug], "hgr_materials_leave_china": "no",
        "foreign_staff_on_site": "yes", "technology_catalogue_item": "none", "action": "open",
    })  # fmt: skip

    assert response.status_code == 302
    rfq = Rfq.objects.get(buyer=buyer.organisation)
    assert (rfq.status, rfq.hgr_materials_leave_china, rfq.foreign_staff_on_site) == (
        "open", False, True,
    )  # fmt: skip
    assert rfq.hgr_information_abroad is None  # "not sure yet"
    page = client_for(buyer).get(response.url).text
    assert "Foreign staff working on site in China" in page
    assert "Needs approval" in page


def test_a_bad_rfq_form_answers_400_with_the_errors_and_writes_nothing(parties):
    buyer, _provider = parties

    response = client_for(buyer).post("/deals/rfqs/new/", {
        "buyer": buyer.organisation.slug, "title": "", "scope": "x",
        "capabilities": ["dmpk.in_vivo_pk"], "budget_currency": "USD", "visibility": "invited",
        "budget_min_amount": "500", "budget_max_amount": "100", "is_nda_required": "on",
    })  # fmt: skip

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {"title", "budget_max_amount", "nda_terms"} <= set(errors)
    assert not Rfq.objects.filter(buyer=buyer.organisation).exists()


def test_the_buyer_invites_more_providers_from_the_rfq_page_and_must_choose_one(parties):
    buyer, provider = parties
    rival = provider_party()
    rfq = rfq_for(buyer, invite=[provider])
    client = client_for(buyer)
    page = client.get(f"/deals/rfqs/{rfq.pk}/")
    offered = [slug for slug, _label in page.context["invite_form"].fields["providers"].choices]
    assert rival.organisation.slug in offered and provider.organisation.slug not in offered

    empty = client.post(f"/deals/rfqs/{rfq.pk}/invite/", {})
    invited = client.post(f"/deals/rfqs/{rfq.pk}/invite/", {"providers": [rival.organisation.slug]})

    assert empty.status_code == 400
    assert "Choose at least one provider to invite." in empty.text
    assert invited.status_code == 302
    assert set(rfq.invitations.values_list("provider__slug", flat=True)) == {
        provider.organisation.slug, rival.organisation.slug,
    }  # fmt: skip


def test_the_buyer_compares_quotes_side_by_side_in_cny_and_its_currency(parties):
    buyer, provider = parties
    rival = provider_party()
    rfq = rfq_for(buyer, invite=[provider, rival])
    quote_for(rfq, provider), quote_for(rfq, rival, turnaround_days=12)

    response = client_for(buyer).get(f"/deals/rfqs/{rfq.pk}/compare/")

    assert response.status_code == 200
    assert len(response.context["columns"]) == 2
    html = response.text
    assert html.count("CNY 71,680.00") >= 2
    assert "USD 10,071.04" in html
    assert "12 days" in html


def test_a_provider_writes_and_sends_a_quote_through_the_form(parties):
    buyer, provider = parties
    rfq = rfq_for(buyer, invite=[provider])
    in_a_month = (timezone.localdate() + timedelta(days=30)).isoformat()
    form = {
        "valid_until": in_a_month, "turnaround_days": "20", "provider_is_ciio": "no",
        "lines-TOTAL_FORMS": "2", "lines-INITIAL_FORMS": "0",
        "lines-0-description": "In vivo PK, rat", "lines-0-quantity": "1",
        "lines-0-unit_price": "45000.00", "lines-0-vat_basis": "zero_rated_export",
        "lines-0-vat_rate": "0",
        "ms-TOTAL_FORMS": "2", "ms-INITIAL_FORMS": "0",
        "ms-0-name": "Start", "ms-0-share": "50", "ms-0-trigger": "Signed",
        "ms-1-name": "Report", "ms-1-share": "50", "ms-1-trigger": "Report",
        "action": "submit",
    }  # fmt: skip

    response = client_for(provider).post(f"/deals/rfqs/{rfq.pk}/quote/", form)

    assert response.status_code == 302, response.context and response.context["form"].errors
    quote = Quote.objects.get(rfq=rfq)
    assert quote.status == "submitted"
    assert quote.revisions.get().total_amount == 45000


def test_a_quote_form_whose_milestones_do_not_add_up_answers_400(parties):
    buyer, provider = parties
    rfq = rfq_for(buyer, invite=[provider])
    form = {
        "valid_until": (timezone.localdate() + timedelta(days=30)).isoformat(),
        "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0",
        "lines-0-description": "Study", "lines-0-quantity": "1", "lines-0-unit_price": "1000",
        "lines-0-vat_basis": "exempt", "lines-0-vat_rate": "0",
        "ms-TOTAL_FORMS": "1", "ms-INITIAL_FORMS": "0",
        "ms-0-name": "All", "ms-0-share": "60", "ms-0-trigger": "t", "action": "submit",
    }  # fmt: skip

    response = client_for(provider).post(f"/deals/rfqs/{rfq.pk}/quote/", form)

    assert response.status_code == 400
    assert "not 100" in str(response.context["form"].non_field_errors())
    assert not Quote.objects.exists()


def quote_form(**change) -> dict:
    return {
        "valid_until": (timezone.localdate() + timedelta(days=30)).isoformat(),
        "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0",
        "lines-0-description": "Study", "lines-0-quantity": "1", "lines-0-unit_price": "1000",
        "lines-0-vat_basis": "exempt", "lines-0-vat_rate": "0",
        "ms-TOTAL_FORMS": "1", "ms-INITIAL_FORMS": "0",
        "ms-0-name": "All", "ms-0-share": "100", "ms-0-trigger": "t", "action": "submit",
        **change,
    }  # fmt: skip


@pytest.mark.parametrize("count", ["2147483648", "9" * 30])
def test_a_head_count_past_its_column_on_the_rfq_form_answers_400_on_the_field(parties, count):
    buyer, _provider = parties

    response = client_for(buyer).post("/deals/rfqs/new/", {
        "buyer": buyer.organisation.slug, "title": "Rat PK study", "scope": "Two doses.",
        "capabilities": ["dmpk.in_vivo_pk"], "budget_currency": "USD", "visibility": "open",
        "sensitive_personal_info_subjects_ytd": count,
    })  # fmt: skip

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "sensitive_personal_info_subjects_ytd": [
            "Ensure this value is less than or equal to 2147483647."
        ]
    }
    assert 'max="2147483647"' in response.text
    assert not Rfq.objects.filter(buyer=buyer.organisation).exists()


def test_a_turnaround_past_its_column_on_the_quote_form_answers_400_on_the_field(parties):
    buyer, provider = parties
    rfq = rfq_for(buyer, invite=[provider])

    response = client_for(provider).post(
        f"/deals/rfqs/{rfq.pk}/quote/", quote_form(turnaround_days="2147483648")
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "turnaround_days": ["Ensure this value is less than or equal to 2147483647."]
    }
    assert not Quote.objects.exists()


def test_a_quote_form_whose_total_is_zero_answers_400_and_writes_nothing(parties):
    buyer, provider = parties
    rfq = rfq_for(buyer, invite=[provider])

    response = client_for(provider).post(
        f"/deals/rfqs/{rfq.pk}/quote/", quote_form(**{"lines-0-unit_price": "0"})
    )

    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [
        "A quote's total must be more than zero: price at least one line."
    ]
    assert not Quote.objects.exists()


def test_a_line_past_what_its_column_holds_shows_on_that_lines_price_field(parties):
    buyer, provider = parties
    rfq = rfq_for(buyer, invite=[provider])
    form = quote_form(**{
        "lines-TOTAL_FORMS": "3",  # the second row left blank: the service sees two lines
        "lines-2-description": "Everything", "lines-2-quantity": "1000",
        "lines-2-unit_price": "1000000000.00", "lines-2-vat_basis": "exempt",
        "lines-2-vat_rate": "0",
    })  # fmt: skip

    response = client_for(provider).post(f"/deals/rfqs/{rfq.pk}/quote/", form)

    assert response.status_code == 400
    line_forms = response.context["line_forms"]
    assert [line.errors for line in line_forms] == [{}, {}, {
        "unit_price": ["Quantity × unit price comes to CNY 1,000,000,000,000.00; a line can be "
                       "at most CNY 999,999,999,999.99."],
    }]  # fmt: skip
    assert "a line can be at most CNY 999,999,999,999.99" in response.text
    assert not Quote.objects.exists()


def test_pages_of_a_deal_are_404_for_everyone_else(parties):
    buyer, provider = parties
    rfq = rfq_for(buyer, invite=[provider])
    quote = quote_for(rfq, provider)
    stranger, outsider = client_for(buyer_party()), client_for(provider_party())

    for client in (stranger, outsider):
        assert client.get(f"/deals/rfqs/{rfq.pk}/").status_code == 404
        assert client.get(f"/deals/quotes/{quote.pk}/").status_code == 404
        assert client.get(f"/deals/rfqs/{rfq.pk}/compare/").status_code == 404
        assert client.post(f"/deals/quotes/{quote.pk}/accept/").status_code == 404
    assert client_for(provider).get(f"/deals/rfqs/{rfq.pk}/compare/").status_code == 404


def test_accepting_from_the_page_opens_the_contract_and_a_refusal_says_why(parties):
    buyer, provider = parties
    quote = quote_for(rfq_for(buyer, invite=[provider]), provider)
    as_buyer = client_for(buyer)

    accepted = as_buyer.post(f"/deals/quotes/{quote.pk}/accept/")
    again = as_buyer.post(f"/deals/quotes/{quote.pk}/accept/")

    assert accepted.status_code == 302 and "/deals/contracts/" in accepted.url
    contract_page = as_buyer.get(accepted.url)
    assert contract_page.status_code == 200
    assert "CNY 71,680.00" in contract_page.text
    assert "Screened when the quote was accepted" in contract_page.text
    assert "Sign for your organisation" in contract_page.text
    assert again.status_code == 409
    assert "it cannot be accepted" in again.text


def test_a_provider_reads_the_summary_only_until_it_accepts_the_nda(parties):
    buyer, provider = parties
    rfq = rfq_for(
        buyer, invite=[provider], is_nda_required=True, nda_terms="Secret terms.",
        scope="The confidential molecule X-42.", summary="ADME for a small molecule.",
    )  # fmt: skip
    as_provider = client_for(provider)

    before = as_provider.get(f"/deals/rfqs/{rfq.pk}/").text
    assert "ADME for a small molecule." in before and "X-42" not in before
    assert as_provider.get(f"/deals/rfqs/{rfq.pk}/quote/").status_code == 409

    as_provider.post(f"/deals/rfqs/{rfq.pk}/accept-nda/")

    assert "X-42" in as_provider.get(f"/deals/rfqs/{rfq.pk}/").text


def test_findings_are_shown_in_chinese_to_chinese_readers(parties):
    buyer, provider = parties
    rfq = rfq_for(buyer, invite=[provider], foreign_staff_on_site=True)

    html = client_for(buyer, "zh-hans").get(f"/deals/rfqs/{rfq.pk}/").text

    assert "外籍人员在华现场工作" in html


def test_a_chinese_reader_sees_findings_authority_and_source_in_chinese(parties):
    buyer, provider = parties
    rfq = rfq_for(buyer, invite=[provider], technology_transfer=True)

    page = client_for(buyer, "zh-hans").get(f"/deals/rfqs/{rfq.pk}/").content.decode()
    english = client_for(buyer).get(f"/deals/rfqs/{rfq.pk}/").content.decode()

    assert "商务部 · 《技术进出口管理条例》" in page and "MOFCOM" not in page
    assert "MOFCOM · Technology Import and Export Regulations" in english


def test_choices_and_languages_read_in_the_readers_language(parties):
    buyer, _provider = parties
    form = client_for(buyer, "zh-hans").get("/deals/rfqs/new/").content.decode()

    labels = [label.strip() for label in re.findall(r"<option[^>]*>([^<]*)</option>", form)]
    assert "USD · 美元" in labels and "US dollar" not in form
    assert "— 体外ADME" in labels and not any("In vitro ADME" in label for label in labels)
    # Found by its English name and synonyms too, when typed into the chooser.
    assert re.search(r'data-search="In vitro ADME 体外ADME [^"]*Caco-2', form)


def _rfq_form(buyer, provider, **more) -> dict:
    return {
        "buyer": buyer.organisation.slug, "title": "Rat PK study", "scope": "Two doses.",
        "capabilities": ["dmpk.in_vivo_pk"], "budget_currency": "USD", "visibility": "invited",
        "providers": [provider.organisation.slug], "technology_catalogue_item": "none",
        "therapeutic_area": "therapeutic_area.oncology", "action": "draft", **more,
    }  # fmt: skip


def test_a_request_takes_its_documents_and_therapeutic_area_as_it_is_made(parties):
    from django.core.files.uploadedfile import SimpleUploadedFile

    buyer, provider = parties
    protocol = SimpleUploadedFile("protocol.pdf", PDF_BYTES, content_type="application/pdf")

    response = client_for(buyer).post(
        "/deals/rfqs/new/", _rfq_form(buyer, provider, attachments=[protocol])
    )

    assert response.status_code == 302, response.context["form"].errors
    rfq = Rfq.objects.get(buyer=buyer.organisation)
    assert rfq.therapeutic_area.code == "therapeutic_area.oncology"
    assert [a.name for a in rfq.attachments.all()] == ["protocol.pdf"]


def test_a_bad_document_refuses_the_whole_request_and_says_which(parties):
    from django.core.files.uploadedfile import SimpleUploadedFile

    buyer, provider = parties
    good = SimpleUploadedFile("protocol.pdf", PDF_BYTES, content_type="application/pdf")
    bad = SimpleUploadedFile("virus.exe", b"MZ\x90\x00", content_type="application/pdf")

    response = client_for(buyer).post(
        "/deals/rfqs/new/", _rfq_form(buyer, provider, attachments=[good, bad])
    )

    assert response.status_code == 400
    assert response.context["form"].errors["attachments"][0].startswith("virus.exe: ")
    assert not Rfq.objects.filter(buyer=buyer.organisation).exists()
