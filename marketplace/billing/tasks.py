from decimal import Decimal

from celery import shared_task

from marketplace.billing.services import credit_note_issue, invoice_issue, receipt_issue

RETRY = {"autoretry_for": (OSError,), "retry_backoff": True, "max_retries": 5}


@shared_task(**RETRY)
def invoice_issue_task(milestone_id: int) -> int:
    """Issue a due milestone's invoice (idempotent)."""
    return invoice_issue(milestone_id=milestone_id).pk


@shared_task(**RETRY)
def receipt_issue_task(milestone_id: int, reference: str) -> int:
    """Issue a paid milestone's receipt (idempotent)."""
    return receipt_issue(milestone_id=milestone_id, reference=reference).pk


@shared_task(**RETRY)
def credit_note_issue_task(milestone_id: int, amount: str, reference: str) -> int:
    """Issue the credit note of a refund (idempotent per refund)."""
    return credit_note_issue(
        milestone_id=milestone_id, amount=Decimal(amount), reference=reference
    ).pk
