import pytest
from wagtail.models import Page, ReferenceIndex

from cms.importer import providers_import
from cms.models import ServicePage
from tests.factories import provider_bundle, provider_record

pytestmark = pytest.mark.django_db


def test_imported_pages_are_in_wagtails_admin_search_and_reference_index():
    record = provider_record("idx-1")
    record["services"][0]["title"] = {"en": "Xenotransplant toxicokinetics"}

    report = providers_import(bundle=provider_bundle(record))

    assert report.ok
    service = ServicePage.objects.get(external_id="idx-1-s1")
    assert list(Page.objects.search("Xenotransplant")) == [service.page_ptr]
    provider = service.get_parent().specific
    references = ReferenceIndex.get_references_for_object(provider)
    assert list(references.values_list("model_path", flat=True)) == ["zone"]


def test_a_provider_rejected_after_its_organisation_was_written_leaves_nothing_in_the_index():
    record = provider_record("idx-2", languages=["xx"])  # refused by the provider page, last
    record["name"] = {"en": "Quokka pharmacology"}

    report = providers_import(bundle=provider_bundle(record))

    assert report.rejected == 1
    assert list(Page.objects.search("Quokka")) == []


def test_a_job_refused_after_its_page_was_written_leaves_nothing_in_the_search_index():
    record = provider_record("idx-3")
    record["jobs"][0]["title"] = {"en": "Quokka pharmacologist"}
    record["jobs"][0]["languages"] = ["xx"]  # refused by the job page's own validation, last

    report = providers_import(bundle=provider_bundle(record))

    assert (report.rejected, report.jobs_skipped, report.services_loaded) == (0, 1, 1)
    assert list(Page.objects.search("Quokka")) == []
