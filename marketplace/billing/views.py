"""Downloading a billing document: the contract's two parties only (404 for anyone else)."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import get_object_or_404

from marketplace.billing.models import BillingDocument
from marketplace.contracting.selectors import contracts_for_user


@login_required
def billing_download(request, pk: int, document_pk: int):
    contract = get_object_or_404(contracts_for_user(user=request.user), pk=pk)
    document = get_object_or_404(BillingDocument.objects.filter(contract=contract), pk=document_pk)
    response = FileResponse(
        document.file.open("rb"), as_attachment=True, filename=document.filename,
        content_type="application/pdf",
    )  # fmt: skip
    response["X-Document-SHA256"] = document.content_sha256
    return response
