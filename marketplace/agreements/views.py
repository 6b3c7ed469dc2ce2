"""A contract's documents on the site: downloading them and signing them, by its two parties
only (404 for anyone else)."""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marketplace.agreements.forms import ChangeMilestoneFormSet, ChangeOrderForm
from marketplace.agreements.models import DocumentKind
from marketplace.agreements.services import change_order_document_issue, contract_documents_issue
from marketplace.agreements.signing import (
    change_order_sign,
    contract_documents_sign,
    signer_reauthenticate,
    signing_code_send,
)
from marketplace.contracting.models import (
    ChangeOrder,
    ChangeOrderStatus,
    Contract,
    ContractStatus,
    MilestoneStatus,
)
from marketplace.contracting.selectors import acting_side, contracts_for_user
from marketplace.contracting.services import (
    InvalidTransition,
    MilestoneInput,
    change_order_propose,
    change_order_withdraw,
    contract_scope,
)
from marketplace.contracting.services.screening import CHANGEABLE_FACTS, contract_fact_values
from marketplace.pages import form_errors_add, refusal_page, run_service


@login_required
def document_download(request, pk: int, kind: str):
    """The contract's framework agreement (``msa``) or statement of work (``sow``) as a PDF,
    issued now if the background task has not yet."""
    if kind not in (DocumentKind.MSA, DocumentKind.SOW):
        raise Http404
    contract = get_object_or_404(contracts_for_user(user=request.user), pk=pk)
    documents, refusal = run_service(
        request,
        lambda: contract_documents_issue(contract=contract),
        back=f"/deals/contracts/{contract.pk}/",
    )
    if refusal is not None:
        return refusal
    document = next(document for document in documents if document.kind == kind)
    response = FileResponse(
        document.file.open("rb"), as_attachment=True, filename=document.filename,
        content_type="application/pdf",
    )  # fmt: skip
    response["X-Document-SHA256"] = document.content_sha256
    return response


def _client_ip(request) -> str | None:
    """The address the request came from (the proxy in front sets REMOTE_ADDR to the client's)."""
    return request.META.get("REMOTE_ADDR") or None


def _sign(request, back: str, sign):
    """Sign from a posted form: the signer proves it is them (password or emailed code), then
    ``sign(by=, typed_name=, method=, ip_address=)`` runs; None, or the page saying why not."""
    try:
        method = signer_reauthenticate(
            user=request.user,
            password=request.POST.get("password", ""),
            code=request.POST.get("code", ""),
        )
    except ValidationError as error:
        return refusal_page(request, " ".join(error.messages), back, status=400)
    _signed, refusal = run_service(
        request,
        lambda: sign(
            by=request.user,
            typed_name=request.POST.get("typed_name", ""),
            method=method,
            ip_address=_client_ip(request),
        ),  # fmt: skip
        back,
    )
    return refusal


@login_required
@require_POST
def contract_sign(request, pk: int):
    """Sign the contract's documents for your organisation: your password or emailed code, and
    your name typed."""
    contract = get_object_or_404(contracts_for_user(user=request.user), pk=pk)
    back = f"/deals/contracts/{contract.pk}/"
    refusal = _sign(request, back, partial(contract_documents_sign, contract=contract))
    if refusal is not None:
        return refusal
    messages.success(request, _("Signed for your organisation."))
    return redirect(back)


@login_required
@require_POST
def signing_code(request, pk: int):
    """Email the signer a one-time code to sign with."""
    contract = get_object_or_404(contracts_for_user(user=request.user), pk=pk)
    back = f"/deals/contracts/{contract.pk}/"
    said, refusal = run_service(
        request, lambda: signing_code_send(contract=contract, by=request.user), back
    )
    if refusal is not None:
        return refusal
    messages.info(request, said)
    return redirect(f"{back}#sign")


def _change_order(request, pk: int, number: int) -> tuple[Contract, ChangeOrder]:
    contract = get_object_or_404(contracts_for_user(user=request.user), pk=pk)
    return contract, get_object_or_404(contract.change_orders, number=number)


def _proposal(data: dict, milestone_forms, facts: dict, replacing: bool) -> tuple[dict, list]:
    """The service's arguments from the form: the facts answered otherwise than they stand, and
    the milestone rows filled in (with the row each came from, for its errors)."""
    positions = [i for i, m in enumerate(milestone_forms.cleaned_data) if m] if replacing else []
    blank = (None, "")
    changed = {
        name: data[name]
        for name in CHANGEABLE_FACTS
        if data[name] != facts.get(name) and not (data[name] in blank and facts.get(name) in blank)
    }
    milestones = [MilestoneInput(**milestone_forms.cleaned_data[i]) for i in positions]
    return {
        "reason": data["reason"],
        "scope": data["scope"],
        "milestones": milestones if replacing else None,
        "facts": changed,
    }, positions


@login_required
def change_order_new(request, pk: int):
    """Propose a change to an active contract: the form shows the contract as it stands."""
    contract = get_object_or_404(
        contracts_for_user(user=request.user).select_related("rfq", "buyer", "provider"), pk=pk
    )
    back = f"/deals/contracts/{contract.pk}/"
    if acting_side(contract=contract, user=request.user) is None:
        return refusal_page(
            request, _("Only the two parties' owners and editors can act on a contract."), back,
            status=403,
        )  # fmt: skip
    if contract.status != ContractStatus.ACTIVE:
        return refusal_page(request, _("Only an active contract can be changed."), back)
    facts = contract_fact_values(contract)
    planned = [
        {"name": m.name, "amount": m.amount, "due_date": m.due_date, "trigger": m.trigger}
        for m in contract.milestones.filter(status=MilestoneStatus.PLANNED).order_by("position")
    ]
    form = ChangeOrderForm(
        request.POST or None, initial={"scope": contract_scope(contract), **facts}
    )
    milestone_forms = ChangeMilestoneFormSet(request.POST or None, initial=planned, prefix="ms")
    status = 200
    if request.method == "POST":
        replacing = form.is_valid() and form.cleaned_data["change_milestones"]
        if form.is_valid() and (not replacing or milestone_forms.is_valid()):
            proposal, positions = _proposal(form.cleaned_data, milestone_forms, facts, replacing)
            try:
                with transaction.atomic():
                    change = change_order_propose(contract=contract, by=request.user, **proposal)
            except InvalidTransition as error:
                return refusal_page(request, error.message, back)
            except PermissionDenied as error:
                return refusal_page(request, str(error), back, status=403)
            except ValidationError as error:
                form_errors_add(form, error, formsets={"milestones": (milestone_forms, positions)})
            else:
                messages.success(
                    request,
                    _("Change %s proposed: both parties now sign it.") % change.reference,
                )
                return redirect(f"{back}#changes")
        status = 400
    return render(
        request,
        "agreements/change_order_form.html",
        {
            "contract": contract,
            "form": form,
            "milestone_forms": milestone_forms,
            "kept": contract.milestones.exclude(status=MilestoneStatus.PLANNED).order_by(
                "position"
            ),
        },
        status=status,
    )


@login_required
def change_order_download(request, pk: int, number: int):
    """A change order's document as a PDF (issued now if the background task has not yet)."""
    contract, change = _change_order(request, pk, number)
    document, refusal = run_service(
        request,
        lambda: change_order_document_issue(change_order=change),
        back=f"/deals/contracts/{contract.pk}/",
    )
    if refusal is not None:
        return refusal
    response = FileResponse(
        document.file.open("rb"), as_attachment=True, filename=document.filename,
        content_type="application/pdf",
    )  # fmt: skip
    response["X-Document-SHA256"] = document.content_sha256
    return response


@login_required
@require_POST
def change_order_sign_view(request, pk: int, number: int):
    """Sign a proposed change for your organisation: your password or emailed code, your name."""
    contract, change = _change_order(request, pk, number)
    back = f"/deals/contracts/{contract.pk}/"
    refusal = _sign(request, back, partial(change_order_sign, change_order=change))
    if refusal is not None:
        return refusal
    change.refresh_from_db()
    if change.status == ChangeOrderStatus.APPLIED:
        messages.success(request, _("Signed: both parties have, and the change is in force."))
    else:
        messages.success(request, _("Signed for your organisation."))
    return redirect(f"{back}#changes")


@login_required
@require_POST
def change_order_withdraw_view(request, pk: int, number: int):
    """The proposer withdraws a change still waiting; the other party declines it."""
    contract, change = _change_order(request, pk, number)
    back = f"/deals/contracts/{contract.pk}/"
    change, refusal = run_service(
        request,
        lambda: change_order_withdraw(
            change_order=change, by=request.user, reason=request.POST.get("reason", "")
        ),
        back,
    )
    if refusal is not None:
        return refusal
    messages.success(request, _("The change is %s.") % change.get_status_display().lower())
    return redirect(f"{back}#changes")
