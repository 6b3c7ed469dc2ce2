"""The documents a deal closes on: a framework agreement (MSA) once per buyer–provider pair, a
statement of work (SOW) per contract from the accepted quote; PDFs in English and Chinese made on
the server, each carrying the SHA-256 of what it says, downloaded by the two parties only."""

import pytest

from marketplace.agreements.models import (
    AgreementDocument,
    DocumentKind,
    FrameworkAgreement,
    TermsTemplate,
)
from marketplace.agreements.services import content_hash, contract_documents_issue
from tests.factories import buyer_party, contract_for, fx_rates, provider_party
from tests.pdfs import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def deal():
    fx_rates()
    buyer, provider = buyer_party(), provider_party()
    return buyer, provider, contract_for(buyer, provider)


def download(client, user, contract, kind: str):
    client.force_login(user)
    return client.get(f"/deals/contracts/{contract.pk}/documents/{kind}.pdf")


def test_accepting_a_quote_issues_the_msa_and_the_sow_once_it_commits(
    django_capture_on_commit_callbacks,
):
    fx_rates()
    buyer, provider = buyer_party(), provider_party()
    with django_capture_on_commit_callbacks(execute=True):
        contract = contract_for(buyer, provider)

    kinds = set(AgreementDocument.objects.values_list("kind", flat=True))
    assert kinds == {"msa", "sow"}
    sow = AgreementDocument.objects.get(kind="sow")
    assert sow.contract == contract and sow.framework.buyer == buyer.organisation


def test_the_sow_pdf_says_the_deal_in_english_and_chinese_with_its_hash(client, deal):
    buyer, provider, contract = deal

    response = download(client, buyer.owner, contract, "sow")

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    data = b"".join(response.streaming_content)
    sow = AgreementDocument.objects.get(kind="sow", contract=contract)
    text = pdf_text(data)
    assert "Statement of work" in text and "工作说明书" in text
    assert "依据框架协议" in text and "经双方签署后生效" in text  # the Chinese terms, whole
    assert contract.buyer.name in text and contract.rfq.title in text
    for line in contract.snapshot["quote"]["lines"]:
        assert line["description"] in text
    assert contract.snapshot["quote"]["total"] in text
    assert sow.content_sha256 in text
    assert response["X-Document-SHA256"] == sow.content_sha256
    assert sow.content_sha256 == content_hash(sow.content)  # the hash is of what it says


def test_the_msa_names_both_parties_and_is_made_once_per_pair(client, deal):
    buyer, provider, contract = deal
    second = contract_for(buyer, provider)

    contract_documents_issue(contract=contract)
    contract_documents_issue(contract=second)
    text = pdf_text(b"".join(download(client, provider.owner, second, "msa").streaming_content))

    assert FrameworkAgreement.objects.count() == 1
    assert AgreementDocument.objects.filter(kind="msa").count() == 1
    assert AgreementDocument.objects.filter(kind="sow").count() == 2
    assert "Framework services agreement" in text and "框架服务协议" in text
    assert f"between {buyer.organisation.name}" in text and "{buyer}" not in text
    sow = AgreementDocument.objects.get(kind="sow", contract=second)
    assert sow.content["framework"]["reference"] in text


def test_issuing_again_changes_nothing(deal):
    _buyer, _provider, contract = deal
    first = contract_documents_issue(contract=contract)

    again = contract_documents_issue(contract=contract)

    assert [d.pk for d in again] == [d.pk for d in first]
    assert AgreementDocument.objects.count() == 2


def test_documents_keep_the_terms_they_were_issued_with(client, deal):
    buyer, provider, contract = deal
    msa, sow = contract_documents_issue(contract=contract)
    TermsTemplate.objects.create(
        kind=DocumentKind.SOW, version="2027-01", title_en="Statement of work",
        title_zh="工作说明书", body_en="A newer clause.", body_zh="较新的条款。", is_published=True,
    )  # fmt: skip

    kept = AgreementDocument.objects.get(pk=sow.pk)
    newer = contract_documents_issue(contract=contract_for(buyer, provider))[1]

    assert kept.content["terms"]["version"] == "2026-12"
    assert newer.content["terms"]["version"] == "2027-01"
    assert newer.content["terms"]["clauses_en"] == ["A newer clause."]


@pytest.mark.parametrize("kind", ["msa", "sow"])
def test_only_the_two_parties_download_the_documents(client, deal, kind):
    buyer, provider, contract = deal

    assert download(client, buyer.owner, contract, kind).status_code == 200
    assert download(client, provider.owner, contract, kind).status_code == 200
    assert download(client, buyer_party().owner, contract, kind).status_code == 404
    assert download(client, provider_party().owner, contract, kind).status_code == 404
    client.logout()
    anonymous = client.get(f"/deals/contracts/{contract.pk}/documents/{kind}.pdf")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_an_unknown_kind_of_document_is_a_404(client, deal):
    buyer, _provider, contract = deal

    assert download(client, buyer.owner, contract, "invoice").status_code == 404


def test_without_published_terms_the_download_says_so_and_writes_nothing(client, deal):
    buyer, _provider, contract = deal
    TermsTemplate.objects.update(is_published=False)

    response = download(client, buyer.owner, contract, "sow")

    assert response.status_code == 409
    assert "No terms are published" in response.content.decode()
    assert not AgreementDocument.objects.exists() and not FrameworkAgreement.objects.exists()


def test_the_api_lists_the_documents_to_the_parties_only(client, deal):
    buyer, provider, contract = deal
    contract_documents_issue(contract=contract)
    path = f"/api/v1/contracts/{contract.pk}/documents"

    client.force_login(provider.owner)
    listed = client.get(path).json()
    client.force_login(buyer_party().owner)
    outsider = client.get(path)

    assert {d["kind"] for d in listed} == {"msa", "sow"}
    sow = next(d for d in listed if d["kind"] == "sow")
    assert sow["content_sha256"] == AgreementDocument.objects.get(kind="sow").content_sha256
    assert sow["pdf_url"].endswith(f"/deals/contracts/{contract.pk}/documents/sow.pdf")
    assert sow["terms_version"] == "2026-12" and sow["reference"] == f"SOW-{contract.pk:06d}"
    assert outsider.status_code == 404


def test_the_contract_page_lists_the_documents_and_their_hashes(client, deal):
    buyer, _provider, contract = deal
    contract_documents_issue(contract=contract)
    client.force_login(buyer.owner)

    page = client.get(f"/deals/contracts/{contract.pk}/").content.decode()

    assert f"/deals/contracts/{contract.pk}/documents/sow.pdf" in page
    assert AgreementDocument.objects.get(kind="sow").content_sha256 in page
