"""Issuing the documents a deal is closed on: the framework agreement (MSA) of a buyer–provider
pair, once, and the statement of work (SOW) of each contract, from the accepted quote. Each is
rendered from the current published terms to a PDF in English and Chinese; what it says is kept
with its SHA-256, printed on every page of the PDF.

Idempotent: issuing again returns the document already issued (row locks order two requests at
once; unique constraints are the backstop)."""

import hashlib
import json
import string
from datetime import date

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from marketplace.accounts.models import Organisation
from marketplace.agreements.models import (
    AgreementDocument,
    DocumentKind,
    FrameworkAgreement,
    TermsTemplate,
)
from marketplace.agreements.pdf import document_pdf
from marketplace.compliance.facts import fact_description
from marketplace.contracting.audit import audit
from marketplace.contracting.models import CatalogueItem, ChangeOrder, Contract
from marketplace.contracting.selectors import change_facts, change_new_approvals
from marketplace.contracting.services.contracts import contract_lock
from marketplace.transitions import InvalidTransition


class _Blanks(dict):
    """Placeholders a template names that a document does not know stay as written."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _clauses(text: str, values: dict) -> list[str]:
    """The template's clauses (separated by blank lines) with the placeholders filled in."""
    formatter = string.Formatter()
    clauses = []
    for clause in text.replace("\r\n", "\n").split("\n\n"):
        clause = clause.strip()
        if clause:
            try:
                clauses.append(formatter.vformat(clause, (), _Blanks(values)))
            except (ValueError, IndexError):  # a stray brace: the clause as written
                clauses.append(clause)
    return clauses


def content_hash(content: dict) -> str:
    """The SHA-256 of a document's content, in a canonical JSON form (what a signature binds)."""
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def terms_current(*, kind: str) -> TermsTemplate:
    """The latest published terms of ``kind``; refused (409) when staff have published none."""
    template = (
        TermsTemplate.objects.filter(kind=kind, is_published=True).order_by("-created_at").first()
    )
    if template is None:
        raise InvalidTransition(
            _("No terms are published for this kind of document yet: ask the platform.")
        )
    return template


def party_facts(organisation: Organisation) -> dict:
    """What a document says of one of its parties."""
    return {
        "id": organisation.pk,
        "name": organisation.name,
        "name_zh": organisation.name_zh,
        "country": organisation.country,
        "city": organisation.city,
        "zone": organisation.zone.code if organisation.zone else "",
        "zone_name": organisation.zone.name if organisation.zone else "",
        "zone_name_zh": organisation.zone.name_zh if organisation.zone else "",
    }


def _terms(template: TermsTemplate, buyer: Organisation, provider: Organisation, effective: date):
    """The template's clauses in each language, with the parties named as in that language."""
    values = {
        "buyer_country": buyer.country,
        "provider_zone": provider.zone.name if provider.zone else "",
        "effective_date": effective.isoformat(),
    }
    english = {**values, "buyer": buyer.name, "provider": provider.name}
    chinese = {
        **values,
        "buyer": buyer.name_zh or buyer.name,
        "provider": provider.name_zh or provider.name,
        "provider_zone": provider.zone.name_zh if provider.zone else "",
    }
    return {
        "version": template.version,
        "title_en": template.title_en,
        "title_zh": template.title_zh,
        "clauses_en": _clauses(template.body_en, english),
        "clauses_zh": _clauses(template.body_zh, chinese),
    }


def _issue(*, kind: str, framework: FrameworkAgreement, contract: Contract | None,
           template: TermsTemplate, content: dict) -> AgreementDocument:  # fmt: skip
    digest = content_hash(content)
    pdf = document_pdf(kind=kind, content=content, content_sha256=digest)
    document = AgreementDocument(
        kind=kind,
        framework=framework,
        contract=contract,
        template=template,
        content=content,
        content_sha256=digest,
        file_sha256=hashlib.sha256(pdf).hexdigest(),
    )
    subject = f"contract-{contract.pk}" if contract else f"msa-{framework.pk}"
    document.file.save(f"{kind}-{subject}-v1.pdf", ContentFile(pdf), save=False)
    document.save()
    audit(document, action="issue", actor=None, reason=digest)
    return document


@transaction.atomic
def framework_agreement_ensure(*, buyer: Organisation, provider: Organisation) -> AgreementDocument:
    """The pair's framework agreement and its MSA document, made at their first deal."""
    framework, _created = FrameworkAgreement.objects.get_or_create(buyer=buyer, provider=provider)
    framework = FrameworkAgreement.objects.select_for_update().get(pk=framework.pk)
    document = framework.documents.filter(kind=DocumentKind.MSA).order_by("-version").first()
    if document is not None:
        return document
    template = terms_current(kind=DocumentKind.MSA)
    effective = timezone.localdate()
    content = {
        "kind": DocumentKind.MSA.value,
        "reference": f"MSA-{framework.pk:06d}",
        "effective_date": effective.isoformat(),
        "buyer": party_facts(buyer),
        "provider": party_facts(provider),
        "terms": _terms(template, buyer, provider, effective),
    }
    return _issue(
        kind=DocumentKind.MSA, framework=framework, contract=None, template=template,
        content=content,
    )  # fmt: skip


@transaction.atomic
def statement_of_work_issue(*, contract: Contract) -> AgreementDocument:
    """The contract's statement of work, from the accepted quote it snapshots (scope, lines,
    milestones, totals in CNY and the buyer's currency at the snapshotted rate), under the pair's
    framework agreement (made first if this is their first deal)."""
    msa = framework_agreement_ensure(buyer=contract.buyer, provider=contract.provider)
    contract = (
        Contract.objects.select_for_update(of=("self",), no_key=True)
        .select_related("buyer", "provider")
        .get(pk=contract.pk)
    )
    document = contract.agreement_documents.filter(kind=DocumentKind.SOW).order_by("-version")
    if (existing := document.first()) is not None:
        return existing
    template = terms_current(kind=DocumentKind.SOW)
    snapshot = contract.snapshot
    quote = snapshot["quote"]
    effective = timezone.localdate()
    content = {
        "kind": DocumentKind.SOW.value,
        "reference": f"SOW-{contract.pk:06d}",
        "effective_date": effective.isoformat(),
        "framework": {"reference": msa.content["reference"], "sha256": msa.content_sha256},
        "buyer": party_facts(contract.buyer),
        "provider": party_facts(contract.provider),
        "rfq": {"title": snapshot["rfq"]["title"], "scope": snapshot["rfq"]["scope"]},
        "quote": {
            "id": quote["id"],
            "revision": quote["revision"],
            "turnaround_days": quote["turnaround_days"],
            "assumptions": quote.get("assumptions", ""),
            "exclusions": quote.get("exclusions", ""),
            "currency": quote["currency"],
            "net": quote["net"],
            "vat": quote["vat"],
            "total": quote["total"],
            "lines": quote["lines"],
            "milestones": quote["milestones"],
            "fx": quote.get("fx") or {},
        },
        "approvals": [
            {"title_en": item.title_en, "title_zh": item.title_zh, "severity": item.severity}
            for item in contract.checklist.all()
        ],
        "terms": _terms(template, contract.buyer, contract.provider, effective),
    }
    return _issue(
        kind=DocumentKind.SOW, framework=msa.framework, contract=contract, template=template,
        content=content,
    )  # fmt: skip


def contract_documents_issue(*, contract: Contract) -> list[AgreementDocument]:
    """The framework agreement and the statement of work a contract is signed on (read without
    locks once both are issued: downloads do not queue behind one another)."""
    sow = contract.agreement_documents.filter(kind=DocumentKind.SOW).order_by("-version").first()
    if sow is None:
        sow = statement_of_work_issue(contract=contract)
    msa = sow.framework.documents.filter(kind=DocumentKind.MSA).order_by("-version").first()
    return [msa, sow]


def _fact_value(name: str, value) -> str:
    if value is None or value == "":
        return gettext("not stated")
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if name == "technology_catalogue_item":
        return str(CatalogueItem(value).label)
    return str(value)


def _fact_row(name: str, before, after) -> dict:
    """A changed deal fact, described in English and in Chinese (its code never shown)."""
    row = {"fact": name}
    for language, suffix in (("en", "en"), ("zh-hans", "zh")):
        with translation.override(language):
            row[f"label_{suffix}"] = fact_description(name)
            row[f"before_{suffix}"] = _fact_value(name, before)
            row[f"after_{suffix}"] = _fact_value(name, after)
    return row


def _reference(document: AgreementDocument) -> dict:
    return {"reference": document.content["reference"], "sha256": document.content_sha256}


def _milestone_lines(milestones: list[dict]) -> list[dict]:
    return [
        {key: milestone.get(key) for key in ("position", "name", "amount", "due_date", "trigger",
                                             "status")}
        for milestone in milestones
    ]  # fmt: skip


@transaction.atomic
def change_order_document_issue(*, change_order: ChangeOrder) -> AgreementDocument:
    """The document of a change order, for both parties to sign: what it amends (the statement of
    work and the framework agreement, by reference and SHA-256), the contract before and after
    (scope, milestones, total, deal facts), why, and the screening of the changed deal."""
    contract_lock(contract_id=change_order.contract_id)  # contract, then change order
    change_order = (
        ChangeOrder.objects.select_for_update(of=("self",), no_key=True)
        .select_related("contract__buyer__zone", "contract__provider__zone")
        .get(pk=change_order.pk)
    )
    existing = AgreementDocument.objects.filter(change_order=change_order).first()
    if existing is not None:
        return existing
    contract = change_order.contract
    msa, sow = contract_documents_issue(contract=contract)
    template = terms_current(kind=DocumentKind.CHANGE_ORDER)
    before, after = change_order.before, change_order.after
    proposed_on = timezone.localdate(change_order.created_at)
    content = {
        "kind": DocumentKind.CHANGE_ORDER.value,
        "reference": change_order.reference,
        "number": change_order.number,
        "proposed_on": proposed_on.isoformat(),
        "amends": {
            "statement_of_work": _reference(sow),
            "framework": _reference(msa),
        },
        "buyer": party_facts(contract.buyer),
        "provider": party_facts(contract.provider),
        "rfq": {"title": contract.snapshot["rfq"]["title"]},
        "proposed_by": change_order.proposed_side,
        "reason": change_order.reason,
        "currency": contract.currency,
        "before": {
            "scope": before["scope"],
            "total": before["total"],
            "milestones": _milestone_lines(before["milestones"]),
        },
        "after": {
            "scope": after["scope"],
            "total": after["total"],
            "milestones": _milestone_lines(after["milestones"]),
        },
        "scope_changed": before["scope"] != after["scope"],
        "facts": [
            _fact_row(name, before["facts"].get(name), after["facts"][name])
            for name in change_facts(change_order)
        ],
        "screening": {
            "outcome": change_order.screening["outcome"],
            "rules_version": change_order.screening["rules_version"],
            "new_approvals": [
                {"title_en": f["title_en"], "title_zh": f["title_zh"], "severity": f["severity"]}
                for f in change_new_approvals(change_order)
            ],
        },
        "terms": _terms(template, contract.buyer, contract.provider, proposed_on),
    }
    digest = content_hash(content)
    pdf = document_pdf(kind=DocumentKind.CHANGE_ORDER, content=content, content_sha256=digest)
    document = AgreementDocument(
        kind=DocumentKind.CHANGE_ORDER,
        framework=msa.framework,
        contract=contract,
        change_order=change_order,
        version=change_order.number,
        template=template,
        content=content,
        content_sha256=digest,
        file_sha256=hashlib.sha256(pdf).hexdigest(),
    )
    document.file.save(f"change-order-{change_order.reference}.pdf", ContentFile(pdf), save=False)
    document.save()
    audit(document, action="issue", actor=None, reason=digest)
    return document
