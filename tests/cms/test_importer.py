"""The bulk importer (cms/importer.py) and its `import_providers` command.

The demo site (30 providers, demo-p001..demo-p030) is already loaded: these tests use other
external ids and compare counts before and after, never totals.
"""

import copy
import json
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import DataError
from wagtail.models import Page, ReferenceIndex, Revision

import cms.importer
from cms.importer import ImportReport, Problem, providers_import
from cms.models import JobPostingPage, ProviderPage, ServicePage, TCMDelivery, TCMServicePage
from marketplace.accounts.models import Organisation
from tests.factories import provider_bundle, provider_record

pytestmark = pytest.mark.django_db


def draft_reason(missing: str = "licensed_institution and licence_number") -> str:
    return f"online consultation kept as a draft: it needs {missing} before it can be published"


def import_records(*records: dict) -> ImportReport:
    return providers_import(bundle=provider_bundle(*records))


def counts(report: ImportReport) -> tuple[int, int, int, int]:
    return report.created, report.updated, report.rejected, report.pages_published


def records(report: ImportReport) -> tuple[int, int, int, int]:
    """Services loaded and skipped, jobs loaded and skipped."""
    return report.services_loaded, report.services_skipped, report.jobs_loaded, report.jobs_skipped


def codes(related) -> list[str]:
    return sorted(node.code for node in related.all())


def nothing_written_for(external_id: str) -> bool:
    return not (
        Organisation.objects.filter(external_id=external_id).exists()
        or ProviderPage.objects.filter(organisation__external_id=external_id).exists()
        or ServicePage.objects.filter(external_id__startswith=f"{external_id}-").exists()
        or TCMServicePage.objects.filter(external_id__startswith=f"{external_id}-").exists()
        or JobPostingPage.objects.filter(external_id__startswith=f"{external_id}-").exists()
    )


def provider_loaded_without(external_id: str, *, skipped_service: str = "", skipped_job: str = ""):
    """The provider's page is live with its records, except the one skipped."""
    assert ProviderPage.objects.get(organisation__external_id=external_id).live
    for model, skipped, wanted in (
        (ServicePage, skipped_service, f"{external_id}-s1"),
        (JobPostingPage, skipped_job, f"{external_id}-j1"),
    ):
        if skipped:
            assert not model.objects.filter(external_id=skipped).exists()
        if wanted != skipped:
            assert model.objects.get(external_id=wanted).live


def tcm_provider(external_id: str, *services: dict) -> dict:
    return provider_record(external_id, kind="tcm", jobs=[], services=list(services))


def consultation(external_id: str, **fields) -> dict:
    return {
        "external_id": external_id,
        "title": {"en": "Online TCM consultation", "zh": "中医在线问诊"},
        "capabilities": ["tcm.online_consultation"],
        **fields,
    }


LICENCE = {
    "licensed_institution": "Hainan Provincial Hospital of TCM",
    "licence_number": "PDY12345846010011A1002",
}


# --- A valid bundle ---------------------------------------------------------------------------


def test_valid_bundle_creates_the_organisation_and_publishes_its_provider_page(demo_site):
    organisations = Organisation.objects.count()

    report = import_records(provider_record("imp-1"))

    assert counts(report) == (1, 0, 0, 3)  # provider, service and job pages published
    assert report.ok and report.problems == [] and report.drafts == []
    assert Organisation.objects.count() == organisations + 1
    organisation = Organisation.objects.get(external_id="imp-1")
    assert (organisation.kind, organisation.country, organisation.zone.code, organisation.city) == (
        "cro",
        "CN",
        "jiangsu_ftz",
        "Suzhou",
    )
    assert (organisation.name, organisation.name_zh) == ("Provider imp-1", "供应商imp-1")
    page = ProviderPage.objects.get(organisation=organisation)
    assert page.live and not page.has_unpublished_changes
    assert (page.title_en, page.title_zh, page.title) == (
        "Provider imp-1",
        "供应商imp-1",
        "Provider imp-1",
    )
    assert (page.zone.code, page.city, page.founded, page.headcount) == (
        "jiangsu_ftz",
        "Suzhou",
        2010,
        120,
    )
    assert page.languages == ["en", "zh"]
    assert (page.summary_en, page.summary_zh) == ("GLP toxicology in Suzhou.", "苏州GLP毒理。")
    assert [
        (c.standard, c.issuer, c.reference, c.valid_until) for c in page.certifications.all()
    ] == [("GLP", "NMPA", "GLP-1", date(2030, 1, 1))]


def test_valid_bundle_publishes_the_service_with_its_tags_standards_and_cny_price(demo_site):
    import_records(provider_record("imp-1"))

    service = ServicePage.objects.get(external_id="imp-1-s1")
    provider = ProviderPage.objects.get(organisation__external_id="imp-1")
    assert service.live and not service.has_unpublished_changes
    assert service.get_parent().pk == provider.pk
    assert (service.title_en, service.title_zh) == ("GLP rodent toxicology", "GLP啮齿类毒性试验")
    assert codes(service.capabilities) == ["safety.general_toxicology.rodent"]
    assert codes(service.species) == ["species.rat"]
    assert codes(service.therapeutic_areas) == [] and codes(service.modalities) == []
    assert service.standards == ["GLP"]
    assert isinstance(service.price_from_amount, Decimal)
    assert (service.price_from_amount, service.price_from_currency) == (
        Decimal("380000.00"),
        "CNY",
    )
    assert (service.turnaround_days, service.delivery) == (120, "onsite")
    assert not TCMServicePage.objects.filter(external_id="imp-1-s1").exists()


def test_valid_bundle_publishes_the_job_posting_under_its_provider(demo_site):
    import_records(provider_record("imp-1"))

    job = JobPostingPage.objects.get(external_id="imp-1-j1")
    assert job.live
    assert job.get_parent().pk == ProviderPage.objects.get(organisation__external_id="imp-1").pk
    assert (job.title_en, job.city, job.level, job.degree) == (
        "Graduate toxicologist",
        "Suzhou",
        "graduate",
        "master",
    )
    assert (job.salary_min_amount, job.salary_max_amount, job.salary_currency) == (
        Decimal("9000.00"),
        Decimal("12000.00"),
        "CNY",
    )
    assert (job.work_permit_sponsorship, job.closes_on) == ("B", date(2030, 6, 30))
    assert codes(job.disciplines) == ["safety.general_toxicology"]


def test_service_standards_are_normalised_to_catalog_codes(demo_site):
    record = provider_record("imp-1")
    record["services"][0]["standards"] = ["ISO/IEC 17025", "oecd-glp", "gmp"]

    report = import_records(record)

    assert report.ok
    assert ServicePage.objects.get(external_id="imp-1-s1").standards == [
        "ISO_17025",
        "OECD_GLP",
        "GMP",
    ]


def test_a_chinese_only_record_loads_with_empty_english_titles(demo_site):
    record = provider_record(
        "imp-zh", name={"zh": "苏州测试药物研究有限公司"}, summary={"zh": "毒理"}
    )
    record["services"][0]["title"] = {"zh": "GLP啮齿类毒性试验"}

    report = import_records(record)

    assert counts(report) == (1, 0, 0, 3)
    organisation = Organisation.objects.get(external_id="imp-zh")
    assert (organisation.name, organisation.name_zh) == ("苏州测试药物研究有限公司",) * 2
    provider = ProviderPage.objects.get(organisation=organisation)
    assert (provider.title_en, provider.title_zh) == ("", "苏州测试药物研究有限公司")
    assert (provider.summary_en, provider.summary_zh) == ("", "毒理")
    service = ServicePage.objects.get(external_id="imp-zh-s1")
    assert service.live
    assert (service.title_en, service.title_zh, service.title) == (
        "",
        "GLP啮齿类毒性试验",
        "GLP啮齿类毒性试验",
    )


# --- Re-import --------------------------------------------------------------------------------


def test_reimporting_an_unchanged_bundle_updates_in_place_and_publishes_no_revision(demo_site):
    record = provider_record("imp-1")
    import_records(record)
    before = (
        Organisation.objects.count(),
        ProviderPage.objects.count(),
        ServicePage.objects.count(),
        JobPostingPage.objects.count(),
        Revision.objects.count(),
    )

    report = import_records(copy.deepcopy(record))

    assert counts(report) == (0, 1, 0, 0)
    assert report.ok and report.drafts == []
    after = (
        Organisation.objects.count(),
        ProviderPage.objects.count(),
        ServicePage.objects.count(),
        JobPostingPage.objects.count(),
        Revision.objects.count(),
    )
    assert after == before
    assert Organisation.objects.filter(external_id="imp-1").count() == 1


def test_reimport_with_a_changed_service_price_republishes_only_that_service(demo_site):
    record = provider_record("imp-1")
    import_records(record)
    service_before = ServicePage.objects.get(external_id="imp-1-s1")
    services, revisions = ServicePage.objects.count(), Revision.objects.count()
    changed = copy.deepcopy(record)
    changed["services"][0]["price_from"]["amount"] = "415000.50"

    report = import_records(changed)

    assert counts(report) == (0, 1, 0, 1)
    service = ServicePage.objects.get(external_id="imp-1-s1")
    assert service.pk == service_before.pk
    assert service.live and not service.has_unpublished_changes
    assert service.price_from_amount == Decimal("415000.50")
    assert service.latest_revision_id != service_before.latest_revision_id
    assert ServicePage.objects.count() == services
    assert Revision.objects.count() == revisions + 1


def test_reimport_cannot_turn_a_cro_service_into_a_tcm_service(demo_site):
    record = provider_record("imp-1")
    import_records(record)
    changed = copy.deepcopy(record)
    changed["services"][0].update(capabilities=["tcm.herbal_formulation"], species=[])

    report = import_records(changed)

    assert counts(report) == (0, 1, 0, 0)
    assert records(report) == (0, 1, 1, 0)
    assert report.problems == [
        Problem(
            "$.providers[0].services[0].capabilities",
            "a listing cannot change between a CRO and a TCM service; delete it first",
        )
    ]
    assert not TCMServicePage.objects.filter(external_id="imp-1-s1").exists()
    assert ServicePage.objects.get(external_id="imp-1-s1").live


# --- Schema errors ----------------------------------------------------------------------------


def test_a_missing_required_field_is_reported_at_the_provider_path(demo_site):
    record = provider_record("imp-1")
    del record["city"]

    report = import_records(record)

    assert counts(report) == (0, 0, 1, 0)
    assert report.problems == [Problem("$.providers[0]", "'city' is a required property")]
    assert nothing_written_for("imp-1")


def test_a_malformed_price_amount_skips_only_its_service_and_is_reported_at_its_path(demo_site):
    record = provider_record("imp-1")
    record["services"][0]["price_from"]["amount"] = "380,000"

    report = import_records(record)

    assert counts(report) == (1, 0, 0, 2)  # the provider and job pages
    assert records(report) == (0, 1, 1, 0)
    assert report.problems == [
        Problem(
            "$.providers[0].services[0].price_from.amount",
            r"'380,000' does not match '^[0-9]+(\\.[0-9]{1,2})?$'",
        )
    ]
    assert report.problems[0].skips_only_its_record
    provider_loaded_without("imp-1", skipped_service="imp-1-s1")


def test_a_service_missing_a_required_field_is_skipped_at_its_own_path(demo_site):
    record = provider_record("imp-1")
    record["services"].append({"external_id": "imp-1-s2", "title": {"en": "No capabilities"}})

    report = import_records(record)

    assert counts(report) == (1, 0, 0, 3)
    assert records(report) == (1, 1, 1, 0)
    assert report.problems == [
        Problem("$.providers[0].services[1]", "'capabilities' is a required property")
    ]
    provider_loaded_without("imp-1", skipped_service="imp-1-s2")


def test_a_malformed_date_is_reported_at_its_json_path(demo_site):
    record = provider_record("imp-1")
    record["jobs"][0]["closes_on"] = "2030-02-30"

    report = import_records(record)

    assert report.problems == [
        Problem("$.providers[0].jobs[0].closes_on", "'2030-02-30' is not a 'date'")
    ]


def test_a_schema_error_in_one_provider_does_not_stop_the_others(demo_site):
    broken = provider_record("imp-bad", website="www.example.cn")  # no scheme: not a URI

    report = import_records(broken, provider_record("imp-good"))

    assert counts(report) == (1, 0, 1, 3)
    assert report.problems == [Problem("$.providers[0].website", "'www.example.cn' is not a 'uri'")]
    assert nothing_written_for("imp-bad")
    assert ProviderPage.objects.get(organisation__external_id="imp-good").live


def test_a_bundle_without_providers_is_rejected_as_a_whole(demo_site):
    report = providers_import(bundle={})

    assert counts(report) == (0, 0, 0, 0)
    assert not report.ok
    assert report.problems == [Problem("$", "'providers' is a required property")]


def test_an_unknown_top_level_key_rejects_every_provider_in_the_bundle(demo_site):
    bundle = {**provider_bundle(provider_record("imp-1")), "version": 2}

    report = providers_import(bundle=bundle)

    assert counts(report) == (0, 0, 1, 0)
    assert report.problems == [
        Problem("$", "Additional properties are not allowed ('version' was unexpected)")
    ]
    assert nothing_written_for("imp-1")


# --- Problems in the provider record itself reject the provider ---------------------------


def test_an_unknown_zone_rejects_the_provider_with_all_its_records(demo_site):
    record = provider_record("imp-1", zone="atlantis_ftz")
    record["services"].append(copy.deepcopy(record["services"][0]) | {"external_id": "imp-1-s2"})

    report = import_records(record)

    assert counts(report) == (0, 0, 1, 0)
    assert records(report) == (0, 2, 0, 1)
    assert report.problems == [Problem("$.providers[0].zone", "unknown zone 'atlantis_ftz'")]
    assert not report.problems[0].skips_only_its_record
    assert nothing_written_for("imp-1")


def test_an_invalid_provider_loads_nothing_while_a_valid_one_in_the_bundle_loads(demo_site):
    invalid = provider_record("imp-bad", zone="atlantis_ftz")
    providers, services = ProviderPage.objects.count(), ServicePage.objects.count()

    report = import_records(invalid, provider_record("imp-good"))

    assert counts(report) == (1, 0, 1, 3)
    assert [problem.path for problem in report.problems] == ["$.providers[0].zone"]
    assert nothing_written_for("imp-bad")
    assert ProviderPage.objects.count() == providers + 1
    assert ServicePage.objects.count() == services + 1
    assert ServicePage.objects.get(external_id="imp-good-s1").live


def test_a_provider_failing_after_its_organisation_was_written_is_rolled_back_entirely(demo_site):
    # "xx" passes the schema (a two-letter code) but not the provider page's own validation,
    # which runs after the organisation was created: the whole provider must roll back.
    invalid = provider_record("imp-bad", languages=["en", "xx"])
    organisations, revisions = Organisation.objects.count(), Revision.objects.count()

    report = import_records(invalid, provider_record("imp-good"))

    assert (report.created, report.updated, report.rejected) == (1, 0, 1)
    assert report.problems == [Problem("$.providers[0].languages", "Unknown choice(s): xx.")]
    assert records(report) == (1, 1, 1, 1)  # imp-good's loaded, imp-bad's skipped with it
    assert nothing_written_for("imp-bad")
    assert Organisation.objects.count() == organisations + 1
    assert Revision.objects.count() == revisions + 3  # imp-good's three pages only


def test_a_rejected_provider_reports_its_records_own_problems_too(demo_site):
    record = provider_record("imp-1", zone="atlantis_ftz")
    record["services"][0]["capabilities"] = ["safety.teleportation"]

    report = import_records(record)

    assert report.problems == [
        Problem("$.providers[0].zone", "unknown zone 'atlantis_ftz'"),
        Problem(
            "$.providers[0].services[0].capabilities[0]", "unknown code 'safety.teleportation'"
        ),
    ]
    assert records(report) == (0, 1, 0, 1)


# --- A problem in a service or job skips only that record ---------------------------------


def test_an_unknown_capability_code_skips_only_that_service(demo_site):
    record = provider_record("imp-1")
    good_service = copy.deepcopy(record["services"][0]) | {"external_id": "imp-1-s2"}
    record["services"][0]["capabilities"] = ["safety.teleportation"]
    record["services"].append(good_service)

    report = import_records(record)

    assert counts(report) == (1, 0, 0, 3)
    assert records(report) == (1, 1, 1, 0)
    assert report.problems == [
        Problem("$.providers[0].services[0].capabilities[0]", "unknown code 'safety.teleportation'")
    ]
    provider_loaded_without("imp-1", skipped_service="imp-1-s1")
    assert ServicePage.objects.get(external_id="imp-1-s2").live


def test_a_therapeutic_area_code_cannot_be_used_as_a_capability(demo_site):
    record = provider_record("imp-1")
    record["services"][0]["capabilities"] = [
        "safety.general_toxicology.rodent",
        "therapeutic_area.oncology",
    ]

    report = import_records(record)

    assert counts(report) == (1, 0, 0, 2)
    assert report.problems == [
        Problem(
            "$.providers[0].services[0].capabilities[1]",
            "'therapeutic_area.oncology' is not a capability",
        )
    ]
    provider_loaded_without("imp-1", skipped_service="imp-1-s1")


def test_a_species_field_only_takes_species_codes(demo_site):
    record = provider_record("imp-1")
    record["services"][0]["species"] = ["species.rat", "modality.antibody"]

    report = import_records(record)

    assert report.problems == [
        Problem("$.providers[0].services[0].species[1]", "'modality.antibody' is not a species")
    ]


def test_a_listing_price_in_another_currency_than_cny_skips_that_service(demo_site):
    record = provider_record("imp-1")
    record["services"][0]["price_from"] = {"amount": "50000.00", "currency": "USD"}

    report = import_records(record)

    assert counts(report) == (1, 0, 0, 2)
    assert report.problems == [
        Problem("$.providers[0].services[0].price_from.currency", "listing prices are in CNY")
    ]
    provider_loaded_without("imp-1", skipped_service="imp-1-s1")


def test_a_salary_range_that_ends_below_its_start_skips_that_job(demo_site):
    record = provider_record("imp-1")
    record["jobs"][0]["salary_min"] = {"amount": "15000.00", "currency": "CNY"}

    report = import_records(record)

    assert counts(report) == (1, 0, 0, 2)  # the provider and service pages
    assert records(report) == (1, 0, 0, 1)
    assert report.problems == [
        Problem("$.providers[0].jobs[0].salary_max", "the salary range ends below its start")
    ]
    assert report.problems[0].skips_only_its_record
    provider_loaded_without("imp-1", skipped_job="imp-1-j1")


def test_an_unknown_standard_skips_that_service(demo_site):
    record = provider_record("imp-1")
    record["services"][0]["standards"] = ["GLP", "ISO 14155"]

    report = import_records(record)

    assert counts(report) == (1, 0, 0, 2)
    assert report.problems == [
        Problem("$.providers[0].services[0].standards[1]", "unknown standard 'ISO 14155'")
    ]
    provider_loaded_without("imp-1", skipped_service="imp-1-s1")


def test_an_external_id_repeated_within_one_bundle_rejects_the_later_provider(demo_site):
    report = import_records(provider_record("imp-1"), provider_record("imp-1"))

    assert counts(report) == (1, 0, 1, 3)
    assert report.problems == [
        Problem(
            "$.providers[1].external_id", "external_id 'imp-1' repeats $.providers[0].external_id"
        ),
        Problem(
            "$.providers[1].services[0].external_id",
            "external_id 'imp-1-s1' repeats $.providers[0].services[0].external_id",
        ),
        Problem(
            "$.providers[1].jobs[0].external_id",
            "external_id 'imp-1-j1' repeats $.providers[0].jobs[0].external_id",
        ),
    ]
    assert Organisation.objects.filter(external_id="imp-1").count() == 1


def test_a_service_external_id_repeated_across_providers_skips_the_later_service(demo_site):
    second = provider_record("imp-2")
    second["services"][0]["external_id"] = "imp-1-s1"

    report = import_records(provider_record("imp-1"), second)

    assert counts(report) == (2, 0, 0, 5)
    assert records(report) == (1, 1, 2, 0)
    assert report.problems == [
        Problem(
            "$.providers[1].services[0].external_id",
            "external_id 'imp-1-s1' repeats $.providers[0].services[0].external_id",
        )
    ]
    assert ServicePage.objects.get(external_id="imp-1-s1").get_parent().pk == (
        ProviderPage.objects.get(organisation__external_id="imp-1").pk
    )
    provider_loaded_without("imp-2", skipped_service="imp-2-s1")


def test_a_service_external_id_of_another_provider_skips_that_service(demo_site):
    demo_service = ServicePage.objects.get(external_id="demo-p001-s1")
    record = provider_record("imp-1")
    record["services"][0]["external_id"] = "demo-p001-s1"

    report = import_records(record)

    assert counts(report) == (1, 0, 0, 2)
    assert report.problems == [
        Problem(
            "$.providers[0].services[0].external_id", "'demo-p001-s1' belongs to another provider"
        )
    ]
    unchanged = ServicePage.objects.get(external_id="demo-p001-s1")
    assert unchanged.get_parent().pk == demo_service.get_parent().pk
    assert unchanged.latest_revision_id == demo_service.latest_revision_id
    assert JobPostingPage.objects.get(external_id="imp-1-j1").live


def test_a_job_external_id_of_another_provider_skips_that_job(demo_site):
    record = provider_record("imp-1")
    record["jobs"][0]["external_id"] = "demo-p001-j1"

    report = import_records(record)

    assert report.problems == [
        Problem("$.providers[0].jobs[0].external_id", "'demo-p001-j1' belongs to another provider")
    ]
    assert records(report) == (1, 0, 0, 1)
    assert ServicePage.objects.get(external_id="imp-1-s1").live
    assert JobPostingPage.objects.get(
        external_id="demo-p001-j1"
    ).get_parent().specific.title_en != ("Provider imp-1")


def test_a_job_refused_by_the_database_after_its_page_was_written_is_rolled_back_alone(
    demo_site, monkeypatch
):
    publish = cms.importer._publish
    refused = []

    def refuse_jobs(page, record, path, outcome):
        if isinstance(page, JobPostingPage):
            assert JobPostingPage.objects.filter(pk=page.pk).exists()  # written, then refused
            refused.append(page.pk)
            raise DataError("value too long for type character varying(100)")
        publish(page, record, path, outcome)

    monkeypatch.setattr(cms.importer, "_publish", refuse_jobs)
    record = provider_record("imp-1")
    record["jobs"][0]["title"] = {"en": "Quokka husbandry graduate"}

    report = import_records(record)

    assert counts(report) == (1, 0, 0, 2)
    assert records(report) == (1, 0, 0, 1)
    assert report.problems == [
        Problem(
            "$.providers[0].jobs[0]",
            "the database refused a value: value too long for type character varying(100)",
        )
    ]
    provider_loaded_without("imp-1", skipped_job="imp-1-j1")
    # Nothing of it is left in Wagtail's own indexes (admin search, references).
    assert list(Page.objects.search("Quokka")) == []
    assert not ReferenceIndex.objects.filter(
        content_type=ContentType.objects.get_for_model(JobPostingPage), object_id=str(refused[0])
    ).exists()


# --- TCM services -----------------------------------------------------------------------------


def test_a_tcm_service_that_also_lists_other_capabilities_loads_with_all_of_them(demo_site):
    # A TCM research organisation's ordinary work: stability studies of Chinese patent medicines
    # and real-world evidence for TCM products.
    record = tcm_provider(
        "imp-tcm",
        {
            "external_id": "imp-tcm-s1",
            "title": {"en": "Stability studies of Chinese patent medicines", "zh": "中成药稳定性"},
            "capabilities": ["tcm.quality_standards", "cmc.stability"],
            "modalities": ["modality.tcm_herbal"],
        },
        {
            "external_id": "imp-tcm-s2",
            "title": {"en": "Real-world evidence for TCM products", "zh": "中药真实世界研究"},
            "capabilities": ["tcm.clinical_evaluation", "clinical.real_world_data"],
        },
    )

    report = import_records(record)

    assert report.ok and report.drafts == []
    assert counts(report) == (1, 0, 0, 3)
    assert records(report) == (2, 0, 0, 0)
    stability = TCMServicePage.objects.get(external_id="imp-tcm-s1")
    assert stability.live
    assert stability.tcm_delivery == TCMDelivery.HERBAL_FORMULATION_RD
    assert codes(stability.capabilities) == ["cmc.stability", "tcm.quality_standards"]
    evidence = TCMServicePage.objects.get(external_id="imp-tcm-s2")
    assert evidence.live
    assert evidence.tcm_delivery == TCMDelivery.TCM_CLINICAL_EVALUATION
    assert codes(evidence.capabilities) == ["clinical.real_world_data", "tcm.clinical_evaluation"]
    # The published revision carries them too (what an editor opens and a re-publish restores).
    published = evidence.live_revision.as_object()
    assert codes(published.capabilities) == ["clinical.real_world_data", "tcm.clinical_evaluation"]


def test_a_service_whose_first_capability_is_not_tcm_is_a_cro_service_with_its_tcm_ones(
    demo_site,
):
    record = provider_record("imp-1")
    record["services"][0].update(capabilities=["cmc.stability", "tcm.quality_standards"])

    report = import_records(record)

    assert report.ok
    service = ServicePage.objects.get(external_id="imp-1-s1")
    assert service.live
    assert codes(service.capabilities) == ["cmc.stability", "tcm.quality_standards"]
    assert not TCMServicePage.objects.filter(external_id="imp-1-s1").exists()


def test_an_online_consultation_cannot_be_listed_as_a_cro_service(demo_site):
    # It would be published without the licence a TCM online consultation needs.
    record = provider_record("imp-1")
    record["services"][0].update(
        capabilities=["clinical.real_world_data", "tcm.online_consultation"], species=[]
    )

    report = import_records(record)

    assert report.problems == [
        Problem(
            "$.providers[0].services[0].capabilities",
            "'tcm.online_consultation' is only offered as a TCM service: "
            "list a capability under tcm first",
        )
    ]
    provider_loaded_without("imp-1", skipped_service="imp-1-s1")
    assert not TCMServicePage.objects.filter(external_id="imp-1-s1").exists()


def test_an_online_consultation_without_licence_is_kept_as_a_draft(demo_site):
    record = tcm_provider(
        "imp-tcm",
        consultation("imp-tcm-s1", delivery="online"),
        {
            "external_id": "imp-tcm-s2",
            "title": {"en": "Classical formula R&D", "zh": "经典名方研发"},
            "capabilities": ["tcm.herbal_formulation"],
            "modalities": ["modality.tcm_herbal"],
            "price_from": {"amount": "200000", "currency": "CNY"},
        },
    )

    report = import_records(record)

    assert counts(report) == (1, 0, 0, 2)  # provider page and the herbal service
    assert records(report) == (2, 0, 0, 0)  # the draft is loaded, not skipped
    assert report.ok
    assert report.drafts == [Problem("$.providers[0].services[0]", draft_reason())]
    assert Organisation.objects.get(external_id="imp-tcm").kind == "tcm"
    consultation_page = TCMServicePage.objects.get(external_id="imp-tcm-s1")
    assert not consultation_page.live
    assert consultation_page.tcm_delivery == TCMDelivery.ONLINE_CONSULTATION
    assert consultation_page.latest_revision is not None  # saved for an editor to finish
    assert (consultation_page.licensed_institution, consultation_page.licence_number) == ("", "")
    herbal = TCMServicePage.objects.get(external_id="imp-tcm-s2")
    assert herbal.live
    assert herbal.tcm_delivery == TCMDelivery.HERBAL_FORMULATION_RD
    assert herbal.price_from_amount == Decimal("200000.00")
    assert codes(herbal.modalities) == ["modality.tcm_herbal"]
    assert not ServicePage.objects.filter(external_id__in=["imp-tcm-s1", "imp-tcm-s2"]).exists()


def test_an_online_consultation_with_its_licensed_institution_and_licence_number_goes_live(
    demo_site,
):
    record = tcm_provider("imp-tcm", consultation("imp-tcm-s1", **LICENCE))

    report = import_records(record)

    assert report.ok and report.drafts == []
    assert counts(report) == (1, 0, 0, 2)
    page = TCMServicePage.objects.get(external_id="imp-tcm-s1")
    assert page.live and not page.has_unpublished_changes
    assert page.tcm_delivery == TCMDelivery.ONLINE_CONSULTATION
    assert (page.licensed_institution, page.licence_number) == (
        "Hainan Provincial Hospital of TCM",
        "PDY12345846010011A1002",
    )
    assert page.live_revision.as_object().licence_number == "PDY12345846010011A1002"


def test_an_online_consultation_with_only_its_institution_names_the_missing_licence_number(
    demo_site,
):
    record = tcm_provider(
        "imp-tcm",
        consultation("imp-tcm-s1", licensed_institution=LICENCE["licensed_institution"]),
    )

    report = import_records(record)

    assert report.drafts == [Problem("$.providers[0].services[0]", draft_reason("licence_number"))]
    page = TCMServicePage.objects.get(external_id="imp-tcm-s1")
    assert not page.live
    assert page.licensed_institution == "Hainan Provincial Hospital of TCM"


def test_reimporting_a_draft_consultation_with_its_licence_publishes_it(demo_site):
    record = tcm_provider("imp-tcm", consultation("imp-tcm-s1"))
    import_records(record)
    assert not TCMServicePage.objects.get(external_id="imp-tcm-s1").live
    licensed = copy.deepcopy(record)
    licensed["services"][0].update(LICENCE)

    report = import_records(licensed)

    assert report.ok and report.drafts == []
    assert counts(report) == (0, 1, 0, 1)
    assert TCMServicePage.objects.get(external_id="imp-tcm-s1").live


def test_a_reimport_without_licence_fields_keeps_the_licence_an_editor_entered(demo_site):
    record = tcm_provider("imp-tcm", consultation("imp-tcm-s1"))
    import_records(record)
    page = TCMServicePage.objects.get(external_id="imp-tcm-s1")
    page.licensed_institution = LICENCE["licensed_institution"]
    page.licence_number = LICENCE["licence_number"]
    page.save_revision().publish()
    changed = copy.deepcopy(record)
    changed["services"][0]["title"]["en"] = "Online TCM follow-up consultation"

    report = import_records(changed)

    assert report.ok and report.drafts == []
    page = TCMServicePage.objects.get(external_id="imp-tcm-s1")
    assert page.live and page.title_en == "Online TCM follow-up consultation"
    assert page.licence_number == "PDY12345846010011A1002"


def test_a_blank_licence_number_is_refused_at_its_path(demo_site):
    record = tcm_provider(
        "imp-tcm", consultation("imp-tcm-s1", **(LICENCE | {"licence_number": " "}))
    )

    report = import_records(record)

    assert report.problems == [
        Problem("$.providers[0].services[0].licence_number", r"' ' does not match '\\S'")
    ]
    assert records(report) == (0, 1, 0, 0)
    assert not TCMServicePage.objects.filter(external_id="imp-tcm-s1").exists()


def test_a_medical_licence_on_a_cro_service_is_refused(demo_site):
    record = provider_record("imp-1")
    record["services"][0].update(LICENCE)

    report = import_records(record)

    assert [problem.path for problem in report.problems] == [
        "$.providers[0].services[0].licensed_institution",
        "$.providers[0].services[0].licence_number",
    ]
    assert report.problems[0].reason == (
        "only a TCM service (its first capability under tcm) holds a medical licence"
    )
    provider_loaded_without("imp-1", skipped_service="imp-1-s1")


# --- The import_providers command -------------------------------------------------------------


def run_command(*args: str) -> tuple[str, str]:
    stdout, stderr = StringIO(), StringIO()
    call_command(
        "import_providers", *args, "--quiet-progress", no_color=True, stdout=stdout, stderr=stderr
    )
    return stdout.getvalue(), stderr.getvalue()


def run_failing_command(*args: str) -> tuple[CommandError, str, str]:
    stdout, stderr = StringIO(), StringIO()
    with pytest.raises(CommandError) as raised:
        call_command(
            "import_providers", *args, "--quiet-progress", no_color=True, stdout=stdout,
            stderr=stderr,
        )  # fmt: skip
    return raised.value, stdout.getvalue(), stderr.getvalue()


def write_bundle(tmp_path, bundle: dict):
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(bundle, ensure_ascii=False), encoding="utf-8")
    return path


def test_import_providers_command_prints_what_it_loaded_and_exits_0(demo_site, tmp_path):
    path = write_bundle(tmp_path, provider_bundle(provider_record("imp-1")))

    stdout, stderr = run_command(str(path))  # no CommandError: exit status 0

    assert stdout == (
        "Providers: 1 loaded (1 created, 0 updated), 0 rejected.\n"
        "Services: 1 loaded, 0 skipped.\n"
        "Jobs: 1 loaded, 0 skipped.\n"
        "Pages published: 3; kept as drafts: 0.\n"
        "Exit status 0: every record loaded.\n"
    )
    assert stderr == ""
    assert ProviderPage.objects.get(organisation__external_id="imp-1").live


def test_import_providers_command_exits_3_when_records_were_skipped(demo_site, tmp_path):
    skipping = provider_record("imp-1")
    skipping["services"].append(
        copy.deepcopy(skipping["services"][0])
        | {"external_id": "imp-1-s2", "capabilities": ["safety.teleportation"]}
    )
    path = write_bundle(
        tmp_path, provider_bundle(skipping, provider_record("imp-2", zone="atlantis_ftz"))
    )

    error, stdout, stderr = run_failing_command(str(path))

    assert error.returncode == 3
    assert (
        str(error) == "1 provider(s) rejected, 2 service(s) and 1 job(s) skipped; the rest loaded."
    )
    assert stderr == (
        "skipped $.providers[0].services[1].capabilities[0]: unknown code 'safety.teleportation'\n"
        "rejected $.providers[1].zone: unknown zone 'atlantis_ftz'\n"
    )
    assert stdout == (
        "Providers: 1 loaded (1 created, 0 updated), 1 rejected.\n"
        "Services: 1 loaded, 2 skipped.\n"
        "Jobs: 1 loaded, 1 skipped.\n"
        "Pages published: 3; kept as drafts: 0.\n"
        "Exit status 3: some records were skipped; see the messages above.\n"
    )
    provider_loaded_without("imp-1", skipped_service="imp-1-s2")
    assert nothing_written_for("imp-2")


def test_import_providers_command_lists_drafts_and_still_exits_0(demo_site, tmp_path):
    record = tcm_provider("imp-tcm", consultation("imp-tcm-s1"))
    path = write_bundle(tmp_path, provider_bundle(record))

    stdout, stderr = run_command(str(path))

    assert stdout.splitlines()[0] == f"draft $.providers[0].services[0]: {draft_reason()}"
    assert stdout.splitlines()[-2:] == [
        "Pages published: 1; kept as drafts: 1.",
        "Exit status 0: every record loaded.",
    ]
    assert stderr == ""


def test_import_providers_command_exits_1_when_every_provider_is_rejected(demo_site, tmp_path):
    path = write_bundle(tmp_path, provider_bundle(provider_record("imp-1", zone="atlantis_ftz")))

    error, stdout, stderr = run_failing_command(str(path))

    assert error.returncode == 1
    assert str(error) == "Nothing loaded: every provider (1) was rejected."
    assert stderr == "rejected $.providers[0].zone: unknown zone 'atlantis_ftz'\n"
    assert stdout.splitlines()[-1] == "Exit status 1: nothing was loaded; see the messages above."


def test_import_providers_command_exits_1_on_a_bundle_rejected_as_a_whole(tmp_path):
    path = write_bundle(tmp_path, {"provider": []})

    error, stdout, stderr = run_failing_command(str(path))

    assert error.returncode == 1
    assert str(error) == "Nothing loaded: the bundle as a whole was rejected."
    assert stderr.startswith("rejected $: 'providers' is a required property\n")


def test_import_providers_command_reports_a_missing_file(tmp_path):
    missing = tmp_path / "nowhere.json"

    with pytest.raises(CommandError) as raised:
        run_command(str(missing))

    assert str(raised.value) == f"No such file: {missing}"
    assert raised.value.returncode == 1


def test_import_providers_command_reports_invalid_json(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"providers": [', encoding="utf-8")

    with pytest.raises(CommandError) as raised:
        run_command(str(path))

    assert str(raised.value) == (
        f"{path} is not valid JSON: Expecting value: line 1 column 16 (char 15)"
    )
    assert raised.value.returncode == 1


# --- Edge cases that once crashed or misreported ---------------------------------------------


def test_a_null_providers_list_is_reported_not_raised(demo_site):
    report = providers_import(bundle={"providers": None})

    assert report.problems == [Problem("$.providers", "None is not of type 'array'")]


def test_a_non_string_external_id_is_reported_not_raised(demo_site):
    report = import_records(provider_record(["imp-1"]))

    assert report.problems == [
        Problem("$.providers[0].external_id", "['imp-1'] is not of type 'string'")
    ]


def test_a_service_that_is_not_an_object_is_skipped_not_raised(demo_site):
    record = provider_record("imp-1")
    record["services"].append("GLP toxicology")

    report = import_records(record)

    assert report.problems == [
        Problem("$.providers[0].services[1]", "'GLP toxicology' is not of type 'object'")
    ]
    assert records(report) == (1, 1, 1, 0)


def test_an_overlong_job_city_skips_only_that_job(demo_site):
    invalid = provider_record("imp-bad")
    invalid["jobs"][0]["city"] = "S" * 101  # the column holds 100 characters

    report = import_records(invalid, provider_record("imp-good"))

    assert (report.created, report.rejected) == (2, 0)
    assert records(report) == (2, 0, 1, 1)
    assert [problem.path for problem in report.problems] == ["$.providers[0].jobs[0].city"]
    provider_loaded_without("imp-bad", skipped_job="imp-bad-j1")


def test_a_rejected_provider_counts_no_published_pages_or_drafts(demo_site):
    invalid = provider_record("imp-bad", languages=["xx"])
    invalid["services"][0].update(capabilities=["tcm.online_consultation"], species=[])

    report = import_records(invalid)

    assert counts(report) == (0, 0, 1, 0)
    assert report.drafts == []


def test_a_skipped_job_counts_no_published_page(demo_site):
    invalid = provider_record("imp-bad")
    invalid["jobs"][0]["languages"] = ["xx"]

    report = import_records(invalid)

    assert counts(report) == (1, 0, 0, 2)  # the provider and service pages


def test_a_late_job_error_is_reported_at_the_job_path(demo_site):
    invalid = provider_record("imp-bad")
    invalid["jobs"][0]["languages"] = ["xx"]

    report = import_records(invalid)

    assert [problem.path for problem in report.problems] == ["$.providers[0].jobs[0].languages"]


def test_two_services_with_long_similar_titles_and_ids_both_load(demo_site):
    record = provider_record("imp-1", jobs=[])
    prefix = "Good Laboratory Practice (GLP) repeat-dose toxicology study in "
    first = record["services"][0]
    first.update(external_id="acme-biosciences-suzhou-service-0001", title={"en": prefix + "rats"})
    second = copy.deepcopy(first)
    second.update(external_id="acme-biosciences-suzhou-service-0002", title={"en": prefix + "dogs"})
    record["services"].append(second)

    report = import_records(record)

    assert report.problems == []
    assert counts(report) == (1, 0, 0, 3)


def test_a_provider_record_states_whether_it_is_foreign_invested_and_a_silent_one_keeps_it():
    record = provider_record("fdi-1", foreign_invested=True)
    providers_import(bundle=provider_bundle(record))
    organisation = Organisation.objects.get(external_id="fdi-1")
    assert organisation.is_foreign_invested is True

    del record["foreign_invested"]
    record["city"] = "Wuxi"  # a change, so the record is applied again
    providers_import(bundle=provider_bundle(record))

    organisation.refresh_from_db()
    assert (organisation.is_foreign_invested, organisation.city) == (True, "Wuxi")
