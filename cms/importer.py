"""Bulk onboarding: load a provider bundle (docs/provider-bundle.schema.json) into organisations and
published pages.

A problem is refused at the narrowest record that holds it: a service or job is reported with its
JSON path and reason and skipped, while its provider and the provider's other records load; only a
problem in a provider's own fields rejects the provider with everything under it. Each provider
loads in its own transaction, each of its services and jobs in a savepoint within it. Re-importing
updates in place by ``external_id``. Services, TCM services and jobs missing from a re-import are
left alone.
"""

import dataclasses
import hashlib
import json
from collections import Counter
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

# A TCM service is one whose first capability sits under `tcm` (it may list others too, e.g. the
# stability studies of a Chinese patent medicine); its delivery follows that first one.
TCM_DELIVERY_BY_CAPABILITY = {
    "tcm.online_consultation": TCMDelivery.ONLINE_CONSULTATION,
    "tcm.herbal_formulation": TCMDelivery.HERBAL_FORMULATION_RD,
    "tcm.quality_standards": TCMDelivery.HERBAL_FORMULATION_RD,
    "tcm.decoction_pieces": TCMDelivery.HERBAL_FORMULATION_RD,
    "tcm.clinical_evaluation": TCMDelivery.TCM_CLINICAL_EVALUATION,
    "tcm.acupuncture": TCMDelivery.WELLNESS,
    "tcm.wellness": TCMDelivery.WELLNESS,
}
ONLINE_CONSULTATION = "tcm.online_consultation"
# A TCM service record's medical licence, named as on TCMServicePage.
LICENCE_FIELDS = ("licensed_institution", "licence_number")
IMPORTED_PAGE_MODELS = (ProviderPage, ServicePage, TCMServicePage, JobPostingPage)
TAXONOMY_FIELDS = {
    "capabilities": TaxonomyKind.CAPABILITY,
    "therapeutic_areas": TaxonomyKind.THERAPEUTIC_AREA,
    "modalities": TaxonomyKind.MODALITY,
    "species": TaxonomyKind.SPECIES,
}

# What a problem refuses: the whole bundle, a provider with all its records, or one record.
BUNDLE, PROVIDER, SERVICE, JOB = "bundle", "provider", "service", "job"
RECORD_LISTS = {"services": SERVICE, "jobs": JOB}


@dataclass(frozen=True)
class Problem:
    path: str
    reason: str
    level: str = field(default=PROVIDER, compare=False, repr=False)

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"

    @property
    def skips_only_its_record(self) -> bool:
        """A service's or job's problem: that record is skipped, its provider still loads."""
        return self.level in (SERVICE, JOB)


@dataclass
class ImportReport:
    created: int = 0  # providers
    updated: int = 0  # providers
    rejected: int = 0  # providers, with all their services and jobs
    services_loaded: int = 0
    services_skipped: int = 0  # their own problem, or their provider was rejected
    jobs_loaded: int = 0
    jobs_skipped: int = 0
    pages_published: int = 0
    drafts: list[Problem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def providers_loaded(self) -> int:
        return self.created + self.updated


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


def _certifications(page: ProviderPage, records: list[dict]) -> list[Certification]:
    """The bundle's certifications, updating the page's own where standard and reference match:
    they keep their certificate document and stay the same rows (a verification holds while the
    facts it verified stay the same)."""
    existing = {(c.standard, c.reference): c for c in page.certifications.all()}
    certifications = []
    for record in records:
        reference = record.get("reference", "")
        certification = existing.pop((record["standard"], reference), None) or Certification(
            standard=record["standard"], reference=reference
        )
        certification.issuer = record.get("issuer", "")
        certification.valid_until = _date(record.get("valid_until"))
        certification.scope = record.get("scope", "")
        certifications.append(certification)
    return certifications


def _date(value: str | None) -> date | None:
    # Real dates, not strings: Wagtail revisions silently drop child objects they cannot serialise.
    return date.fromisoformat(value) if value else None


class _Catalog:
    """The zones and taxonomy, read once per import."""

    def __init__(self):
        self.zones = {zone.code: zone for zone in Zone.objects.all()}
        self.nodes = {node.code: node for node in TaxonomyNode.objects.all()}


# --- Checks before writing: what the schema cannot say ----------------------------------------


def _check_provider(record: dict, base: str, catalog: _Catalog) -> list[Problem]:
    """The provider's own fields: a zone that exists."""
    if record["zone"] not in catalog.zones:
        return [Problem(f"{base}.zone", f"unknown zone {record['zone']!r}")]
    return []


def _check_service(service: dict, here: str, catalog: _Catalog) -> list[Problem]:
    """Codes that exist in the right family, known standards, a CNY price; a medical licence and
    an online consultation only on a TCM service."""
    problems = []
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
    if not _is_tcm(service):
        # An online consultation is medical practice: published as a CRO service it would escape
        # the licence a TCM service page requires.
        if ONLINE_CONSULTATION in service["capabilities"]:
            problems.append(
                Problem(
                    f"{here}.capabilities",
                    f"{ONLINE_CONSULTATION!r} is only offered as a TCM service: "
                    "list a capability under tcm first",
                )
            )
        for name in LICENCE_FIELDS:
            if name in service:
                problems.append(
                    Problem(
                        f"{here}.{name}",
                        "only a TCM service (its first capability under tcm) "
                        "holds a medical licence",
                    )
                )
    return problems


def _check_job(job: dict, here: str, catalog: _Catalog) -> list[Problem]:
    """Disciplines that exist, CNY salaries, a salary range in order."""
    problems = []
    for d_index, code in enumerate(job.get("disciplines", [])):
        if code not in catalog.nodes:
            problems.append(Problem(f"{here}.disciplines[{d_index}]", f"unknown code {code!r}"))
    for key in ("salary_min", "salary_max"):
        if job.get(key) and job[key]["currency"] != "CNY":
            problems.append(Problem(f"{here}.{key}.currency", "salaries are in CNY"))
    if job.get("salary_min") and job.get("salary_max"):
        if _money(job["salary_min"]) > _money(job["salary_max"]):
            problems.append(Problem(f"{here}.salary_max", "the salary range ends below its start"))
    return problems


def _standard_code(value: str) -> str | None:
    normalised = value.strip().upper().replace("/IEC", "").replace(" ", "_").replace("-", "_")
    return normalised if normalised in Standard.values else None


def _own_page_id(record: dict) -> int | None:
    """The provider page of the organisation this record updates (None for a new provider)."""
    organisation = Organisation.objects.filter(external_id=record["external_id"]).first()
    return getattr(getattr(organisation, "provider_page", None), "pk", None)


def _check_ownership(item: dict, here: str, models, own_page_id: int | None) -> list[Problem]:
    """A service or job external_id that belongs to another provider cannot move silently."""
    for model in models:
        existing = model.objects.filter(external_id=item["external_id"]).first()
        if existing is not None and existing.get_parent().pk != own_page_id:
            return [
                Problem(
                    f"{here}.external_id", f"{item['external_id']!r} belongs to another provider"
                )
            ]
    return []


def _check_service_kind(service: dict, here: str) -> list[Problem]:
    other = ServicePage if _is_tcm(service) else TCMServicePage
    if other.objects.filter(external_id=service["external_id"]).exists():
        return [
            Problem(
                f"{here}.capabilities",
                "a listing cannot change between a CRO and a TCM service; delete it first",
            )
        ]
    return []


def _is_tcm(service: dict) -> bool:
    return service["capabilities"][0].split(".")[0] == "tcm"


def _duplicates(bundle: dict) -> dict[tuple, list[Problem]]:
    """External ids repeated within the bundle, by record key (see ``_record_key``)."""
    seen: dict[tuple[str, str], str] = {}
    problems: dict[tuple, list[Problem]] = {}
    for index, record in enumerate(bundle.get("providers", [])):
        if not isinstance(record, dict):
            continue
        items = [((index,), "provider", f"$.providers[{index}]", record.get("external_id"))]
        for key, kind in (("services", "listing"), ("jobs", "job")):
            for item_index, item in enumerate(_items(record, key)):
                if isinstance(item, dict):
                    items.append(
                        (
                            (index, key, item_index),
                            kind,
                            f"$.providers[{index}].{key}[{item_index}]",
                            item.get("external_id"),
                        )
                    )
        for record_key, kind, path, external_id in items:
            if not isinstance(external_id, str):
                continue  # the schema reports it
            if (kind, external_id) in seen:
                problems.setdefault(record_key, []).append(
                    Problem(
                        f"{path}.external_id",
                        f"external_id {external_id!r} repeats {seen[(kind, external_id)]}",
                    )
                )
            else:
                seen[(kind, external_id)] = f"{path}.external_id"
    return problems


def _items(record: Any, key: str) -> list:
    """A provider record's services or jobs, or nothing if the record cannot hold them."""
    items = record.get(key) if isinstance(record, dict) else None
    return items if isinstance(items, list) else []


def _record_key(path: list) -> tuple | None:
    """The record a schema error belongs to: ``(provider,)``, ``(provider, "services", n)`` or
    ``(provider, "jobs", n)``; None for the bundle itself."""
    if len(path) < 2 or path[0] != "providers" or not isinstance(path[1], int):
        return None
    if len(path) >= 4 and path[2] in RECORD_LISTS and isinstance(path[3], int):
        return (path[1], path[2], path[3])
    return (path[1],)


def _level(record_key: tuple) -> str:
    return PROVIDER if len(record_key) == 1 else RECORD_LISTS[record_key[1]]


def _at_level(problems: Iterable[Problem], level: str) -> list[Problem]:
    return [dataclasses.replace(problem, level=level) for problem in problems]


# --- The import -------------------------------------------------------------------------------


def providers_import(
    *, bundle: Any, progress: Callable[[Iterable], Iterable] | None = None
) -> ImportReport:
    """Validate the bundle, then create or update each provider in its own transaction, skipping
    the services and jobs that have a problem and rejecting the providers whose own fields have one.

    A bundle that is not an object with a ``providers`` list is rejected as a whole.
    """
    report = ImportReport()
    validator = Draft202012Validator(load_schema(), format_checker=FormatChecker())
    found: dict[tuple, list[Problem]] = {}
    for error in validator.iter_errors(bundle):
        path = list(error.absolute_path)
        record_key = _record_key(path)
        if record_key is None:
            report.problems.append(Problem(json_path(path), error.message, level=BUNDLE))
        else:
            found.setdefault(record_key, []).append(
                Problem(json_path(path), error.message, level=_level(record_key))
            )
    if report.problems:
        providers = bundle.get("providers") if isinstance(bundle, dict) else None
        providers = providers if isinstance(providers, list) else []
        report.rejected = len(providers)
        report.services_skipped = sum(len(_items(record, "services")) for record in providers)
        report.jobs_skipped = sum(len(_items(record, "jobs")) for record in providers)
        return report
    for record_key, problems in _duplicates(bundle).items():
        found.setdefault(record_key, []).extend(_at_level(problems, _level(record_key)))

    catalog = _Catalog()
    records = list(enumerate(bundle["providers"]))
    for index, record in progress(records) if progress else records:
        _provider_load(index, record, found, catalog, report)
    return report


@dataclass
class _ProviderOutcome:
    """What a provider's import (or one of its records') did; added to the report only once its
    transaction (or savepoint) commits."""

    pages_published: int = 0
    drafts: list[Problem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # of the records skipped
    loaded: Counter = field(default_factory=Counter)  # by level: service, job
    skipped: Counter = field(default_factory=Counter)

    def add(self, other: "_ProviderOutcome") -> None:
        self.pages_published += other.pages_published
        self.drafts.extend(other.drafts)
        self.problems.extend(other.problems)
        self.loaded.update(other.loaded)
        self.skipped.update(other.skipped)


@dataclass
class _Record:
    """A service or job of the provider being loaded, with the problems that skip it."""

    key: str  # "services" or "jobs"
    data: Any
    path: str
    problems: list[Problem]

    @property
    def level(self) -> str:
        return RECORD_LISTS[self.key]


def _provider_load(
    index: int,
    record: Any,
    found: dict[tuple, list[Problem]],
    catalog: _Catalog,
    report: ImportReport,
) -> None:
    """Check and load one provider record and its services and jobs into ``report``."""
    base = f"$.providers[{index}]"
    children = [
        _Record(key, item, f"{base}.{key}[{item_index}]", found.get((index, key, item_index), []))
        for key in RECORD_LISTS
        for item_index, item in enumerate(_items(record, key))
    ]
    for child in children:  # well formed, so what the schema cannot say can be checked
        if not child.problems:
            check = _check_service if child.key == "services" else _check_job
            child.problems = _at_level(check(child.data, child.path, catalog), child.level)
    problems = found.get((index,)) or _check_provider(record, base, catalog)
    if not problems:
        own_page_id = _own_page_id(record)
        for child in children:
            if not child.problems:
                child.problems = _at_level(_check_owner(child, own_page_id), child.level)
        outcome = _ProviderOutcome()
        try:
            with transaction.atomic():
                # Closed before the records' own blocks open: these blocks do not nest (Wagtail's
                # reference-index switch is not re-entrant), and a record's page must be indexed
                # only if its savepoint holds.
                with deferred_wagtail_indexing(*IMPORTED_PAGE_MODELS):
                    created, page = _import_provider(record, base, catalog, outcome)
                for child in children:
                    _record_load(child, page, catalog, outcome)
        except RecordRejected as rejection:
            problems = rejection.problems
        except DatabaseError as error:  # a value the schema allows but a column cannot hold
            problems = [Problem(base, _database_reason(error))]
        else:
            if created:
                report.created += 1
            else:
                report.updated += 1
            report.services_loaded += outcome.loaded[SERVICE]
            report.services_skipped += outcome.skipped[SERVICE]
            report.jobs_loaded += outcome.loaded[JOB]
            report.jobs_skipped += outcome.skipped[JOB]
            report.pages_published += outcome.pages_published
            report.drafts.extend(outcome.drafts)
            report.problems.extend(outcome.problems)
            return
    # Rejected: nothing of it is written; its records' own problems are reported too.
    report.rejected += 1
    report.problems.extend(_at_level(problems, PROVIDER))
    for child in children:
        report.problems.extend(child.problems)
    report.services_skipped += sum(child.key == "services" for child in children)
    report.jobs_skipped += sum(child.key == "jobs" for child in children)


def _check_owner(child: _Record, own_page_id: int | None) -> list[Problem]:
    """A record's external id is its provider's own, and a listing keeps its kind."""
    if child.key == "jobs":
        return _check_ownership(child.data, child.path, (JobPostingPage,), own_page_id)
    return _check_ownership(
        child.data, child.path, (ServicePage, TCMServicePage), own_page_id
    ) + _check_service_kind(child.data, child.path)


def _record_load(
    child: _Record, provider: ProviderPage, catalog: _Catalog, outcome: _ProviderOutcome
) -> None:
    """Load one service or job in a savepoint; a record with a problem is skipped, not its
    provider. Wagtail indexes its page only once the savepoint holds."""
    problems = child.problems
    if not problems:
        loaded = _ProviderOutcome()
        load = _import_listing if child.key == "services" else _import_job
        try:
            with transaction.atomic(), deferred_wagtail_indexing(*IMPORTED_PAGE_MODELS):
                load(provider, child.data, child.path, catalog, loaded)
        except RecordRejected as rejection:
            problems = rejection.problems
        except DatabaseError as error:
            problems = [Problem(child.path, _database_reason(error))]
        else:
            loaded.loaded[child.level] += 1
            outcome.add(loaded)
            return
    outcome.skipped[child.level] += 1
    outcome.problems.extend(_at_level(problems, child.level))


def _database_reason(error: DatabaseError) -> str:
    return "the database refused a value: " + str(error).strip().splitlines()[0]


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


def _import_provider(
    record: dict, base: str, catalog: _Catalog, outcome: _ProviderOutcome
) -> tuple[bool, ProviderPage]:
    """Create or update the organisation and publish its provider page; whether it was created."""
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
    if "foreign_invested" in record:  # absent: keep what the organisation stated on the site
        common["is_foreign_invested"] = record["foreign_invested"]
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
    profile = {key: value for key, value in record.items() if key not in RECORD_LISTS}
    if not _is_unchanged(page, profile):
        _update_provider_page(page, record, catalog, profile, base, outcome)
    return created, page


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
    page.certifications = _certifications(page, record.get("certifications", []))
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
        if not page.live and (errors := _publication_errors(page)):
            outcome.drafts.append(Problem(path, _draft_reason(errors)))
        return
    values = {
        **_texts(data),
        "standards": [_standard_code(standard) for standard in data.get("standards", [])],
        "price_from_amount": _money(data.get("price_from")),
        "turnaround_days": data.get("turnaround_days"),
    }
    if is_tcm:
        values["tcm_delivery"] = _tcm_delivery(data["capabilities"])
        # Absent from the record: whatever an editor entered in the admin stays.
        values |= {name: data[name].strip() for name in LICENCE_FIELDS if name in data}
    else:
        values["delivery"] = data.get("delivery", "onsite")
    page = _written(provider, model, page, data, values, path)
    # Every capability, under tcm or not: search finds the listing under each of them.
    for field_name in TAXONOMY_FIELDS:
        getattr(page, field_name).set([catalog.nodes[code] for code in data.get(field_name, [])])

    if errors := _publication_errors(page):
        page.source_checksum = checksum(data)
        _validated(page, path)
        page.save_revision(clean=False)
        outcome.drafts.append(Problem(path, _draft_reason(errors)))
        return
    _publish(page, data, path, outcome)


def _publication_errors(page: ListingPage) -> dict[str, str]:
    """What keeps this listing from being published (a TCM online consultation's licence)."""
    if not isinstance(page, TCMServicePage):
        return {}
    return TCMServicePage.publication_errors_for(
        {
            "tcm_delivery": page.tcm_delivery,
            **{name: getattr(page, name) for name in LICENCE_FIELDS},
        }
    )


def _draft_reason(errors: dict[str, str]) -> str:
    missing = " and ".join(name for name in LICENCE_FIELDS if name in errors)
    return f"online consultation kept as a draft: it needs {missing} before it can be published"


def _tcm_delivery(capabilities: list[str]) -> str:
    """An online consultation anywhere in the list makes it one (and so needs a licence)."""
    if ONLINE_CONSULTATION in capabilities:
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
