"""What billing does when the domain tells it something (registered in ready()): each document is
rendered in the background once the change commits; a download issues any still missing."""

from marketplace import events
from marketplace.ops.services import task_enqueue


@events.subscribe(events.MILESTONE_DUE)
def invoice_due_milestone(*, milestone_id: int) -> None:
    task_enqueue("marketplace.billing.tasks.invoice_issue_task", milestone_id)


@events.subscribe(events.MILESTONE_PAID)
def receipt_for_payment(*, milestone_id: int, reference: str) -> None:
    task_enqueue("marketplace.billing.tasks.receipt_issue_task", milestone_id, reference)


@events.subscribe(events.PAYMENT_REFUNDED)
def credit_note_for_refund(*, milestone_id: int, amount: str, reference: str) -> None:
    task = "marketplace.billing.tasks.credit_note_issue_task"
    task_enqueue(task, milestone_id, amount, reference)
