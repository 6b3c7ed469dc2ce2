from celery import shared_task

from marketplace.agreements.services import change_order_document_issue, contract_documents_issue
from marketplace.contracting.models import ChangeOrder, Contract


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def contract_documents_issue_task(contract_id: int) -> list[int]:
    """Issue a new contract's framework agreement and statement of work (idempotent)."""
    contract = Contract.objects.filter(pk=contract_id).first()
    if contract is None:
        return []
    return [document.pk for document in contract_documents_issue(contract=contract)]


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def change_order_document_issue_task(change_order_id: int) -> int | None:
    """Issue a proposed change order's document (idempotent)."""
    change_order = ChangeOrder.objects.filter(pk=change_order_id).first()
    if change_order is None:
        return None
    return change_order_document_issue(change_order=change_order).pk
