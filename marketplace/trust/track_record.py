"""A provider's track record, computed from the deals on the platform (written by
``services.track_records_refresh``, read by ``selectors.track_record_of``).

- RFQs received: invitations to quote (invited, or matched to an open request).
- Quoted: those the provider answered with a submitted quote; the response time is from the
  invitation (or the request's opening, if later) to the first submitted revision.
- Milestones on time: of the milestones with a due date that has come (or that were delivered
  before it), those the provider called due (delivered) on or before the date.
- Repeat buyers: buyers with two or more contracts with the provider (terminated ones left out).
"""

from datetime import datetime
from decimal import Decimal
from statistics import median

from django.db.models import Count, Min, Q
from django.utils import timezone

from marketplace.contracting.models import (
    AuditEvent,
    Contract,
    ContractStatus,
    Milestone,
    MilestoneStatus,
    QuoteRevision,
    RfqInvitation,
)


def _hours(later: datetime, earlier: datetime) -> float:
    return max((later - earlier).total_seconds(), 0) / 3600


def figures_of(provider_id: int) -> dict:
    """The track record's figures for one provider organisation, from the deals."""
    invitations = list(
        RfqInvitation.objects.filter(provider_id=provider_id).values_list(
            "rfq_id", "created_at", "rfq__opened_at"
        )
    )
    first_quotes = dict(
        QuoteRevision.objects.filter(quote__provider_id=provider_id, is_submitted=True)
        .values("quote__rfq_id")
        .annotate(first=Min("submitted_at"))
        .values_list("quote__rfq_id", "first")
    )
    responses = [
        _hours(first_quotes[rfq_id], max(invited, opened or invited))
        for rfq_id, invited, opened in invitations
        if first_quotes.get(rfq_id)
    ]
    contracts = Contract.objects.filter(provider_id=provider_id).exclude(
        status=ContractStatus.TERMINATED
    )
    by_buyer = contracts.values("buyer_id").annotate(n=Count("pk")).order_by()
    today = timezone.localdate()
    dated = list(
        Milestone.objects.filter(contract__provider_id=provider_id, due_date__isnull=False)
        .filter(Q(due_date__lte=today) | ~Q(status=MilestoneStatus.PLANNED))
        .values_list("pk", "due_date")
    )
    delivered = dict(
        AuditEvent.objects.filter(
            subject_type="milestone",
            subject_id__in=[pk for pk, _due in dated],
            action="mark_due",
            actor__isnull=False,  # the provider called it due, not the due-date sweep
        )
        .values("subject_id")
        .annotate(first=Min("at"))
        .values_list("subject_id", "first")
    )
    on_time = sum(
        1
        for pk, due in dated
        if pk in delivered and timezone.localtime(delivered[pk]).date() <= due
    )
    return {
        "rfqs_received": len(invitations),
        "rfqs_quoted": len(responses),
        "median_response_hours": (Decimal(str(round(median(responses), 1))) if responses else None),
        "contracts_completed": contracts.filter(status=ContractStatus.COMPLETED).count(),
        "milestones_dated": len(dated),
        "milestones_on_time": on_time,
        "buyers": len(by_buyer),
        "repeat_buyers": sum(1 for row in by_buyer if row["n"] >= 2),
    }
