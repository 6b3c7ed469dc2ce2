"""Downloading a contract's documents: its two parties only (404 for anyone else)."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404

from marketplace.agreements.models import DocumentKind
from marketplace.agreements.services import contract_documents_issue
from marketplace.contracting.selectors import contracts_for_user
from marketplace.pages import run_service


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
