"""Writes to the deal: RFQs, quotes, contracts (see each module); errors shared by all."""

from marketplace.contracting.services._common import InvalidTransition
from marketplace.contracting.services.contracts import (
    checklist_item_complete,
    contract_complete,
    contract_is_cleared_for_payment,
    contract_sign,
    contract_terminate,
    contract_work_is_accepted,
    milestone_accept,
    milestone_mark_due,
    milestone_mark_paid,
    milestones_due_mark,
)
from marketplace.contracting.services.documents import document_check, rfq_attachment_add
from marketplace.contracting.services.messages import message_post, message_side
from marketplace.contracting.services.quotes import (
    DealBlocked,
    LineInput,
    MilestoneInput,
    quote_accept,
    quote_decline,
    quote_save_draft,
    quote_submit,
    quote_withdraw,
    quotes_expire,
)
from marketplace.contracting.services.rfqs import (
    rfq_cancel,
    rfq_close,
    rfq_create,
    rfq_invite,
    rfq_nda_accept,
    rfq_open,
    rfq_update,
)
from marketplace.contracting.services.screening import deal_screen, screenings_refresh

__all__ = [
    "DealBlocked",
    "InvalidTransition",
    "LineInput",
    "MilestoneInput",
    "checklist_item_complete",
    "contract_complete",
    "contract_is_cleared_for_payment",
    "contract_work_is_accepted",
    "contract_sign",
    "contract_terminate",
    "deal_screen",
    "document_check",
    "message_post",
    "message_side",
    "milestone_accept",
    "milestone_mark_due",
    "milestone_mark_paid",
    "milestones_due_mark",
    "quote_accept",
    "quote_decline",
    "quote_save_draft",
    "quote_submit",
    "quote_withdraw",
    "quotes_expire",
    "rfq_attachment_add",
    "rfq_cancel",
    "rfq_close",
    "rfq_create",
    "rfq_invite",
    "rfq_nda_accept",
    "rfq_open",
    "rfq_update",
    "screenings_refresh",
]
