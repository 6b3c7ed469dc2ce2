from celery import shared_task

from marketplace.agreements.services import contract_documents_issue
from marketplace.contracting.models import Contract


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def contract_documents_issue_task(contract_id: int) -> list[int]:
    """Issue a new contract's framework agreement and statement of work (idempotent)."""
    contract = Contract.objects.filter(pk=contract_id).first()
    if contract is None:
        return []
    return [document.pk for document in contract_documents_issue(contract=contract)]
