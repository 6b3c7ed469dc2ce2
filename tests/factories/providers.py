"""Providers made through the services (so each gets its CMS workspace), and import bundles."""

import factory

from marketplace.accounts.models import Organisation, OrganisationKind
from marketplace.accounts.services import organisation_create


class ProviderFactory(factory.Factory):
    """A provider organisation with its draft provider page, editors group and collection."""

    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Provider Labs {n}")
    kind = OrganisationKind.CRO
    country = "CN"
    zone_code = "shanghai_ftz"
    city = "Shanghai"
    owner = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return organisation_create(**kwargs)


def provider_record(external_id: str = "prov-1", **overrides) -> dict:
    """One valid provider record of the bundle format, with one service and one job."""
    record = {
        "external_id": external_id,
        "name": {"en": f"Provider {external_id}", "zh": f"供应商{external_id}"},
        "kind": "cro",
        "country": "CN",
        "zone": "jiangsu_ftz",
        "city": "Suzhou",
        "founded": 2010,
        "headcount": 120,
        "languages": ["en", "zh"],
        "summary": {"en": "GLP toxicology in Suzhou.", "zh": "苏州GLP毒理。"},
        "certifications": [
            {"standard": "GLP", "issuer": "NMPA", "reference": "GLP-1", "valid_until": "2030-01-01"}
        ],
        "services": [
            {
                "external_id": f"{external_id}-s1",
                "title": {"en": "GLP rodent toxicology", "zh": "GLP啮齿类毒性试验"},
                "capabilities": ["safety.general_toxicology.rodent"],
                "species": ["species.rat"],
                "standards": ["GLP"],
                "price_from": {"amount": "380000.00", "currency": "CNY"},
                "turnaround_days": 120,
            }
        ],
        "jobs": [
            {
                "external_id": f"{external_id}-j1",
                "title": {"en": "Graduate toxicologist", "zh": "应届毒理研究员"},
                "city": "Suzhou",
                "level": "graduate",
                "degree": "master",
                "disciplines": ["safety.general_toxicology"],
                "salary_min": {"amount": "9000.00", "currency": "CNY"},
                "salary_max": {"amount": "12000.00", "currency": "CNY"},
                "work_permit_sponsorship": "B",
                "closes_on": "2030-06-30",
            }
        ],
    }
    record.update(overrides)
    return record


def provider_bundle(*records: dict) -> dict:
    return {"providers": list(records) or [provider_record()]}


def certified_provider_page(organisation: Organisation, *certifications: dict):
    """The organisation's provider page, published with these certifications (field values)."""
    from cms.models import Certification

    page = organisation.provider_page
    page.certifications = [Certification(**values) for values in certifications]
    page.save_revision().publish()
    return type(page).objects.get(pk=page.pk)  # afresh: the certifications as saved
