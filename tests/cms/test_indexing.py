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


def test_a_provider_rejected_after_its_pages_were_written_leaves_nothing_in_the_search_index():
    record = provider_record("idx-2")
    record["services"][0]["title"] = {"en": "Quokka pharmacology"}
    record["jobs"][0]["languages"] = ["xx"]  # refused by the job page's own validation, last

    report = providers_import(bundle=provider_bundle(record))

    assert report.rejected == 1
    assert list(Page.objects.search("Quokka")) == []
