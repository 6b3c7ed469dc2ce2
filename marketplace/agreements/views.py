"""A contract's documents on the site: downloading them and signing them, by its two parties
only (404 for anyone else)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marketplace.agreements.models import DocumentKind
from marketplace.agreements.services import contract_documents_issue
from marketplace.agreements.signing import (
    contract_documents_sign,
    signer_reauthenticate,
    signing_code_send,
)
from marketplace.contracting.selectors import contracts_for_user
from marketplace.pages import refusal_page, run_service


@login_required
def document_download(request, pk: int, kind: str):
    """The contract's framework agreement (``msa``) or statement of work (``sow``) as a PDF,
    issued now if the background task has not yet."""
    if kind not in DocumentKind.values:
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


@login_required
@require_POST
def contract_sign(request, pk: int):
    """Sign the contract's documents for your organisation: your password or emailed code, and
    your name typed."""
    contract = get_object_or_404(contracts_for_user(user=request.user), pk=pk)
    back = f"/deals/contracts/{contract.pk}/"
    try:
        method = signer_reauthenticate(
            user=request.user,
            password=request.POST.get("password", ""),
            code=request.POST.get("code", ""),
        )
    except ValidationError as error:
        return refusal_page(request, " ".join(error.messages), back, status=400)
    signatures, refusal = run_service(
        request,
        lambda: contract_documents_sign(
            contract=contract,
            by=request.user,
            typed_name=request.POST.get("typed_name", ""),
            method=method,
            ip_address=_client_ip(request),
        ),  # fmt: skip
        back,
    )
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
