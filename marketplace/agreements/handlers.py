"""What the agreements app does when the domain tells it something (registered in ready())."""

from marketplace import events
from marketplace.ops.services import task_enqueue


@events.subscribe(events.CONTRACT_CREATED)
def issue_contract_documents(*, contract_id: int) -> None:
    """A quote was accepted: its statement of work (and the pair's first framework agreement) are
    rendered in the background once the contract commits; a download issues any still missing."""
    task_enqueue("marketplace.agreements.tasks.contract_documents_issue_task", contract_id)


@events.subscribe(events.CHANGE_ORDER_PROPOSED)
def issue_change_order_document(*, change_order_id: int) -> None:
    """A change order was proposed: its document is rendered in the background once it commits
    (signing or downloading issues it if still missing)."""
    task_enqueue("marketplace.agreements.tasks.change_order_document_issue_task", change_order_id)
