"""Bulk onboarding: load a provider bundle (docs/provider-bundle.schema.json) into organisations and
published pages.

Each provider is all-or-nothing: a record with any error is rejected with its JSON path and reason,
and nothing of that provider is written; the others still load. Re-importing updates in place by
``external_id``. Services, TCM services and jobs missing from a re-import are left alone.
"""

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils.text import slugify
from jsonschema import Draft202012Validator, FormatChecker
from wagtail.models import Page

from cms.indexing import deferred_wagtail_indexing
from cms.models import (
    Certification,
    JobPostingPage,
    ListingPage,
    ProviderPage,
    ServicePage,
    TCMDelivery,
    TCMServicePage,
)
from cms.services import provider_workspace_ensure
from marketplace.accounts.models import Organisation
from marketplace.accounts.services import organisation_create, organisation_update
from marketplace.catalog.models import Standard, TaxonomyKind, TaxonomyNode, Zone

SCHEMA_PATH = Path(settings.BASE_DIR) / "docs" / "provider-bundle.schema.json"

# A TCM service is one whose capabilities all sit under `tcm`; its delivery follows the first one.
TCM_DELIVERY_BY_CAPABILITY = {
    "tcm.online_consultation": TCMDelivery.ONLINE_CONSULTATION,
    "tcm.herbal_formulation": TCMDelivery.HERBAL_FORMULATION_RD,
    "tcm.quality_standards": TCMDelivery.HERBAL_FORMULATION_RD,
    "tcm.decoction_pieces": TCMDelivery.HERBAL_FORMULATION_RD,
    "tcm.clinical_evaluation": TCMDelivery.TCM_CLINICAL_EVALUATION,
    "tcm.acupuncture": TCMDelivery.WELLNESS,
    "tcm.wellness": TCMDelivery.WELLNESS,
}
IMPORTED_PAGE_MODELS = (ProviderPage, ServicePage, TCMServicePage, JobPostingPage)
TAXONOMY_FIELDS = {
    "capabilities": TaxonomyKind.CAPABILITY,
    "therapeutic_areas": TaxonomyKind.THERAPEUTIC_AREA,
    "modalities": TaxonomyKind.MODALITY,
    "species": TaxonomyKind.SPECIES,
}


@dataclass(frozen=True)
class Problem:
    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    rejected: int = 0
    pages_published: int = 0
    drafts: list[Problem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def json_path(parts: Iterable[Any]) -> str:
    path = "$"
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def load_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _text(value: dict | None) -> tuple[str, str]:
    value = value or {}
    return value.get("en", "").strip(), value.get("zh", "").strip()


def _texts(data: dict) -> dict[str, str]:
    """A listing's or job's title and description, by language."""
    title_en, title_zh = _text(data["title"])
    description_en, description_zh = _text(data.get("description"))
    return {
        "title_en": title_en,
        "title_zh": title_zh,
        "description_en": description_en,
        "description_zh": description_zh,
    }


def _money(value: dict | None) -> Decimal | None:
    return Decimal(value["amount"]) if value else None


def _date(value: str | None) -> date | None:
    # Real dates, not strings: Wagtail revisions silently drop child objects they cannot serialise.
    return date.fromisoformat(value) if value else None


class _Catalog:
    """The zones and taxonomy, read once per import."""

    def __init__(self):
        self.zones = {zone.code: zone for zone in Zone.objects.all()}
        self.nodes = {node.code: node for node in TaxonomyNode.objects.all()}


def _check_provider(record: dict, base: str, catalog: _Catalog) -> list[Problem]:
    """What the schema cannot say: codes that exist, CNY prices, ordered salary ranges."""
    problems = []
    if record["zone"] not in catalog.zones:
        problems.append(Problem(f"{base}.zone", f"unknown zone {record['zone']!r}"))
    for s_index, service in enumerate(record.get("services", [])):
        here = f"{base}.services[{s_index}]"
        for field_name, kind in TAXONOMY_FIELDS.items():
            for c_index, code in enumerate(service.get(field_name, [])):
                node = catalog.nodes.get(code)
                if node is None:
                    problems.append(
                        Problem(f"{here}.{field_name}[{c_index}]", f"unknown code {code!r}")
                    )
                elif node.kind != kind:
                    problems.append(
                        Problem(
                            f"{here}.{field_name}[{c_index}]",
                            f"{code!r} is not a {kind.label.lower()}",
                        )
                    )
        for st_index, standard in enumerate(service.get("standards", [])):
            if _standard_code(standard) is None:
                problems.append(
                    Problem(f"{here}.standards[{st_index}]", f"unknown standard {standard!r}")
                )
        price = service.get("price_from")
        if price and price["currency"] != "CNY":
            problems.append(Problem(f"{here}.price_from.currency", "listing prices are in CNY"))
        tcm_codes = [
            code for code in service["capabilities"] if code.startswith("tcm.") or code == "tcm"
        ]
        if tcm_codes and len(tcm_codes) != len(service["capabilities"]):
            problems.append(
                Problem(f"{here}.capabilities", "a TCM service lists only capabilities under tcm")
            )
    for j_index, job in enumerate(record.get("jobs", [])):
        here = f"{base}.jobs[{j_index}]"
        for d_index, code in enumerate(job.get("disciplines", [])):
            if code not in catalog.nodes:
                problems.append(Problem(f"{here}.disciplines[{d_index}]", f"unknown code {code!r}"))
        for key in ("salary_min", "salary_max"):
            if job.get(key) and job[key]["currency"] != "CNY":
                problems.append(Problem(f"{here}.{key}.currency", "salaries are in CNY"))
        if job.get("salary_min") and job.get("salary_max"):
            if _money(job["salary_min"]) > _money(job["salary_max"]):
                problems.append(
                    Problem(f"{here}.salary_max", "the salary range ends below its start")
                )
    return problems


def _standard_code(value: str) -> str | None:
    normalised = value.strip().upper().replace("/IEC", "").replace(" ", "_").replace("-", "_")
    return normalised if normalised in Standard.values else None


def _check_ownership(record: dict, base: str) -> list[Problem]:
    """A service or job external_id that belongs to another provider cannot move silently."""
    problems = []
    organisation = Organisation.objects.filter(external_id=record["external_id"]).first()
    own_page_id = getattr(getattr(organisation, "provider_page", None), "pk", None)
    for key, models in (("services", (ServicePage, TCMServicePage)), ("jobs", (JobPostingPage,))):
        for index, item in enumerate(record.get(key, [])):
            for model in models:
                existing = model.objects.filter(external_id=item["external_id"]).first()
                if existing is not None and existing.get_parent().pk != own_page_id:
                    problems.append(
                        Problem(
                            f"{base}.{key}[{index}].external_id",
                            f"{item['external_id']!r} belongs to another provider",
                        )
                    )
        if key == "services":
            for index, item in enumerate(record.get(key, [])):
                other = ServicePage if _is_tcm(item) else TCMServicePage
                if other.objects.filter(external_id=item["external_id"]).exists():
                    problems.append(
                        Problem(
                            f"{base}.services[{index}].capabilities",
                            "a listing cannot change between a CRO and a TCM service; "
                            "delete it first",
                        )
                    )
    return problems


def _is_tcm(service: dict) -> bool:
    return service["capabilities"][0].split(".")[0] == "tcm"


def _duplicates(bundle: dict) -> dict[int, list[Problem]]:
    seen: dict[tuple[str, str], str] = {}
    problems: dict[int, list[Problem]] = {}
    for index, record in enumerate(bundle.get("providers", [])):
        if not isinstance(record, dict):
            continue
        items = [("provider", f"$.providers[{index}].external_id", record.get("external_id"))]
        for key, kind in (("services", "listing"), ("jobs", "job")):
            for item_index, item in enumerate(record.get(key) or []):
                if isinstance(item, dict):
                    items.append(
                        (
                            kind,
                            f"$.providers[{index}].{key}[{item_index}].external_id",
                            item.get("external_id"),
                        )
                    )
        for kind, path, external_id in items:
            if not isinstance(external_id, str):
                continue  # the schema reports it
            if (kind, external_id) in seen:
                problems.setdefault(index, []).append(
                    Problem(
                        path, f"external_id {external_id!r} repeats {seen[(kind, external_id)]}"
                    )
                )
            else:
                seen[(kind, external_id)] = path
    return problems


def providers_import(
    *, bundle: Any, progress: Callable[[Iterable], Iterable] | None = None
) -> ImportReport:
    """Validate the bundle, then create or update each valid provider in its own transaction.

    A bundle that is not an object with a ``providers`` list is rejected as a whole.
    """
    report = ImportReport()
    validator = Draft202012Validator(load_schema(), format_checker=FormatChecker())
    per_provider: dict[int, list[Problem]] = {}
    for error in validator.iter_errors(bundle):
        path = list(error.absolute_path)
        problem = Problem(json_path(path), error.message)
        if len(path) >= 2 and path[0] == "providers" and isinstance(path[1], int):
            per_provider.setdefault(path[1], []).append(problem)
        else:
            report.problems.append(problem)
    if report.problems:
        providers = bundle.get("providers") if isinstance(bundle, dict) else None
        report.rejected = len(providers) if isinstance(providers, list) else 0
        return report
    for index, problems in _duplicates(bundle).items():
        per_provider.setdefault(index, []).extend(problems)

    catalog = _Catalog()
    records = list(enumerate(bundle["providers"]))
    for index, record in progress(records) if progress else records:
        base = f"$.providers[{index}]"
        problems = per_provider.get(index, [])
        if not problems:
            problems = _check_provider(record, base, catalog) + _check_ownership(record, base)
        if problems:
            report.rejected += 1
            report.problems.extend(problems)
            continue
        outcome = _ProviderOutcome()
        try:
            with transaction.atomic(), deferred_wagtail_indexing(*IMPORTED_PAGE_MODELS):
                created = _import_provider(record, base, catalog, outcome)
        except RecordRejected as rejection:
            report.rejected += 1
            report.problems.extend(rejection.problems)
            continue
        except DatabaseError as error:  # a value the schema allows but a column cannot hold
            report.rejected += 1
            reason = str(error).strip().splitlines()[0]
            report.problems.append(Problem(base, f"the database refused a value: {reason}"))
            continue
        report.pages_published += outcome.pages_published
        report.drafts.extend(outcome.drafts)
        if created:
            report.created += 1
        else:
            report.updated += 1
    return report


@dataclass
class _ProviderOutcome:
    """What one provider's import did; added to the report only once its transaction commits."""

    pages_published: int = 0
    drafts: list[Problem] = field(default_factory=list)


class RecordRejected(Exception):
    """A record failed the models' own validation; carries the problems with their JSON paths."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(map(str, problems)))
        self.problems = problems


# Where a model field's value came from in a bundle record, to report errors at that path.
FIELD_PATHS = {
    "title_en": "title.en",
    "title_zh": "title.zh",
    "title": "title",
    "summary_en": "summary.en",
    "summary_zh": "summary.zh",
    "description_en": "description.en",
    "description_zh": "description.zh",
    "price_from_amount": "price_from.amount",
    "salary_min_amount": "salary_min.amount",
    "salary_max_amount": "salary_max.amount",
    "closes_on": "closes_on",
    "work_permit_sponsorship": "work_permit_sponsorship",
}


def _validated(page, path: str) -> None:
    """Run the model's validation, reporting failures at the record's JSON path."""
    try:
        page.full_clean()
    except ValidationError as error:
        _reject_at(path, error)


def _reject_at(path: str, error: ValidationError):
    by_field = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
    raise RecordRejected(
        [
            Problem(f"{path}.{FIELD_PATHS.get(name, name)}".rstrip("."), message)
            for name, messages in by_field.items()
            for message in messages
        ]
    ) from error


def _import_provider(record: dict, base: str, catalog: _Catalog, outcome: _ProviderOutcome) -> bool:
    name_en, name_zh = _text(record["name"])
    organisation = Organisation.objects.filter(external_id=record["external_id"]).first()
    created = organisation is None
    common = {
        "name": name_en or name_zh,
        "name_zh": name_zh,
        "kind": record.get("kind", "cro"),
        "country": record["country"],
        "city": record["city"],
        "website": record.get("website", ""),
    }
    try:
        if created:
            organisation = organisation_create(
                zone_code=record["zone"], external_id=record["external_id"], **common
            )
            page = ProviderPage.objects.get(organisation=organisation)  # made with it
        else:
            organisation = organisation_update(
                organisation=organisation, zone_code=record["zone"], **common
            )
            page = provider_workspace_ensure(organisation=organisation)
    except ValidationError as error:  # values the schema allows but the models do not
        _reject_at(base, error)
    profile = {key: value for key, value in record.items() if key not in ("services", "jobs")}
    if not _is_unchanged(page, profile):
        _update_provider_page(page, record, catalog, profile, base, outcome)

    for s_index, service in enumerate(record.get("services", [])):
        _import_listing(page, service, f"{base}.services[{s_index}]", catalog, outcome)
    for j_index, job in enumerate(record.get("jobs", [])):
        _import_job(page, job, f"{base}.jobs[{j_index}]", catalog, outcome)
    return created


def _update_provider_page(page, record, catalog, profile, base, outcome) -> None:
    name_en, name_zh = _text(record["name"])
    summary_en, summary_zh = _text(record.get("summary"))
    page.title_en, page.title_zh = name_en, name_zh
    page.summary_en, page.summary_zh = summary_en, summary_zh
    page.zone = catalog.zones[record["zone"]]
    page.city = record["city"]
    page.founded = record.get("founded")
    page.headcount = record.get("headcount")
    page.website = record.get("website", "")
    page.languages = [code.split("-")[0] for code in record.get("languages", [])]
    page.certifications = [
        Certification(
            standard=certification["standard"],
            issuer=certification.get("issuer", ""),
            reference=certification.get("reference", ""),
            valid_until=_date(certification.get("valid_until")),
        )
        for certification in record.get("certifications", [])
    ]
    _publish(page, profile, base, outcome)


def checksum(record: dict) -> str:
    return hashlib.sha256(json.dumps(record, sort_keys=True).encode()).hexdigest()


def _is_unchanged(page, record: dict) -> bool:
    """Whether this page was last written from exactly this record.

    An unchanged record leaves its page alone, live or not: a re-import neither adds revisions
    nor re-publishes a page that a moderator has since unpublished.
    """
    return page is not None and page.source_checksum == checksum(record)


def _publish(page, record: dict, path: str, outcome: _ProviderOutcome) -> None:
    page.source_checksum = checksum(record)
    _validated(page, path)
    revision = page.save_revision(clean=False)
    revision.publish()
    outcome.pages_published += 1


def _written(provider: ProviderPage, model, page, data: dict, values: dict, path: str):
    """The existing page with ``values`` set, or a new draft child of the provider with them."""
    if page is not None:
        for key, value in values.items():
            setattr(page, key, value)
        return page
    page = model(
        external_id=data["external_id"],
        slug=_slug(values["title_en"] or values["title_zh"], data["external_id"]),
        **values,
    )
    _new_child(provider, page, path)
    return page


def _new_child(provider: ProviderPage, page, path: str) -> None:
    """Add a new listing or job under its provider, as a draft, once its own fields are valid."""
    page.title = page.title_en or page.title_zh
    page.live = False
    try:
        page.clean_fields(exclude=[f.name for f in Page._meta.fields if f.name != "title"])
    except ValidationError as error:
        _reject_at(path, error)
    provider.add_child(instance=page)


def _import_listing(
    provider: ProviderPage, data: dict, path: str, catalog: _Catalog, outcome: _ProviderOutcome
) -> None:
    is_tcm = _is_tcm(data)
    model = TCMServicePage if is_tcm else ServicePage
    page: ListingPage | None = model.objects.filter(external_id=data["external_id"]).first()
    if _is_unchanged(page, data):
        if not page.live:
            outcome.drafts.append(Problem(path, DRAFT_REASON))
        return
    values = {
        **_texts(data),
        "standards": [_standard_code(standard) for standard in data.get("standards", [])],
        "price_from_amount": _money(data.get("price_from")),
        "turnaround_days": data.get("turnaround_days"),
    }
    if is_tcm:
        values["tcm_delivery"] = _tcm_delivery(data["capabilities"])
    else:
        values["delivery"] = data.get("delivery", "onsite")
    page = _written(provider, model, page, data, values, path)
    for field_name in TAXONOMY_FIELDS:
        getattr(page, field_name).set([catalog.nodes[code] for code in data.get(field_name, [])])

    if is_tcm and TCMServicePage.publication_errors_for(
        values
        | {"licensed_institution": page.licensed_institution, "licence_number": page.licence_number}
    ):
        page.source_checksum = checksum(data)
        _validated(page, path)
        page.save_revision(clean=False)
        outcome.drafts.append(Problem(path, DRAFT_REASON))
        return
    _publish(page, data, path, outcome)


DRAFT_REASON = (
    "online consultation kept as a draft: it needs the licensed medical institution "
    "and licence number before it can be published"
)


def _tcm_delivery(capabilities: list[str]) -> str:
    """An online consultation anywhere in the list makes it one (and so needs a licence)."""
    if "tcm.online_consultation" in capabilities:
        return TCMDelivery.ONLINE_CONSULTATION
    return TCM_DELIVERY_BY_CAPABILITY.get(capabilities[0], TCMDelivery.HERBAL_FORMULATION_RD)


def _import_job(
    provider: ProviderPage, data: dict, path: str, catalog: _Catalog, outcome: _ProviderOutcome
) -> None:
    page = JobPostingPage.objects.filter(external_id=data["external_id"]).first()
    if _is_unchanged(page, data):
        return
    values = {
        **_texts(data),
        "city": data["city"],
        "level": data["level"],
        "degree": data.get("degree", "any"),
        "languages": [code.split("-")[0] for code in data.get("languages", [])],
        "salary_min_amount": _money(data.get("salary_min")),
        "salary_max_amount": _money(data.get("salary_max")),
        "work_permit_sponsorship": data.get("work_permit_sponsorship", "none"),
        "closes_on": _date(data.get("closes_on")),
    }
    page = _written(provider, JobPostingPage, page, data, values, path)
    page.disciplines.set([catalog.nodes[code] for code in data.get("disciplines", [])])
    _publish(page, data, path, outcome)


def _slug(title: str, external_id: str) -> str:
    """Readable and unique: part of the title, then the whole (globally unique) external id."""
    return (
        f"{slugify(title, allow_unicode=True)[:50].strip('-') or 'listing'}-{slugify(external_id)}"
    )
