"""Moves of a request and of its quotes that more than one service makes."""

from marketplace.accounts.models import User
from marketplace.contracting.audit import transition
from marketplace.contracting.models import Quote, QuoteStatus, Rfq, RfqStatus

# Quotes still in play: a draft, or a submitted or revised offer the buyer has not answered.
LIVE = (QuoteStatus.DRAFT, QuoteStatus.SUBMITTED, QuoteStatus.REVISED)

# A request's moves: action -> (new status, the statuses it may leave).
RFQ_MOVES = {
    "open": (RfqStatus.OPEN, (RfqStatus.DRAFT,)),
    "close": (RfqStatus.CLOSED, (RfqStatus.OPEN,)),
    "cancel": (RfqStatus.CANCELLED, (RfqStatus.DRAFT, RfqStatus.OPEN)),
}


def rfq_move(
    rfq: Rfq, action: str, *, by: User, reason: str = "", extra_fields: tuple[str, ...] = ()
) -> None:
    """Move a locked request by ``action`` of RFQ_MOVES; save and audit it."""
    to, allowed_from = RFQ_MOVES[action]
    transition(
        rfq, to=to, allowed_from=allowed_from, action=action, actor=by, reason=reason,
        extra_fields=extra_fields,
    )  # fmt: skip


def quotes_in_play_decline(*, rfq: Rfq, by: User, reason: str, keep: Quote | None = None) -> None:
    """Decline the request's quotes still in play (all but ``keep``), saying why; each is locked
    and audited."""
    quotes = rfq.quotes.select_for_update().filter(status__in=LIVE)
    if keep is not None:
        quotes = quotes.exclude(pk=keep.pk)
    for quote in quotes:
        transition(
            quote, to=QuoteStatus.DECLINED, allowed_from=LIVE, action="decline", actor=by,
            reason=reason,
        )  # fmt: skip
