"""Emails about a deal: enqueued after the change commits, sent by a Celery task.

Each email is written in English and Chinese (one under the other) and names the page to open.
"""

import logging

from marketplace.accounts.models import User
from marketplace.notifications.services import deliver, message_from_template
from marketplace.ops.services import task_enqueue

logger = logging.getLogger(__name__)
EVENTS = (
    "rfq_opened", "provider_invited", "quote_submitted", "quote_accepted", "message_posted",
    "milestone_due", "milestone_paid", "change_order_proposed", "change_order_decided",
)  # fmt: skip


def notify(event: str, **ids: int) -> None:
    """Send the emails for ``event`` once the current transaction commits."""
    if event not in EVENTS:
        raise ValueError(f"Unknown notification {event!r}")
    task_enqueue("marketplace.contracting.tasks.notification_send_task", event, ids)


def _emails(*organisation_ids: int) -> list[User]:
    """The members of the organisations (every role: a viewer is told too)."""
    return list(
        User.objects.filter(memberships__organisation_id__in=organisation_ids)
        .distinct()
        .order_by("email")
    )


def _what(event: str, ids: dict) -> tuple[list[str], dict]:
    """Who to write to about ``event`` and what the email says."""
    from marketplace.contracting.models import (
        ChangeOrder,
        Contract,
        Message,
        Milestone,
        Quote,
        Rfq,
    )

    if event in ("rfq_opened", "provider_invited"):
        rfq = Rfq.objects.select_related("buyer").get(pk=ids["rfq_id"])
        providers = (
            [ids["provider_id"]]
            if event == "provider_invited"
            else list(rfq.invitations.values_list("provider_id", flat=True))
        )
        return _emails(*providers), {"rfq": rfq, "path": f"/deals/rfqs/{rfq.pk}/"}
    if event == "quote_submitted":
        quote = Quote.objects.select_related("rfq__buyer", "provider").get(pk=ids["quote_id"])
        return _emails(quote.rfq.buyer_id), {
            "rfq": quote.rfq, "quote": quote, "path": f"/deals/rfqs/{quote.rfq_id}/compare/",
        }  # fmt: skip
    if event == "quote_accepted":
        contract = Contract.objects.select_related("rfq", "buyer").get(pk=ids["contract_id"])
        return _emails(contract.provider_id), {
            "rfq": contract.rfq, "contract": contract, "path": f"/deals/contracts/{contract.pk}/",
        }  # fmt: skip
    if event == "message_posted":
        message = Message.objects.select_related("rfq", "provider").get(pk=ids["message_id"])
        to = message.provider_id if message.side == "buyer" else message.rfq.buyer_id
        return _emails(to), {
            "rfq": message.rfq, "message": message,
            "path": f"/deals/rfqs/{message.rfq_id}/messages/{message.provider.slug}/",
        }  # fmt: skip
    if event.startswith("change_order_"):
        change = ChangeOrder.objects.select_related("contract__rfq").get(pk=ids["change_order_id"])
        contract = change.contract
        parties = {"buyer": contract.buyer_id, "provider": contract.provider_id}
        proposer = parties[change.proposed_side]
        other = next(org for side, org in parties.items() if side != change.proposed_side)
        # A proposal and a withdrawal are told to the other party, a refusal to the proposer,
        # a change signed by both (in force) to both.
        told = {"proposed": [other], "withdrawn": [other], "declined": [proposer]}.get(
            change.status, [proposer, other]
        )
        path = f"/deals/contracts/{contract.pk}/#changes"
        return _emails(*told), {"rfq": contract.rfq, "change": change, "path": path}
    milestone = Milestone.objects.select_related("contract__rfq").get(pk=ids["milestone_id"])
    to = (
        milestone.contract.provider_id if event == "milestone_paid" else milestone.contract.buyer_id
    )
    return _emails(to), {
        "rfq": milestone.contract.rfq, "milestone": milestone,
        "path": f"/deals/contracts/{milestone.contract_id}/",
    }  # fmt: skip


def notification_send(event: str, ids: dict) -> int:
    """Tell the people ``event`` concerns, in the app and by email as each prefers; return how
    many emails were sent. Idempotent enough for a retry: a notification is made once, an email
    may be sent twice, never a change made twice."""
    recipients, context = _what(event, ids)
    if not recipients:
        return 0
    message = message_from_template(f"contracting/email/{event}.txt", context, path=context["path"])
    key = event + ":" + ",".join(f"{name}={value}" for name, value in sorted(ids.items()))
    return deliver(event=event, users=recipients, key=key, message=message)
